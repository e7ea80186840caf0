import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { BulkRollback, ChangeEvent } from '../api/client';
import { formatShortDateTime } from '../components/format';
import { makeAgent } from '../test/agentFixtures';
import { makeBulkRollback, makeChangeEvent, makeConflict } from '../test/changeFixtures';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

type Routes = Parameters<typeof fakeApi>[0];

function routes(items: ChangeEvent[], extra: Routes = {}) {
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /alerts': () => ({ alerts: [] }),
    'GET /agents': () => ({ agents: [makeAgent({ id: 'a1', name: 'Closer' }), makeAgent({ id: 'a2', name: 'Enricher' })] }),
    'GET /changes': () => ({ items, next: null }),
    'GET /rollbacks': () => ({ items: [] }),
    ...extra,
  });
}

const row = (seq: number) => screen.getByRole('cell', { name: `#${seq}` }).closest('tr') as HTMLElement;

describe('Change log page', () => {
  it('lists each change as before → after with who made it and why', async () => {
    routes([
      makeChangeEvent({ seq: 14, actor_kind: 'human', user_name: 'Rita Reviewer', before: 'closedwon', after: null, reverts: 12, reason: 'Wrong deal' }),
      makeChangeEvent({ seq: 13, actor_kind: 'collaborative', user_name: 'Rita Reviewer', field: 'amount', before: 900, after: 1200, reason: '' }),
      makeChangeEvent({ seq: 12, reverted_by: 14 }),
    ]);
    renderApp('/changelog');
    await screen.findByRole('table', { name: 'Change log' });

    const agentRow = within(row(12));
    expect(agentRow.getByText('"contractsent"')).toBeTruthy();
    expect(agentRow.getByText('"closedwon"')).toBeTruthy();
    expect(agentRow.getByText('Agent Closer')).toBeTruthy();
    expect(agentRow.getByText('The contract was signed.')).toBeTruthy();
    expect(agentRow.getByText('rolled back by #14')).toBeTruthy();

    const collaborative = within(row(13));
    expect(collaborative.getByText('Closer + Rita Reviewer')).toBeTruthy();
    expect(collaborative.getByText('900')).toBeTruthy();
    expect(collaborative.getByText('1200')).toBeTruthy();

    const rollback = within(row(14));
    expect(rollback.getByText('Rita Reviewer')).toBeTruthy();
    expect(rollback.getByText('reverts #12')).toBeTruthy();
    expect(rollback.getByTitle('No value').textContent).toBe('—');
  });

  it('loads the next page with the last seq as before, keeping the filters from the URL', async () => {
    const api = routes([], {
      'GET /changes': (req) =>
        new URL(req.url).searchParams.get('before') === '11'
          ? { items: [makeChangeEvent({ seq: 11, record_id: '5001' })], next: null }
          : { items: [makeChangeEvent({ seq: 12 })], next: 11 },
    });
    const { user } = renderApp('/changelog?record_id=5001&field=dealstage');
    await screen.findByRole('cell', { name: '#12' });
    const first = new URLSearchParams(api.calls('GET /changes')[0].search);
    expect(first.get('record_id')).toBe('5001');
    expect(first.get('field')).toBe('dealstage');
    expect(first.get('before')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('cell', { name: '#11' })).toBeTruthy();
    const second = new URLSearchParams(api.calls('GET /changes')[1].search);
    expect(second.get('before')).toBe('11');
    expect(second.get('record_id')).toBe('5001');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('puts a filter in the URL and says when nothing matches', async () => {
    const api = routes([], { 'GET /changes': (req) => ({ items: new URL(req.url).searchParams.get('actor_kind') ? [] : [makeChangeEvent()], next: null }) });
    const { user, location } = renderApp('/changelog');
    await screen.findByRole('cell', { name: '#12' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Actor' }), 'human');
    expect(await screen.findByText('No changes match these filters.')).toBeTruthy();
    expect(location()).toBe('/changelog?actor_kind=human');
    expect(new URLSearchParams(api.calls('GET /changes').at(-1)!.search).get('actor_kind')).toBe('human');
  });

  it('says when the log is empty', async () => {
    routes([]);
    renderApp('/changelog');
    expect(await screen.findByText('No changes yet: approved proposals appear here once they are written to the CRM.')).toBeTruthy();
  });

  it('rolls a change back and says which new change undid it', async () => {
    let rolledBack = false;
    const api = routes([], {
      'GET /changes': () => ({ items: [makeChangeEvent({ reverted_by: rolledBack ? 13 : null })], next: null }),
      'POST /changes/ev-12/rollback': () => {
        rolledBack = true;
        return { status: 'reverted', event: makeChangeEvent({ seq: 13, reverts: 12, actor_kind: 'human', user_name: 'Ada Admin' }) };
      },
    });
    const { user } = renderApp('/changelog');
    await user.click(await screen.findByRole('button', { name: 'Roll back change #12' }));
    const dialog = await screen.findByRole('dialog', { name: 'Roll back change #12' });
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Misread the contract');
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));

    expect(await screen.findByText('Change #12 rolled back (new change #13)')).toBeTruthy();
    expect(api.calls('POST /changes/ev-12/rollback')[0].body).toEqual({ reason: 'Misread the contract' });
    expect(api.calls('POST /changes/ev-12/rollback')[0].headers.get('X-CSRF-Token')).toBe('csrf-123');
    expect(screen.queryByRole('dialog')).toBeNull();
    // the list is read again: the row is now rolled back and cannot be again
    expect(await screen.findByText('rolled back by #13')).toBeTruthy();
    const button = screen.getByRole('button', { name: 'Roll back change #12' });
    expect(button).toHaveProperty('disabled', true);
    expect(button.getAttribute('title')).toBe('Already rolled back, by change #13.');
  });

  it('shows a conflict three-way and re-posts the chosen resolution', async () => {
    const api = routes([makeChangeEvent()], {
      'POST /changes/ev-12/rollback': (_req, body) =>
        (body as { resolution?: string }).resolution === 'keep_current'
          ? { status: 'kept_current', event: makeChangeEvent({ seq: 14, reverts: 12, actor_kind: 'human', user_name: 'Ada Admin' }) }
          : { status: 'conflict', conflict: makeConflict() },
    });
    const { user } = renderApp('/changelog');
    await user.click(await screen.findByRole('button', { name: 'Roll back change #12' }));
    const dialog = await screen.findByRole('dialog', { name: 'Roll back change #12' });
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Wrong deal');
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));

    const conflict = await within(dialog).findByRole('region', { name: 'Conflict' });
    expect(within(conflict).getByRole('alert').textContent).toMatch(/Nothing was written: the CRM no longer holds the value this change wrote/);
    const values = within(conflict).getAllByRole('definition').map((d) => d.textContent);
    expect(values).toContain('"contractsent"');
    expect(values).toContain('"closedwon"');
    expect(values).toContain('"closedlost"');
    expect(within(conflict).getByText('Before')).toBeTruthy();
    expect(within(conflict).getByText('Ours')).toBeTruthy();
    expect(within(conflict).getByText('Current')).toBeTruthy();

    await user.click(within(conflict).getByRole('button', { name: 'Keep current' }));
    expect(await screen.findByText("Change #12 rolled back, keeping the CRM's current value (new change #14)")).toBeTruthy();
    expect(api.calls('POST /changes/ev-12/rollback').map((c) => c.body)).toEqual([
      { reason: 'Wrong deal' },
      { reason: 'Wrong deal', resolution: 'keep_current' },
    ]);
  });

  it('sets a value of the reviewer’s choosing, and shows why a rollback was refused', async () => {
    const api = routes([makeChangeEvent()], {
      'POST /changes/ev-12/rollback': (_req, body) =>
        (body as { resolution?: string }).resolution === 'set_value'
          ? problem(409, { code: 'already_reverted', detail: 'Change #12 was rolled back already, by change #15.' })
          : { status: 'conflict', conflict: makeConflict() },
    });
    const { user } = renderApp('/changelog');
    await user.click(await screen.findByRole('button', { name: 'Roll back change #12' }));
    const dialog = await screen.findByRole('dialog', { name: 'Roll back change #12' });
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    await user.type(await within(dialog).findByRole('textbox', { name: /Value to write/ }), 'appointmentscheduled');
    await user.click(within(dialog).getByRole('button', { name: 'Set a value' }));
    expect(await within(dialog).findByText('Change #12 was rolled back already, by change #15.')).toBeTruthy();
    expect(api.calls('POST /changes/ev-12/rollback')[1].body).toEqual({ resolution: 'set_value', value: 'appointmentscheduled' });
  });

  it('verifies the chain: a broken one names the first bad seq', async () => {
    const api = routes([makeChangeEvent()], {
      'GET /changes/verify': () => ({ ok: false, events: 120, first_bad_seq: 7, problem: 'the hash does not match the event', checkpoint: null }),
      'GET /changes/public-key': () => ({ algorithm: 'Ed25519', key_id: 'k-2026', public_key: 'MCowBQYDK2VwAyEA' }),
    });
    const { user } = renderApp('/changelog');
    await screen.findByRole('cell', { name: '#12' });
    expect(api.calls('GET /changes/verify')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    expect((await screen.findByText(/Chain broken at #7/)).textContent).toBe('Chain broken at #7: the hash does not match the event');

    await user.click(screen.getByRole('button', { name: 'Public key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Change log public key' });
    expect(await within(dialog).findByText('MCowBQYDK2VwAyEA')).toBeTruthy();
    expect(within(dialog).getByRole('link', { name: 'Download key k-2026' }).getAttribute('download')).toBe('countersign-changelog-k-2026.json');
  });

  it('verifies an intact chain up to its last signed checkpoint', async () => {
    routes([makeChangeEvent()], {
      'GET /changes/verify': () => ({
        ok: true, events: 120, first_bad_seq: null,
        checkpoint: { seq: 118, hash: 'ab', key_id: 'k-2026', signature: 'cd', at: '2026-03-05T10:00:00Z', valid: true },
      }),
    });
    const { user } = renderApp('/changelog');
    await user.click(await screen.findByRole('button', { name: 'Verify chain' }));
    expect(await screen.findByText('Verified 120 events — last signed checkpoint #118 (valid)', { exact: false })).toBeTruthy();
  });

  it('previews a bulk rollback, then runs it with progress to the report', async () => {
    let polls = 0;
    const report = [conflictRow(31, 'closedlost'), conflictRow(32, null, 'the record no longer exists in the CRM')];
    let started = false;
    const api = routes([makeChangeEvent()], {
      'GET /rollbacks': () => ({ items: !started ? [] : polls < 2 ? [makeBulkRollback()] : [makeBulkRollback({ state: 'done', reverted: 37, conflicts: 2, failed: 1, report })] }),
      'POST /rollbacks': (_req, body) => {
        const b = body as { filter: object; preview: boolean };
        if (Object.keys(b.filter).length === 0) return problem(400, { code: 'validation_failed', errors: [{ field: 'filter', message: 'name an agent, a batch, a field, a record or a start time' }] });
        if (b.preview) return { preview: { total: 40, checked: 40, conflicts: 2, samples: report } };
        started = true;
        return { rollback: makeBulkRollback() };
      },
      'GET /rollbacks/r1': () =>
        ++polls === 1
          ? makeBulkRollback({ reverted: 15, conflicts: 1, failed: 4 })
          : makeBulkRollback({ state: 'done', reverted: 37, conflicts: 2, failed: 1, report, finished_at: '2026-03-05T11:01:00Z' }),
    });
    const { user } = renderApp('/changelog');
    await user.click(await screen.findByRole('button', { name: 'Bulk rollback…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Bulk rollback' });

    await user.click(within(dialog).getByRole('button', { name: 'Preview' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/filter: name an agent, a batch/);

    await within(dialog).findByRole('option', { name: 'Closer' });
    await user.selectOptions(within(dialog).getByRole('combobox', { name: 'Agent' }), 'a1');
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Closer misread the contracts');
    await user.click(within(dialog).getByRole('button', { name: 'Preview' }));
    expect(
      await within(dialog).findByText('40 changes would be rolled back; 2 of the first 40 checked no longer match the CRM (conflicts, left for a human).'),
    ).toBeTruthy();
    expect(within(within(dialog).getByRole('table', { name: 'Conflicts found by the preview' })).getAllByRole('row')).toHaveLength(3);
    expect(api.calls('POST /rollbacks')[1].body).toEqual({ filter: { agent_id: 'a1' }, preview: true });

    // no rollback yet: the page has no section for them
    expect(screen.queryByRole('region', { name: 'Bulk rollbacks' })).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Roll back 40 changes' }));
    expect(api.calls('POST /rollbacks')[2].body).toEqual({ filter: { agent_id: 'a1' }, preview: false, reason: 'Closer misread the contracts' });
    // the list is read again on start: the page lists the new rollback behind the dialog
    const listed = await screen.findByRole('region', { name: 'Bulk rollbacks' });
    expect(within(listed).getByText('Agent Closer')).toBeTruthy();
    expect(within(listed).getByText('running')).toBeTruthy();
    const bar = await within(dialog).findByRole('progressbar', { name: 'Rollback progress' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('20'));
    expect(within(dialog).getByText('Rolling back… 20 of 40')).toBeTruthy();

    expect(await within(dialog).findByText('Finished: 37 rolled back, 2 conflicts, 1 failed, 0 skipped.')).toBeTruthy();
    const left = within(within(dialog).getByRole('table', { name: 'Changes left for a human' }));
    expect(left.getByText('"closedlost"')).toBeTruthy();
    expect(left.getByText('the record no longer exists in the CRM')).toBeTruthy();
    expect(left.getByText('#32')).toBeTruthy();
    expect(left.getByRole('link', { name: 'deals / 5032: change log of dealstage' }).getAttribute('href')).toBe('/changelog?record_id=5032&field=dealstage');
    // polling stopped once done, and the list was read again
    const seen = polls;
    await new Promise((r) => setTimeout(r, 1200));
    expect(polls).toBe(seen);
    expect(api.calls('GET /changes').length).toBeGreaterThan(1);
  });

  it('offers no rollback to a viewer, who still follows the bulk rollbacks', async () => {
    const api = routes([makeChangeEvent()], {
      'GET /session': () => makeSession({ roles: ['viewer'], permissions: ['changelog.read'] }),
      'GET /rollbacks': () => ({ items: [doneRollback()] }),
    });
    const { user } = renderApp('/changelog');
    await screen.findByRole('cell', { name: '#12' });
    // the list of bulk rollbacks, named by the agents seen in the log, and its reports
    const section = await screen.findByRole('region', { name: 'Bulk rollbacks' });
    expect(await within(section).findByText('Agent Closer')).toBeTruthy();
    await user.click(within(section).getByRole('button', { name: /^View report/ }));
    const report = await screen.findByRole('dialog', { name: 'Bulk rollback report' });
    expect(within(report).getByRole('table', { name: 'Changes left for a human' })).toBeTruthy();
    await user.click(within(report).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('button', { name: /Roll back/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Bulk rollback…' })).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Verify chain' })).toBeTruthy();
    // a viewer may not list agents: the filter offers the agents seen in the log
    expect(within(screen.getByRole('combobox', { name: 'Agent' })).getByRole('option', { name: 'Closer' })).toBeTruthy();
    expect(api.calls('GET /agents')).toHaveLength(0);
  });

  it('follows a running bulk rollback in the list until it is done, then reads the changes again', async () => {
    let reads = 0;
    const api = routes([makeChangeEvent()], {
      'GET /rollbacks': () => ({
        items: [
          ++reads === 1
            ? makeBulkRollback({ reverted: 15, conflicts: 1, failed: 4, filter: { agent_id: 'a1', field: 'dealstage' } })
            : doneRollback({ filter: { agent_id: 'a1', field: 'dealstage' } }),
        ],
      }),
    });
    renderApp('/changelog');
    const section = await screen.findByRole('region', { name: 'Bulk rollbacks' });
    const started = formatShortDateTime('2026-03-05T11:00:00Z');
    const bar = within(section).getByRole('progressbar', { name: `Progress of the rollback started ${started}` });
    expect(bar.getAttribute('aria-valuenow')).toBe('20');
    expect(bar.getAttribute('aria-valuemax')).toBe('40');
    expect(within(section).getByText('20 of 40')).toBeTruthy();
    expect(within(section).getByText('running')).toBeTruthy();
    expect(await within(section).findByText('Agent Closer · field dealstage')).toBeTruthy();
    expect(within(section).getByText('Closer misread the contracts')).toBeTruthy();
    expect(api.calls('GET /changes')).toHaveLength(1);

    // two seconds on, the list is read again: done, with its counts, and the change log is read again
    expect(await within(section).findByText('done')).toBeTruthy();
    const row = within(within(section).getByRole('button', { name: /^View report/ }).closest('tr') as HTMLElement);
    expect(row.getAllByRole('cell').slice(3, 7).map((c) => c.textContent)).toEqual(['37', '2', '1', '0']);
    expect(within(section).queryByRole('progressbar')).toBeNull();
    await waitFor(() => expect(api.calls('GET /changes')).toHaveLength(2));

    // nothing runs any more: the list is not read again
    await new Promise((r) => setTimeout(r, 2500));
    expect(reads).toBe(2);
  });

  it('opens the report of a finished rollback: its counts and the conflicts left for a human, each linking to its log', async () => {
    const since = '2026-03-04T09:00:00Z';
    const until = '2026-03-05T09:00:00Z';
    routes([makeChangeEvent()], {
      'GET /rollbacks': () => ({
        items: [
          makeBulkRollback({ id: 'r3', state: 'failed', error: 'the CRM connection was removed', reverted: 3, created_at: '2026-03-06T08:00:00Z', finished_at: '2026-03-06T08:01:00Z' }),
          doneRollback({ filter: { agent_id: 'a2', field: 'amount', since, until } }),
        ],
      }),
    });
    const { user, location } = renderApp('/changelog');
    const section = await screen.findByRole('region', { name: 'Bulk rollbacks' });
    const table = within(section).getByRole('table', { name: 'Recent bulk rollbacks' });
    expect(within(table).getByText('failed')).toBeTruthy();
    expect(within(table).getByText('the CRM connection was removed')).toBeTruthy();
    const target = `Agent Enricher · field amount · ${formatShortDateTime(since)} – ${formatShortDateTime(until)}`;
    expect(await within(table).findByText(target)).toBeTruthy();

    await user.click(within(table).getByRole('button', { name: `View report: ${target}, started ${formatShortDateTime('2026-03-05T11:00:00Z')}` }));
    const dialog = await screen.findByRole('dialog', { name: 'Bulk rollback report' });
    expect(within(dialog).getByText('Finished: 37 rolled back, 2 conflicts, 1 failed, 0 skipped.')).toBeTruthy();
    expect(within(dialog).getByText('Reason: Closer misread the contracts')).toBeTruthy();
    const left = within(within(dialog).getByRole('table', { name: 'Changes left for a human' }));
    expect(left.getAllByRole('row')).toHaveLength(3);
    expect(left.getByText('"closedlost"')).toBeTruthy();
    expect(left.getByText('the record no longer exists in the CRM')).toBeTruthy();

    await user.click(left.getByRole('link', { name: 'deals / 5031: change log of dealstage' }));
    expect(location()).toBe('/changelog?record_id=5031&field=dealstage');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('has no bulk rollbacks section while there is none', async () => {
    const api = routes([makeChangeEvent()]);
    renderApp('/changelog');
    await screen.findByRole('cell', { name: '#12' });
    await waitFor(() => expect(api.calls('GET /rollbacks')).toHaveLength(1));
    expect(screen.queryByRole('region', { name: 'Bulk rollbacks' })).toBeNull();
    expect(screen.queryByText('Bulk rollbacks')).toBeNull();
  });

  it('says when the bulk rollbacks cannot be loaded', async () => {
    routes([makeChangeEvent()], { 'GET /rollbacks': () => problem(403, { code: 'forbidden', detail: 'You may not list rollbacks.' }) });
    renderApp('/changelog');
    const section = await screen.findByRole('region', { name: 'Bulk rollbacks' });
    expect((await within(section).findByRole('alert')).textContent).toMatch(/Could not load the bulk rollbacks.*You may not list rollbacks\./);
  });
});

/** Rollback r1 of agent a1's changes, done: 37 rolled back, two conflicts left for a human, one failed. */
function doneRollback(overrides: Partial<BulkRollback> = {}) {
  return makeBulkRollback({
    state: 'done',
    reverted: 37,
    conflicts: 2,
    failed: 1,
    report: [conflictRow(31, 'closedlost'), conflictRow(32, null, 'the record no longer exists in the CRM')],
    finished_at: '2026-03-05T11:01:00Z',
    ...overrides,
  });
}

function conflictRow(seq: number, current: unknown, why?: string) {
  return makeConflict({ seq, record_id: String(5000 + seq), current, problem: why });
}
