import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../api/client';
import { makeAgent } from '../test/agentFixtures';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { makeRollout, makeRolloutDetail } from '../test/rolloutFixtures';

type Routes = Parameters<typeof fakeApi>[0];

function routes(items: Rollout[], extra: Routes = {}) {
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /alerts': () => ({ alerts: [] }),
    'GET /rollouts': () => ({ items }),
    'GET /agents': () => ({ agents: [makeAgent({ id: 'a1', name: 'Closer' })] }),
    ...extra,
  });
}

describe('Rollouts page', () => {
  it('shows each arm with its rate, interval and sample, the stage and the guardrail verdict', async () => {
    routes([makeRollout()]);
    renderApp('/rollouts');
    const card = within(await screen.findByRole('article', { name: 'Company cities' }));
    expect(card.getByText('Canary · 5 % of records')).toBeTruthy();
    expect(card.getByText(/keep watching/)).toBeTruthy();
    const table = within(card.getByRole('table'));
    const canary = table.getByText('Canary').closest('tr') as HTMLElement;
    expect(within(canary).getByText('200')).toBeTruthy();
    expect(within(canary).getByText('2.0 % (0.78 %–5.0 %)')).toBeTruthy();
    const control = table.getByText('Control').closest('tr') as HTMLElement;
    expect(within(control).getByText('5.0 % (2.6 %–9.2 %)')).toBeTruthy();
  });

  it('explains rollouts when there are none, and offers admins to create one', async () => {
    routes([]);
    renderApp('/rollouts');
    expect(await screen.findByText(/Nothing is auto-applied until a rollout lets it/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create rollout' })).toBeTruthy();
  });

  it('hides the admin actions from a viewer', async () => {
    fakeApi({
      'GET /session': () => makeSession({ permissions: ['rollouts.read'] }),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /rollouts': () => ({ items: [makeRollout({ halted_at: '2026-12-01T10:00:00Z', halt_reason: 'Guardrail: too many corrections' })] }),
    });
    renderApp('/rollouts');
    await screen.findByRole('article', { name: 'Company cities' });
    expect(screen.queryByRole('button', { name: 'Create rollout' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Change stage…' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Revert canary writes/ })).toBeNull();
    expect(screen.getByText(/Halted to shadow by the guardrail/)).toBeTruthy();
  });

  it('offers to revert a halted canary: the preview is of the rollout since its canary began', async () => {
    const halted = makeRollout({ stage: 'shadow', percent_bps: 0, halted_at: '2026-12-01T10:00:00Z', halt_reason: 'Guardrail: 8.0 % is above 3.0 %',
      verdict: { state: 'halt', text: 'Correction rate 8.0 %: halt to shadow', checked_at: '2026-12-01T10:00:00Z' } });
    const api = routes([halted], {
      'POST /rollbacks': (_req, body) =>
        (body as { preview: boolean }).preview
          ? { preview: { total: 12, checked: 12, conflicts: 1, samples: [] } }
          : { rollback: { id: 'b1', filter: {}, reason: '', state: 'running', total: 12, reverted: 0, skipped: 0, conflicts: 0, failed: 0, report: [], created_at: '2026-12-05T10:00:00Z', finished_at: null, error: null } },
      'GET /rollbacks/b1': () => ({ id: 'b1', filter: {}, reason: '', state: 'done', total: 12, reverted: 11, skipped: 0, conflicts: 1, failed: 0, report: [], created_at: '2026-12-05T10:00:00Z', finished_at: '2026-12-05T10:00:05Z', error: null }),
      'GET /rollbacks': () => ({ items: [] }),
    });
    const { user } = renderApp('/rollouts');
    await user.click(await screen.findByRole('button', { name: /Revert canary writes since/ }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Revert canary writes' }));
    await user.click(dialog.getByRole('button', { name: 'Preview' }));
    await dialog.findByText(/12 changes would be rolled back/);
    const sent = api.calls('POST /rollbacks')[0].body as { filter: { rollout_id: string; since: string } };
    expect(sent.filter.rollout_id).toBe('r1');
    expect(new Date(sent.filter.since).getTime()).toBe(new Date('2026-11-20T09:00:00Z').getTime());
    await user.click(dialog.getByRole('button', { name: 'Roll back 12 changes' }));
    expect(await dialog.findByText(/Finished: 11 rolled back, 1 conflicts/)).toBeTruthy();
  });

  it('shows the server’s reason-required error next to the reason when a move skips a stage', async () => {
    const off = makeRollout({ stage: 'off', percent_bps: 0, canary_since: null, arms: [], verdict: { state: 'idle', text: 'The rollout is off', checked_at: null } });
    const api = routes([off], {
      'POST /rollouts/r1/stage': () => problem(400, { code: 'validation_failed', errors: [{ field: 'reason', message: 'is required to skip from off to canary' }] }),
    });
    const { user } = renderApp('/rollouts');
    await user.click(await screen.findByRole('button', { name: 'Change stage…' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Change stage' }));
    await user.selectOptions(dialog.getByLabelText('Stage'), 'canary');
    await user.click(dialog.getByRole('button', { name: '5 %' }));
    expect(dialog.getByLabelText(/Reason \(required: this skips a stage\)/)).toBeTruthy();
    await user.click(dialog.getByRole('button', { name: 'Move to canary at 5 %' }));
    expect(await dialog.findByText('is required to skip from off to canary')).toBeTruthy();
    expect(api.calls('POST /rollouts/r1/stage')[0].body).toEqual({ stage: 'canary', percent_bps: 500 });
  });

  it('prefills a suggested promotion', async () => {
    const api = routes([makeRollout({ verdict: { state: 'promote', text: 'stays under the threshold', next_stage: 'canary', next_bps: 1000, checked_at: null } })], {
      'POST /rollouts/r1/stage': () => makeRolloutDetail({ percent_bps: 1000 }),
    });
    const { user } = renderApp('/rollouts');
    await user.click(await screen.findByRole('button', { name: 'Promote to canary at 10 %…' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Change stage' }));
    await user.click(dialog.getByRole('button', { name: 'Move to canary at 10 %' }));
    await waitFor(() => expect(api.calls('POST /rollouts/r1/stage')[0]?.body).toEqual({ stage: 'canary', percent_bps: 1000 }));
  });

  it('creates a rollout and names a refused field next to the fields', async () => {
    routes([], {
      'GET /fields': () => ({
        fields: [
          { id: 'f1', connection_id: 'c1', object: 'companies', name: 'city', label: 'City', type: 'string', read_only: false, archived: false,
            policy: { sensitivity: 'low', mode: 'auto', confidence_threshold: 0.95, evidence_required: false, tags: [] } },
        ],
        total: 1,
      }),
      'POST /rollouts': () => problem(400, { code: 'validation_failed', errors: [{ field: 'fields[0]', message: 'companies.city is already in this agent\'s rollout "Old"' }] }),
    });
    const { user } = renderApp('/rollouts');
    await user.click(await screen.findByRole('button', { name: 'Create rollout' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Create rollout' }));
    await user.selectOptions(dialog.getByLabelText('Agent'), 'a1');
    await user.type(dialog.getByLabelText('Name'), 'Cities');
    await user.selectOptions(await dialog.findByRole('listbox', { name: 'Fields' }), 'companies.city');
    await user.click(dialog.getByRole('button', { name: 'Create rollout' }));
    expect(await dialog.findByText(/companies.city: companies.city is already in this agent's rollout "Old"/)).toBeTruthy();
  });

  it('opens a rollout’s history from the URL', async () => {
    routes([makeRollout()], { 'GET /rollouts/r1': () => makeRolloutDetail() });
    renderApp('/rollouts?rollout=r1');
    const history = within(await screen.findByRole('region', { name: 'Stage history' }));
    expect(history.getByText('Shadow → Canary · 5 % of records')).toBeTruthy();
    expect(history.getByText('agreement 99 %')).toBeTruthy();
  });
});
