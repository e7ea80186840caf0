import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ReviewItem } from '../api/client';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { emptyMetrics, makeReviewItem } from '../test/reviewFixtures';

const reasons = {
  reason_codes: [
    { code: 'wrong_value', label: 'Wrong value', archived: false },
    { code: 'stale_source', label: 'Stale source', archived: false },
  ],
};

function routes(held: ReviewItem[], extra: Record<string, Parameters<typeof fakeApi>[0][string]> = {}) {
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /alerts': () => ({ alerts: [] }),
    'GET /review/claims': () => ({ items: held }),
    'GET /review/queues': () => ({ queues: [] }),
    'GET /review/metrics': () => emptyMetrics,
    'GET /review/reason-codes': () => reasons,
    'GET /records/deals/5001/timeline': () => ({ entries: [] }),
    'GET /records/deals/5002/timeline': () => ({ entries: [] }),
    'GET /review/items/i1': () => ({ ...held[0], current: 'qualifiedtobuy' }),
    'GET /review/items/i2': () => ({ ...held[1], current: 'appointmentscheduled', stale: true }),
    ...extra,
  });
}

const decided = (outcome: string) => ({ item_id: 'i1', proposal_id: 'p1', verdict: 'approve', outcome, at: new Date().toISOString(), undo_until: new Date(Date.now() + 10_000).toISOString() });
const key = (k: string) => fireEvent.keyDown(document.body, { key: k });

describe('Review queue page', () => {
  it('approves the current item with a, moves to the next, and undoes with u', async () => {
    const second = makeReviewItem({ id: 'i2', proposal_id: 'p2', record_id: '5002', expected_old: 'qualifiedtobuy' });
    const api = routes([makeReviewItem(), second], {
      'POST /review/items/i1/decisions': () => decided('approved'),
      'POST /review/items/i1/undo': () => makeReviewItem({ current: 'qualifiedtobuy' }),
    });
    renderApp('/review');
    expect(await screen.findByRole('article', { name: 'deals.dealstage on record 5001' })).toBeTruthy();
    expect(await screen.findByText('qualifiedtobuy', { selector: 'div' })).toBeTruthy();
    key('a');
    await waitFor(() => expect(api.calls('POST /review/items/i1/decisions')[0]?.body).toEqual({ verdict: 'approve' }));
    // the next item is on screen with what the CRM holds now, and it is stale
    expect(await screen.findByRole('article', { name: 'deals.dealstage on record 5002' })).toBeTruthy();
    expect(await screen.findByText(/Stale: the CRM holds appointmentscheduled/)).toBeTruthy();
    expect(screen.getByRole('status', { name: '' }).textContent).toMatch(/Approved: deals.dealstage on 5001/);
    key('u');
    await waitFor(() => expect(api.calls('POST /review/items/i1/undo')).toHaveLength(1));
    expect(await screen.findByRole('article', { name: 'deals.dealstage on record 5001' })).toBeTruthy();
    expect(within(screen.getByRole('list', { name: /Your items/ })).getAllByRole('listitem')).toHaveLength(2);
  });

  it('rejects with the reason picked by its number and shows a refused decision in words', async () => {
    const api = routes([makeReviewItem()], {
      'POST /review/items/i1/decisions': () => problem(409, { code: 'lease_expired', detail: 'Your claim on this item lapsed.' }),
    });
    renderApp('/review');
    await screen.findByRole('article', { name: 'deals.dealstage on record 5001' });
    key('r');
    const dialog = await screen.findByRole('dialog', { name: 'Reject' });
    expect(await within(dialog).findByText('Stale source')).toBeTruthy();
    key('2');
    await waitFor(() => expect(api.calls('POST /review/items/i1/decisions')[0]?.body).toEqual({ verdict: 'reject', reason_code: 'stale_source' }));
    expect(await within(dialog).findByRole('alert')).toHaveProperty('textContent', 'Your claim on this item lapsed. Use “Claim more” to take items again.');
  });

  it('names the invalid field of an edit and keeps the dialog open', async () => {
    const api = routes([makeReviewItem({ field_options: undefined })], {
      'POST /review/items/i1/decisions': () => problem(400, { code: 'validation_failed', errors: [{ field: 'value', message: '"won-ish" is not one of the options' }] }),
    });
    renderApp('/review');
    await screen.findByRole('article', { name: 'deals.dealstage on record 5001' });
    key('e');
    const dialog = await screen.findByRole('dialog', { name: 'Edit and approve' });
    const box = within(dialog).getByRole('textbox', { name: /New value/ });
    fireEvent.change(box, { target: { value: 'won-ish' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save and approve' }));
    expect(await within(dialog).findByRole('alert')).toHaveProperty('textContent', 'value: "won-ish" is not one of the options');
    expect(api.calls('POST /review/items/i1/decisions')[0]?.body).toEqual({ verdict: 'edit', value: 'won-ish' });
  });

  it('claims at once when the reviewer holds nothing, and says when nothing is waiting', async () => {
    const api = routes([], { 'POST /review/claims': () => ({ items: [], lease_expires_at: new Date().toISOString() }) });
    renderApp('/review');
    expect(await screen.findByText(/Nothing is waiting for review in your queues/)).toBeTruthy();
    expect(api.calls('POST /review/claims')[0]?.body).toEqual({ count: 10 });
  });

  it('shows the keyboard sheet with ?', async () => {
    routes([makeReviewItem()]);
    renderApp('/review');
    await screen.findByRole('article', { name: 'deals.dealstage on record 5001' });
    key('?');
    const sheet = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(within(sheet).getByText('Undo the last decision (within 10 seconds)')).toBeTruthy();
  });
});
