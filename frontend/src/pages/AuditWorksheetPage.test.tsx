import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AuditDetail, AuditItem, AuditMark } from '../api/reports';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { makeAuditDetail, makeAuditItem } from '../test/reportsFixtures';

type Routes = Parameters<typeof fakeApi>[0];

/**
 * Audit au1 served from `audit`; each PUT answers the marked item (a
 * verdict of incorrect without a note is refused as the server does).
 */
function worksheetRoutes(audit: AuditDetail, extra: Routes = {}) {
  const marks: Routes = {};
  for (const item of audit.items) {
    marks[`PUT /audits/au1/items/${item.change_seq}`] = (_req, body) => {
      const m = body as AuditMark;
      if (m.verdict === 'incorrect' && !m.note?.trim()) {
        return problem(400, { code: 'validation_failed', errors: [{ field: 'note', message: 'say what is wrong: an incorrect finding needs a note' }] });
      }
      return { ...item, verdict: m.verdict as AuditItem['verdict'], note: m.note ?? '', checked_by_name: 'Ada Admin', checked_at: '2026-12-02T10:00:00Z' } satisfies AuditItem;
    };
  }
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /alerts': () => ({ alerts: [] }),
    'GET /audits/au1': () => audit,
    ...marks,
    ...extra,
  });
}

const rowOf = (seq: number) => within(screen.getByRole('link', { name: `Change #${seq} in the change log` }).closest('tr') as HTMLElement);

