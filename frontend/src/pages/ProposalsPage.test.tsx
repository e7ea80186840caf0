import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeAgent, makeProposal, makeProposalDetail } from '../test/agentFixtures';
import { fakeApi, makeSession } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const page = (n: number, from = 0) => Array.from({ length: n }, (_, i) => makeProposal({ id: `p${from + i}`, record_id: String(5000 + from + i) }));
const lastQuery = (api: ReturnType<typeof fakeApi>) => new URLSearchParams(api.calls('GET /proposals').at(-1)!.search);

describe('Proposals page', () => {
  it('puts every filter into the URL and the request, and pages on the server', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents': () => ({ agents: [makeAgent(), makeAgent({ id: 'a2', name: 'Stage mover' })] }),
      'GET /proposals': (req) => {
        const offset = Number(new URL(req.url).searchParams.get('offset') ?? 0);
        return { proposals: page(offset === 0 ? 50 : 20, offset), total: 70 };
      },
    });
    const { user, location } = renderApp('/proposals');
    expect(await screen.findByText('Showing 1–50 of 70')).toBeTruthy();
    expect(Object.fromEntries(lastQuery(api))).toEqual({ limit: '50', offset: '0' });

    const filters = screen.getByRole('search', { name: 'Filter proposals' });
    await user.selectOptions(within(filters).getByLabelText('Agent'), 'Stage mover');
    await user.selectOptions(within(filters).getByLabelText('Status'), 'queued');
    await user.selectOptions(within(filters).getByLabelText('Route'), 'two-person');
    await user.selectOptions(within(filters).getByLabelText('Flag'), 'email domain change');
    await user.type(within(filters).getByLabelText('Object'), 'contacts');
    await user.type(within(filters).getByLabelText('Field'), 'email');
    await waitFor(() => expect(location()).toContain('field=email'));
    const since = within(filters).getByLabelText('Since');
    await user.type(since, '2026-03-05T09:30');

    // The URL and the request are written as the inputs settle: wait for the
    // whole state asserted, not for one parameter of it.
    await waitFor(() =>
      expect(Object.fromEntries(new URLSearchParams(location().split('?')[1]))).toEqual({
        agent_id: 'a2', status: 'queued', route: 'two_person', flag: 'email_domain_change', object: 'contacts', field: 'email', since: '2026-03-05T09:30',
      }),
    );
    await waitFor(() =>
      expect(Object.fromEntries(lastQuery(api))).toEqual({
        agent_id: 'a2', status: 'queued', route: 'two_person', flag: 'email_domain_change', object: 'contacts', field: 'email',
        since: new Date('2026-03-05T09:30').toISOString(), limit: '50', offset: '0',
      }),
    );

    await user.click(screen.getAllByRole('button', { name: 'Next' })[0]);
    await waitFor(() => expect(location()).toContain('offset=50'));
    expect(await screen.findByText('Showing 51–70 of 70')).toBeTruthy();
    expect(lastQuery(api).get('offset')).toBe('50');
    expect(lastQuery(api).get('route')).toBe('two_person');
  });

  it('shows a row compactly: record, old → new, confidence, route, flags and first reason', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents': () => ({ agents: [makeAgent()] }),
      'GET /proposals': () => ({
        proposals: [
          makeProposal({
            object: 'contacts', record_id: '10164', field: 'email', expected_old: null, proposed: 'mei@gmail.com', route: 'blocked', status: 'blocked',
            flags: [{ code: 'email_domain_change', message: 'Email domain would change' }],
            reasons: ['Field contacts.email is blocked for agents: pii', 'Email domain would change'],
          }),
        ],
        total: 1,
      }),
    });
    renderApp('/proposals');
    const row = (await screen.findAllByRole('row'))[1];
    expect(within(row).getByText('contacts ·', { exact: false })).toBeTruthy();
    expect(within(row).getByText('empty')).toBeTruthy();
    expect(within(row).getByText('mei@gmail.com')).toBeTruthy();
    expect(within(row).getByText('91%')).toBeTruthy();
    expect(within(row).getAllByText('blocked')).toHaveLength(2);
    expect(within(row).getByText('email domain change')).toBeTruthy();
    expect(within(row).getByText('Field contacts.email is blocked for agents: pii')).toBeTruthy();
    expect(within(row).getByText('(+1)')).toBeTruthy();
  });

  it('opens a deep-linkable detail with every reason, flags, evidence and the status history', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents': () => ({ agents: [makeAgent()] }),
      'GET /proposals': () => ({ proposals: [makeProposal()], total: 1 }),
      'GET /proposals/p1': () =>
        makeProposalDetail({
          expected_old: null,
          reasons: ['Field deals.dealstage requires human review: pipeline', 'Confidence 0.91 is below the threshold 0.95', 'No active rollout for this agent and field'],
          flags: [{ code: 'close_date_in_past', message: 'closedate would be in the past' }],
          history: [
            { at: '2026-03-05T10:00:00Z', from: 'received', to: 'queued', actor_kind: 'agent', detail: { route: 'review' } },
            { at: '2026-03-05T11:00:00Z', from: 'queued', to: 'superseded', actor_kind: 'system', detail: { superseded_by: 'p9' } },
          ],
        }),
    });
    const { user, location } = renderApp('/proposals?route=review');
    await user.click(await screen.findByRole('row', { name: /dealstage/ }));
    await waitFor(() => expect(location()).toBe('/proposals/p1?route=review'));

    const drawer = await screen.findByRole('dialog', { name: 'deals · 5001 — dealstage' });
    const reasons = await within(drawer).findByRole('list', { name: 'Reasons' });
    expect(within(reasons).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Field deals.dealstage requires human review: pipeline',
      'Confidence 0.91 is below the threshold 0.95',
      'No active rollout for this agent and field',
    ]);
    expect(within(drawer).getByText('closedate would be in the past')).toBeTruthy();
    expect(within(drawer).getByText('empty')).toBeTruthy();
    expect(within(drawer).getByText('presentationscheduled')).toBeTruthy();
    expect(within(drawer).getByText('Demo booked for Thursday per the prospect’s reply.')).toBeTruthy();
    expect(within(drawer).getByRole('link', { name: 'Re: demo' }).getAttribute('href')).toBe('https://mail.example.com/thread/123');
    expect(within(drawer).getByText('Thursday 3pm works')).toBeTruthy();

    const history = within(drawer).getByRole('list', { name: 'Status history' });
    const steps = within(history).getAllByRole('listitem');
    expect(steps).toHaveLength(2);
    expect(steps[0].textContent).toMatch(/received→queued.*by agent/);
    expect(steps[0].textContent).toContain('review');
    expect(steps[1].textContent).toMatch(/queued→superseded.*by system/);
    expect(steps[1].textContent).toContain('p9');

    await user.keyboard('{Escape}');
    await waitFor(() => expect(location()).toBe('/proposals?route=review'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows why a write failed and sends it back for another attempt; an applied one links to its change', async () => {
    let status = 'failed';
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents': () => ({ agents: [makeAgent()] }),
      'GET /proposals': () => ({ proposals: [makeProposal({ status })], total: 1 }),
      'GET /proposals/p1': () =>
        status === 'failed'
          ? makeProposalDetail({ status, apply_error: 'the CRM refused the write: dealstage was not one of the allowed options' })
          : makeProposalDetail({ status: 'applied', applied_seq: 42 }),
      'POST /proposals/p1/retry': () => {
        status = 'applied';
        return new Response(null, { status: 202 });
      },
    });
    const { user } = renderApp('/proposals/p1');
    const drawer = await screen.findByRole('dialog', { name: 'deals · 5001 — dealstage' });
    expect((await within(drawer).findByRole('alert')).textContent).toContain('dealstage was not one of the allowed options');
    await user.click(within(drawer).getByRole('button', { name: 'Retry the write' }));
    expect(api.calls('POST /proposals/p1/retry')).toHaveLength(1);
    const link = await within(drawer).findByRole('link', { name: /change #42/ });
    expect(link.getAttribute('href')).toBe('/changelog?record_id=5001&field=dealstage');
    expect(within(drawer).queryByRole('alert')).toBeNull();
  });

  it('says how proposals arrive when there are none', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents': () => ({ agents: [] }),
      'GET /proposals': () => ({ proposals: [], total: 0 }),
    });
    renderApp('/proposals');
    expect(await screen.findByText(/No proposals yet — agents submit them through the agent API/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Read the agent API docs' }).getAttribute('href')).toBe('/docs/agent-api');
  });

  it('offers the agents seen on the page to a reviewer, who may not list agents', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession({ roles: ['reviewer'], permissions: ['review.work', 'proposals.read', 'fields.read'] }),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /proposals': () => ({ proposals: [makeProposal(), makeProposal({ id: 'p2', agent_id: 'a2', agent_name: 'Stage mover' })], total: 2 }),
    });
    renderApp('/proposals');
    await screen.findByText('Showing 1–2 of 2');
    const agent = screen.getByLabelText('Agent') as HTMLSelectElement;
    expect([...agent.options].map((o) => o.textContent)).toEqual(['All agents', 'Enricher', 'Stage mover']);
    expect(api.calls('GET /agents')).toHaveLength(0);
  });
});
