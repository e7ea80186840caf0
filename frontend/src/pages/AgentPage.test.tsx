import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AgentDetail, AgentInput, AgentKey } from '../api/client';
import { makeAgentDetail, makeAlert } from '../test/agentFixtures';
import { ALL_PERMISSIONS, fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const SECRET = 'cs_agent_Zz99YyQ7pL2mN8vB4xK1rT6wE3sA0dF5gH9jC';

/** A fake agent a1 whose PATCHes and keys stick, like the server's. */
function agentServer(initial: AgentDetail = makeAgentDetail()) {
  let agent = initial;
  const api = fakeApi({
    'GET /session': () => makeSession(),
    'GET /alerts': () => ({ alerts: [] }),
    'GET /agents/a1': () => agent,
    'PATCH /agents/a1': (_r, body) => {
      agent = { ...agent, ...(body as AgentInput) } as AgentDetail;
      // The server signs webhook deliveries with a secret it makes up.
      if (agent.webhook_url && !agent.webhook_secret) agent.webhook_secret = 'whsec_0123456789';
      return agent;
    },
    'POST /agents/a1/keys': (_r, body) => {
      const key: AgentKey = { id: 'k2', name: (body as { name?: string }).name ?? '', prefix: SECRET.slice(0, 15), created_at: '2026-03-06T09:00:00Z' };
      agent = { ...agent, keys: [...agent.keys, key] };
      return Response.json({ ...key, secret: SECRET }, { status: 201 });
    },
    'DELETE /agents/a1/keys/k1': () => {
      agent = { ...agent, keys: agent.keys.map((k) => (k.id === 'k1' ? { ...k, revoked_at: '2026-03-06T09:00:00Z' } : k)) };
      return undefined;
    },
  });
  return { api, current: () => agent };
}

const section = (name: string) => screen.getByRole('region', { name });

describe('Agent page', () => {
  it('shows a new key once, then only its prefix', async () => {
    const { api } = agentServer();
    const { user, queryClient } = renderApp('/agents/a1');
    await screen.findByRole('heading', { name: 'Enricher' });
    await user.click(within(section('API keys')).getByRole('button', { name: 'Create key' }));
    const form = screen.getByRole('dialog', { name: 'Create a key for Enricher' });
    await user.type(within(form).getByLabelText('Key name (optional)'), 'ci');
    await user.click(within(form).getByRole('button', { name: 'Create key' }));

    const shown = await screen.findByRole('dialog', { name: 'API key created' });
    expect((within(shown).getByLabelText('New API key') as HTMLInputElement).value).toBe(SECRET);
    expect((within(shown).getByLabelText('New API key') as HTMLInputElement).readOnly).toBe(true);
    expect(within(shown).getByText('Copy it now: it will not be shown again')).toBeTruthy();
    expect(within(shown).getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(api.calls('POST /agents/a1/keys')[0].body).toEqual({ name: 'ci' });

    await user.click(within(shown).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    const keys = within(section('API keys')).getByRole('table', { name: 'API keys' });
    expect(await within(keys).findByText(`${SECRET.slice(0, 15)}…`)).toBeTruthy();
    const secretOnPage = () => document.body.textContent!.includes(SECRET) || [...document.querySelectorAll('input')].some((i) => i.value === SECRET);
    expect(secretOnPage()).toBe(false);
    // nor is it kept in memory: the mutation that carried it is dropped once nothing watches it
    await waitFor(() => expect(JSON.stringify(queryClient.getMutationCache().getAll().map((m) => m.state.data))).not.toContain(SECRET));

    // Opening the dialog again starts afresh: the secret is gone for good.
    await user.click(within(section('API keys')).getByRole('button', { name: 'Create key' }));
    expect(screen.getByRole('dialog', { name: 'Create a key for Enricher' })).toBeTruthy();
    expect(secretOnPage()).toBe(false);
  });

  it('revokes a key after confirming', async () => {
    const { api } = agentServer();
    const { user } = renderApp('/agents/a1');
    await user.click(await screen.findByRole('button', { name: 'Revoke key cs_agent_Ab12Cd' }));
    const confirm = screen.getByRole('dialog', { name: 'Revoke key cs_agent_Ab12Cd…?' });
    await user.click(within(confirm).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.calls('DELETE /agents/a1/keys/k1')).toHaveLength(1);
    expect(await within(section('API keys')).findByText(/^revoked/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Revoke key cs_agent_Ab12Cd' })).toBeNull();
  });

  it('refuses to pause without a reason, then pauses with one', async () => {
    const { api } = agentServer();
    const { user } = renderApp('/agents/a1');
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    const dialog = screen.getByRole('dialog', { name: 'Pause Enricher' });
    await user.type(within(dialog).getByLabelText('Reason'), '   ');
    await user.click(within(dialog).getByRole('button', { name: 'Pause agent' }));
    const reason = within(dialog).getByLabelText('Reason');
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    expect(within(dialog).getByText(/Say why the agent is paused/)).toBeTruthy();
    expect(api.calls('PATCH /agents/a1')).toHaveLength(0);

    await user.clear(reason);
    await user.type(reason, 'Proposed wrong deal stages');
    await user.click(within(dialog).getByRole('button', { name: 'Pause agent' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.calls('PATCH /agents/a1')[0].body).toEqual({ status: 'paused', paused_reason: 'Proposed wrong deal stages' });
    expect(await screen.findByRole('button', { name: 'Resume' })).toBeTruthy();
    expect(screen.getAllByText(/Proposed wrong deal stages/).length).toBeGreaterThan(0);
  });

  it("shows the server's paused_reason error on the Reason input", async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents/a1': () => makeAgentDetail(),
      'PATCH /agents/a1': () => problem(400, { code: 'validation_failed', errors: [{ field: 'paused_reason', message: 'say why the agent is paused' }] }),
    });
    const { user } = renderApp('/agents/a1');
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    const dialog = screen.getByRole('dialog', { name: 'Pause Enricher' });
    await user.type(within(dialog).getByLabelText('Reason'), 'x');
    await user.click(within(dialog).getByRole('button', { name: 'Pause agent' }));
    const reason = within(dialog).getByLabelText('Reason');
    await waitFor(() => expect(reason.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(reason.getAttribute('aria-describedby')!)?.textContent).toBe('say why the agent is paused');
  });

  it('saves edited scopes as a whole', async () => {
    const { api } = agentServer();
    const { user } = renderApp('/agents/a1');
    await screen.findByRole('heading', { name: 'Enricher' });
    const scopes = section('Scopes');
    await user.click(within(scopes).getByRole('button', { name: 'Add scope' }));
    const row = within(scopes).getByRole('listitem', { name: 'Scope 2' });
    await user.type(within(row).getByLabelText('Object'), 'deals');
    await user.clear(within(row).getByLabelText('Field'));
    await user.type(within(row).getByLabelText('Field'), 'dealstage');
    await user.click(within(row).getByLabelText('append'));
    await user.click(within(within(scopes).getByRole('listitem', { name: 'Scope 1' })).getByLabelText('clear'));
    await user.click(within(scopes).getByRole('button', { name: 'Save scopes' }));

    await waitFor(() => expect(api.calls('PATCH /agents/a1')).toHaveLength(1));
    expect(api.calls('PATCH /agents/a1')[0].body).toEqual({
      scopes: [
        { object: '*', field: '*', operations: ['set'] },
        { object: 'deals', field: 'dealstage', operations: ['set', 'append'] },
      ],
    });
    expect(await within(scopes).findByText('Scopes saved.')).toBeTruthy();
  });

  it('saves caps, per-field caps and the webhook', async () => {
    const { api } = agentServer();
    const { user } = renderApp('/agents/a1');
    const form = await screen.findByRole('form', { name: 'Agent settings' });
    await user.clear(within(form).getByLabelText('Velocity cap'));
    await user.type(within(form).getByLabelText('Velocity cap'), '20');
    await user.click(within(form).getByRole('button', { name: 'Add field cap' }));
    await user.type(within(form).getByLabelText('Field 1'), 'deals.amount');
    await user.clear(within(form).getByLabelText('Cap 1'));
    await user.type(within(form).getByLabelText('Cap 1'), '5');
    await user.type(within(form).getByLabelText('Webhook URL'), 'https://hooks.example.com/cs');
    await user.click(within(form).getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(api.calls('PATCH /agents/a1')).toHaveLength(1));
    expect(api.calls('PATCH /agents/a1')[0].body).toMatchObject({
      velocity_cap: 20,
      hard_cap_multiplier: 10,
      field_caps: { 'deals.amount': 5 },
      webhook_url: 'https://hooks.example.com/cs',
    });
    expect(((await within(form).findByLabelText('Webhook signing secret')) as HTMLInputElement).value).toBe('whsec_0123456789');
  });

  it('resets a tripped breaker and acknowledges its alert', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [makeAlert()] }),
      'GET /agents/a1': () => makeAgentDetail({ breaker_open: true, breaker_tripped_at: '2026-03-05T10:00:00Z' }),
      'POST /agents/a1/breaker/reset': () => makeAgentDetail(),
      'POST /alerts/al1/acknowledge': () => undefined,
    });
    const { user } = renderApp('/agents/a1');
    expect(await screen.findByText(/Velocity breaker open since/)).toBeTruthy();
    await screen.findByRole('button', { name: 'Acknowledge' });
    await user.click(screen.getByRole('button', { name: 'Reset breaker' }));
    await waitFor(() => expect(api.calls('POST /agents/a1/breaker/reset')).toHaveLength(1));
    await waitFor(() => expect(api.calls('POST /alerts/al1/acknowledge')).toHaveLength(1));
  });

  it('is read-only with agents.read alone', async () => {
    fakeApi({
      'GET /session': () => makeSession({ roles: ['compliance'], permissions: ALL_PERMISSIONS.filter((p) => !p.endsWith('.manage')) }),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /agents/a1': () => makeAgentDetail({ field_caps: { 'deals.amount': 5 } }),
    });
    renderApp('/agents/a1');
    await screen.findByRole('heading', { name: 'Enricher' });
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Create key' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Revoke/ })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Agent settings' })).toBeNull();
    expect(within(section('Scopes')).getByRole('table', { name: 'Scopes' })).toBeTruthy();
    expect(screen.getByText('deals.amount')).toBeTruthy();
    // Activity is for everyone who may see the agent.
    expect(within(section('Activity')).getByText('contacts.utm_source').closest('a')?.getAttribute('href')).toBe(
      '/proposals?agent_id=a1&status=blocked&object=contacts&field=utm_source',
    );
  });
});