describe('Audit worksheet', () => {
  it('shows how the sample was drawn, its strata and its changes', async () => {
    worksheetRoutes(makeAuditDetail());
    renderApp('/reports/audits/au1');
    expect(await screen.findByRole('heading', { name: 'Sample audit · November 2026' })).toBeTruthy();
    expect(screen.getByText('42')).toBeTruthy();
    expect(screen.getByText('1 %')).toBeTruthy();
    expect(screen.getByText('0 of 3 checked')).toBeTruthy();
    const strata = within(screen.getByRole('table', { name: 'Strata of the sample' }));
    const closer = within(strata.getByText('Closer').closest('tr') as HTMLElement);
    expect(closer.getByText('deals.dealstage')).toBeTruthy();
    expect(closer.getByText('200')).toBeTruthy();
    expect(closer.getByText('2')).toBeTruthy();

    const link = screen.getByRole('link', { name: 'Change #203 in the change log' });
    expect(link.getAttribute('href')).toBe('/changelog?record_id=5203&field=city');
    const row = rowOf(203);
    expect(row.getByText('companies / 5203')).toBeTruthy();
    expect(row.getByText('"Berlin"')).toBeTruthy();
    expect(row.getByText('"Munich"')).toBeTruthy();
    expect(row.getByText('Enricher')).toBeTruthy();
    expect(row.getByText('not checked')).toBeTruthy();
  });

  it('marks with the keyboard: c on the focused row, j to move, i asks for a note that saves on Enter', async () => {
    const api = worksheetRoutes(makeAuditDetail());
    const { user } = renderApp('/reports/audits/au1');
    await screen.findByRole('heading', { name: 'Sample audit · November 2026' });
    expect(screen.getByRole('link', { name: 'Change #201 in the change log' }).closest('tr')?.getAttribute('aria-current')).toBe('true');

    await user.keyboard('c');
    await waitFor(() => expect(api.calls('PUT /audits/au1/items/201')).toHaveLength(1));
    expect(api.calls('PUT /audits/au1/items/201')[0].body).toEqual({ verdict: 'correct' });
    expect(await rowOf(201).findByText('correct')).toBeTruthy();
    expect(await screen.findByText('1 of 3 checked')).toBeTruthy();

    await user.keyboard('j');
    expect(screen.getByRole('link', { name: 'Change #202 in the change log' }).closest('tr')?.getAttribute('aria-current')).toBe('true');
    await user.keyboard('i');
    const note = rowOf(202).getByRole('textbox', { name: 'Note on change #202' });
    expect(document.activeElement).toBe(note);
    expect(await rowOf(202).findByText('say what is wrong: an incorrect finding needs a note')).toBeTruthy();
    expect(note.getAttribute('aria-invalid')).toBe('true');
    expect(api.calls('PUT /audits/au1/items/202')[0].body).toEqual({ verdict: 'incorrect' });

    await user.type(note, 'Deal 5202 is still in contract review{Enter}');
    await waitFor(() => expect(api.calls('PUT /audits/au1/items/202')).toHaveLength(2));
    expect(api.calls('PUT /audits/au1/items/202')[1].body).toEqual({ verdict: 'incorrect', note: 'Deal 5202 is still in contract review' });
    expect(await rowOf(202).findByText('incorrect')).toBeTruthy();
    await waitFor(() => expect(rowOf(202).queryByText('say what is wrong: an incorrect finding needs a note')).toBeNull());
    expect(await screen.findByText('2 of 3 checked')).toBeTruthy();
    // Enter left the note for the row, where the keys work again; the note was sent once
    await user.keyboard('k');
    expect(screen.getByRole('link', { name: 'Change #201 in the change log' }).closest('tr')?.getAttribute('aria-current')).toBe('true');
    expect(api.calls('PUT /audits/au1/items/202')).toHaveLength(2);
  });

  it('keeps Close audit disabled until every change is marked, then shows the server’s refusal', async () => {
    const api = worksheetRoutes(makeAuditDetail(), {
      'POST /audits/au1/close': () => problem(409, { code: 'audit_closed', title: 'Conflict', detail: 'The audit is already closed.' }),
    });
    const { user } = renderApp('/reports/audits/au1');
    const close = await screen.findByRole('button', { name: 'Close audit' });
    expect((close as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/counts as a correction of the agent that made it in the rollout metrics/)).toBeTruthy();

    await user.click(rowOf(201).getByRole('button', { name: 'Correct: change #201' }));
    await user.click(rowOf(202).getByRole('button', { name: 'Correct: change #202' }));
    await rowOf(202).findByText('correct');
    expect((close as HTMLButtonElement).disabled).toBe(true);
    await user.type(rowOf(203).getByRole('textbox', { name: 'Note on change #203' }), 'Moved to Hamburg, not Munich');
    await user.click(rowOf(203).getByRole('button', { name: 'Incorrect: change #203' }));
    await waitFor(() => expect((close as HTMLButtonElement).disabled).toBe(false));
    expect(api.calls('PUT /audits/au1/items/203').at(-1)?.body).toEqual({ verdict: 'incorrect', note: 'Moved to Hamburg, not Munich' });

    await user.click(close);
    expect(await screen.findByText('The audit is already closed.')).toBeTruthy();
    expect(screen.getByText('The audit was not closed')).toBeTruthy();
  });

  it('closes a fully marked audit, which is then read-only', async () => {
    const marked = makeAuditDetail({
      checked: 3,
      incorrect: 1,
      items: makeAuditDetail().items.map((i) => ({ ...i, verdict: i.change_seq === 203 ? ('incorrect' as const) : ('correct' as const), note: i.change_seq === 203 ? 'Wrong city' : '' })),
    });
    const api = worksheetRoutes(marked, { 'POST /audits/au1/close': () => ({ ...marked, closed_at: '2026-12-03T10:00:00Z' }) });
    const { user } = renderApp('/reports/audits/au1');
    await user.click(await screen.findByRole('button', { name: 'Close audit' }));
    expect(await screen.findByText(/the findings are final, and its 1 incorrect finding counts as a correction/)).toBeTruthy();
    expect(api.calls('POST /audits/au1/close')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Close audit' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Correct/ })).toBeNull();
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it('shows a closed audit read-only: no marking, no keys, no close', async () => {
    const closed = makeAuditDetail({
      closed_at: '2026-12-03T10:00:00Z',
      checked: 3,
      incorrect: 1,
      items: [
        makeAuditItem({ change_seq: 201, verdict: 'correct', checked_by_name: 'Ada Admin' }),
        makeAuditItem({ change_seq: 202, verdict: 'correct' }),
        makeAuditItem({ change_seq: 203, verdict: 'incorrect', note: 'Wrong city' }),
      ],
    });
    const api = worksheetRoutes(closed);
    const { user } = renderApp('/reports/audits/au1');
    expect(await screen.findByText('The audit is closed: its findings are final.')).toBeTruthy();
    expect(rowOf(203).getByText('Wrong city')).toBeTruthy();
    expect(rowOf(203).getByText('incorrect')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Correct/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Incorrect/ })).toBeNull();
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Close audit' })).toBeNull();
    await user.keyboard('c');
    await user.keyboard('i');
    expect(api.seen.filter((s) => s.method === 'PUT')).toHaveLength(0);
  });

  it('shows the worksheet read-only to a member who may not work audits', async () => {
    const api = worksheetRoutes(makeAuditDetail(), { 'GET /session': () => makeSession({ roles: ['viewer'], permissions: ['reports.read'] }) });
    const { user } = renderApp('/reports/audits/au1');
    expect(await screen.findByText('Read-only: marking changes needs permission to work audits.')).toBeTruthy();
    // without changelog.read the change is named, not linked
    expect(screen.getByText('#201')).toBeTruthy();
    expect(screen.queryByRole('link', { name: /in the change log/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Close audit' })).toBeNull();
    await user.keyboard('c');
    expect(api.seen.filter((s) => s.method === 'PUT')).toHaveLength(0);
  });
});
