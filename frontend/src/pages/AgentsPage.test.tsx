import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeAgent, makeAgentDetail } from '../test/agentFixtures';
import { makeConnection } from '../test/catalogFixtures';
import { ALL_PERMISSIONS, fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

describe('Agents page', () => {
  it('lists agents with status, breaker, live keys and cap, each linking to its page', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents': () => ({
        agents: [
          makeAgent(),
          makeAgent({
            id: 'a2',
            name: 'Stage mover',
            status: 'paused',
            paused_reason: 'Wrong stages last week',
            breaker_open: true,
            velocity_cap: 20,
            keys: [{ id: 'k9', name: '', prefix: 'cs_agent_Old000', created_at: '2026-03-01T09:00:00Z', revoked_at: '2026-03-02T09:00:00Z' }],
          }),
        ],
      }),
    });
    renderApp('/agents');
    const table = await screen.findByRole('table', { name: 'Agents' });
    const row = within(table).getByRole('row', { name: /Stage mover/ });
    expect(within(row).getByText('paused')).toBeTruthy();
    expect(within(row).getByText('Wrong stages last week')).toBeTruthy();
    expect(within(row).getByText('Breaker open')).toBeTruthy();
    expect(within(row).getByText('0')).toBeTruthy();
    expect(within(row).getByText('20 records/h')).toBeTruthy();
    expect(within(row).getByRole('link', { name: 'Stage mover' }).getAttribute('href')).toBe('/agents/a2');
    expect(within(within(table).getByRole('row', { name: /Enricher/ })).queryByText('Breaker open')).toBeNull();
  });

  it('explains agents when there are none, and links to the API docs', async () => {
    fakeApi({
      'GET /session': () => makeSession({ permissions: ALL_PERMISSIONS.filter((p) => p !== 'agents.manage') }),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents': () => ({ agents: [] }),
    });
    renderApp('/agents');
    expect(await screen.findByRole('heading', { name: 'No agents yet' })).toBeTruthy();
    expect(screen.getByText(/An agent is a program that proposes CRM changes/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Read the agent API docs' }).getAttribute('href')).toBe('/docs/agent-api');
    expect(screen.queryByRole('form', { name: 'New agent' })).toBeNull();
  });

  it('creates an agent on the only connection, mapping field errors, then opens it', async () => {
    let attempts = 0;
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents': () => ({ agents: [] }),
      'GET /connections': () => ({ connections: [makeConnection()] }),
      'POST /agents': () =>
        ++attempts === 1
          ? problem(400, { code: 'validation_failed', errors: [{ field: 'name', message: 'another agent already has this name' }] })
          : Response.json(makeAgent({ id: 'a9', name: 'Enricher 2' }), { status: 201 }),
      'GET /agents/a9': () => makeAgentDetail({ id: 'a9', name: 'Enricher 2' }),
    });
    const { user, location } = renderApp('/agents');
    const form = await screen.findByRole('form', { name: 'New agent' });
    expect((within(form).getByLabelText('Connection') as HTMLSelectElement).value).toBe('c1');
    expect((within(form).getByLabelText('Velocity cap') as HTMLInputElement).value).toBe('50');
    await user.type(within(form).getByLabelText('Name'), 'Enricher');
    await user.type(within(form).getByLabelText('Description'), 'Firmographics');
    await user.click(within(form).getByRole('button', { name: 'Create agent' }));

    const name = within(form).getByLabelText('Name');
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(name.getAttribute('aria-describedby')!.split(' ')[0])?.textContent).toBe('another agent already has this name');
    expect(api.calls('POST /agents')[0].body).toEqual({ name: 'Enricher', description: 'Firmographics', connection_id: 'c1', velocity_cap: 50 });

    await user.type(name, ' 2');
    await user.click(within(form).getByRole('button', { name: 'Create agent' }));
    await waitFor(() => expect(location()).toBe('/agents/a9'));
    expect(await screen.findByRole('heading', { name: 'Enricher 2' })).toBeTruthy();
  });
});
