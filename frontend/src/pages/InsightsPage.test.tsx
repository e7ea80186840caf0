import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeAgent } from '../test/agentFixtures';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { makeInsights } from '../test/rolloutFixtures';

type Routes = Parameters<typeof fakeApi>[0];

function routes(extra: Routes = {}) {
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /alerts': () => ({ alerts: [] }),
    'GET /insights/overview': () => makeInsights(),
    'GET /agents': () => ({ agents: [makeAgent({ id: 'a1', name: 'Closer' })] }),
    ...extra,
  });
}

describe('Insights page', () => {
  it('lists correction rates per agent, field and arm with intervals, shadow agreement, and the desk’s health', async () => {
    routes();
    renderApp('/insights');
    const table = within(await screen.findByRole('table', { name: 'Correction rate per agent, field and arm' }));
    expect(table.getByText('Closer')).toBeTruthy();
    expect(table.getByText('2.0 % (0.78 %–5.0 %)')).toBeTruthy();
    expect(table.getByText('agreement 98.0 %')).toBeTruthy();
    expect(screen.getByText(/12.5 min on average over 200 changes/)).toBeTruthy();
    expect(screen.getByText(/95.0 % of 100 decisions met their SLA/)).toBeTruthy();
    expect(screen.getByText(/Rolled back: wrong city/)).toBeTruthy();
    // the charts arrive from their own chunk
    expect(await screen.findByRole('img', { name: /Average minutes from proposal to applied/ })).toBeTruthy();
  });

  it('reads another period when asked, and says when there is nothing yet', async () => {
    const api = routes({ 'GET /insights/overview': (req) => makeInsights({ days: Number(new URL(req.url).searchParams.get('days')), rows: [] }) });
    const { user } = renderApp('/insights');
    expect(await screen.findByText(/No outcomes yet in the last 30 days/)).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('Period'), '7');
    expect(await screen.findByText(/No outcomes yet in the last 7 days/)).toBeTruthy();
    expect(api.calls('GET /insights/overview').map((c) => new URLSearchParams(c.search).get('days'))).toEqual(['30', '7']);
  });

  it('calibrates an agent × field and applies the suggested threshold to the field’s policy', async () => {
    const api = routes({
      'GET /insights/calibration': () => ({
        agent_id: 'a1', field: 'companies.city', field_id: 'f1', target: 0.99, min_sample: 30, current_threshold: 0.95, suggested_threshold: 0.9,
        text: 'Changes at confidence 0.90 or more were right 99.5 % of the time (400 outcomes)',
        bins: [{ from: 0.9, to: 0.93, decided: 400, corrected: 2, precision: 0.995, cumulative_decided: 400, cumulative_precision: 0.995 }],
      }),
      'GET /fields/f1': () => ({ id: 'f1', policy: { sensitivity: 'low', mode: 'auto', confidence_threshold: 0.95, evidence_required: true, tags: ['pii'] } }),
      'PUT /fields/f1/policy': () => ({}),
    });
    const { user } = renderApp('/insights');
    await user.selectOptions(await screen.findByLabelText('Agent and field'), 'a1|companies.city');
    expect(await screen.findByText(/right 99.5 % of the time/)).toBeTruthy();
    const apply = await screen.findByRole('button', { name: 'Apply threshold 0.9' });
    await waitFor(() => expect((apply as HTMLButtonElement).disabled).toBe(false));
    await user.click(apply);
    await waitFor(() =>
      expect(api.calls('PUT /fields/f1/policy')[0]?.body).toEqual({ sensitivity: 'low', mode: 'auto', confidence_threshold: 0.9, evidence_required: true, tags: ['pii'] }),
    );
  });

  it('replays a draft and names the field a bad draft gets wrong', async () => {
    const api = routes({
      'POST /insights/what-if': (_req, body) =>
        (body as { threshold?: number }).threshold === 0
          ? problem(400, { code: 'validation_failed', errors: [{ field: 'threshold', message: 'must be a confidence above 0 and at most 1' }] })
          : { proposals: 120, days: 30, truncated: false, actual: { blocked: 2, review: 118, auto: 0, auto_corrected: 0 }, draft: { blocked: 2, review: 20, auto: 98, auto_corrected: 3 } },
    });
    const { user } = renderApp('/insights');
    const panel = within((await screen.findByRole('heading', { name: 'Policy what-if' })).closest('section') as HTMLElement);
    await panel.findByRole('option', { name: 'Closer' });
    await user.selectOptions(panel.getByLabelText('Agent'), 'a1');
    await user.type(panel.getByLabelText('Confidence threshold'), '0');
    await user.click(panel.getByRole('button', { name: 'Replay the last 30 days' }));
    expect(await panel.findByText('must be a confidence above 0 and at most 1')).toBeTruthy();
    await user.clear(panel.getByLabelText('Confidence threshold'));
    await user.selectOptions(panel.getByLabelText('Rollout stage'), 'full');
    await user.click(panel.getByRole('button', { name: 'Replay the last 30 days' }));
    expect(await panel.findByText('120 proposals of the last 30 days replayed.')).toBeTruthy();
    const auto = panel.getByRole('rowheader', { name: 'Auto-applied' }).closest('tr') as HTMLElement;
    expect(within(auto).getByText('98')).toBeTruthy();
    expect(api.calls('POST /insights/what-if')[1].body).toEqual({ agent_id: 'a1', stage: 'full' });
  });
});
