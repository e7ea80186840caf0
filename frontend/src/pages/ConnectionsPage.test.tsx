import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Connection, CreateConnectionRequest } from '../api/client';
import { makeConnection, makeRun } from '../test/catalogFixtures';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const cardOf = (name: string) => screen.getByRole('article', { name });

describe('Connections', () => {
  it('adds a Salesforce connection with its credentials, then only ever shows masks', async () => {
    const connections: Connection[] = [];
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /connections': () => ({ connections }),
      'POST /connections': (_r, body) => {
        const b = body as CreateConnectionRequest;
        const c = makeConnection({
          id: 'c9',
          name: b.name,
          provider: b.provider,
          status: 'new',
          field_count: 0,
          needs_decision: 0,
          last_synced_at: undefined,
          sync_interval_minutes: b.sync_interval_minutes ?? 0,
          credentials: { client_id: '••••t-id', client_secret: '••••cret', refresh_token: '••••oken' },
        });
        connections.push(c);
        return Response.json(c, { status: 201 });
      },
    });
    const { user } = renderApp('/fields/connections');
    const form = await screen.findByRole('form', { name: 'Add connection' });
    await user.type(within(form).getByLabelText('Name'), 'Salesforce prod');
    await user.selectOptions(within(form).getByLabelText('Provider'), 'Salesforce');
    expect(within(form).queryByLabelText('Private app access token')).toBeNull();
    for (const label of ['Client ID', 'Client secret', 'Refresh token']) {
      expect((within(form).getByLabelText(label) as HTMLInputElement).type).toBe('password');
    }
    await user.type(within(form).getByLabelText('Client ID'), 'sf-client-id');
    await user.type(within(form).getByLabelText('Client secret'), 'sf-super-secret');
    await user.type(within(form).getByLabelText('Refresh token'), 'sf-refresh-token');
    await user.selectOptions(within(form).getByLabelText('Sync every'), '6 h');
    await user.click(within(form).getByRole('button', { name: 'Save connection' }));

    const card = await screen.findByRole('article', { name: 'Salesforce prod' });
    expect(api.calls('POST /connections')[0].body).toEqual({
      name: 'Salesforce prod',
      provider: 'salesforce',
      sync_interval_minutes: 360,
      credentials: { client_id: 'sf-client-id', client_secret: 'sf-super-secret', refresh_token: 'sf-refresh-token' },
    });
    expect(within(card).getByText('••••cret')).toBeTruthy();
    expect(within(card).getByText('Every 6 h')).toBeTruthy();
    // The secrets are gone from the page: not in text, not in any input.
    const inputs = [...document.querySelectorAll('input')].map((i) => i.value);
    for (const secret of ['sf-super-secret', 'sf-refresh-token', 'sf-client-id']) {
      expect(document.body.textContent).not.toContain(secret);
      expect(inputs).not.toContain(secret);
    }
    expect(screen.queryByRole('form', { name: 'Add connection' })).toBeNull();
  });

  it('sends a HubSpot token as access_token and shows its field error on that input', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /connections': () => ({ connections: [] }),
      'POST /connections': () =>
        problem(400, { code: 'validation_failed', title: 'Invalid', errors: [{ field: 'credentials.access_token', message: 'HubSpot rejected this token' }] }),
    });
    const { user } = renderApp('/fields/connections');
    const form = await screen.findByRole('form', { name: 'Add connection' });
    await user.type(within(form).getByLabelText('Name'), 'HubSpot');
    await user.selectOptions(within(form).getByLabelText('Provider'), 'HubSpot');
    await user.type(within(form).getByLabelText('Private app access token'), 'pat-na1-123');
    await user.type(within(form).getByLabelText('API base URL (optional)'), 'https://api.hubapi.example');
    await user.click(within(form).getByRole('button', { name: 'Save connection' }));

    const token = within(form).getByLabelText('Private app access token');
    await waitFor(() => expect(token.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(token.getAttribute('aria-describedby')!)?.textContent).toBe('HubSpot rejected this token');
    expect(api.calls('POST /connections')[0].body).toEqual({
      name: 'HubSpot',
      provider: 'hubspot',
      base_url: 'https://api.hubapi.example',
      sync_interval_minutes: 60,
      credentials: { access_token: 'pat-na1-123' },
    });
  });

  it('needs no credentials for the sandbox and refuses a missing Pipedrive token locally', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession(), 'GET /connections': () => ({ connections: [] }) });
    const { user } = renderApp('/fields/connections');
    const form = await screen.findByRole('form', { name: 'Add connection' });
    expect(within(form).queryByLabelText(/token|secret/i)).toBeNull();
    await user.type(within(form).getByLabelText('Name'), 'Pipedrive');
    await user.selectOptions(within(form).getByLabelText('Provider'), 'Pipedrive');
    await user.click(within(form).getByRole('button', { name: 'Save connection' }));
    expect(await within(form).findByText('API token is required.')).toBeTruthy();
    expect(api.calls('POST /connections')).toHaveLength(0);
  });

  it('syncs now: polls the run, shows progress, then the summary with a link to the undecided fields', async () => {
    let polls = 0;
    const running = makeRun({ status: 'running', progress: { objects_done: 2, objects_total: 4, fields_seen: 312, current_object: 'deals' } });
    const done = makeRun({
      status: 'succeeded',
      progress: { objects_done: 4, objects_total: 4, fields_seen: 640 },
      summary: { new: 12, changed: 3, archived: 1, restored: 0, unchanged: 624, needs_decision: 9 },
    });
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /connections': () => ({ connections: [makeConnection()] }),
      'POST /connections/c1/syncs': () => Response.json(makeRun(), { status: 202 }),
      'GET /sync-runs/r1': () => (++polls < 2 ? running : done),
    });
    const { user } = renderApp('/fields/connections');
    await user.click(await screen.findByRole('button', { name: 'Sync now' }));

    expect(await screen.findByText('Syncing deals… 2 of 4 objects, 312 fields')).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: 'Sync progress' }).getAttribute('aria-valuenow')).toBe('2');
    const summary = await screen.findByText(/12 new · 3 changed · 1 archived · 0 restored · 624 unchanged/, {}, { timeout: 4000 });
    const link = within(summary).getByRole('link', { name: '9 fields need a sensitivity decision' });
    expect(link.getAttribute('href')).toBe('/fields?connection_id=c1&needs_decision=true');
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(api.calls('GET /sync-runs/r1')).toHaveLength(2);
    // The finished sync refreshes the connection's counts.
    await waitFor(() => expect(api.calls('GET /connections').length).toBeGreaterThan(1));
  });

  it('tests a connection and shows the outcome', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /connections': () => ({ connections: [makeConnection(), makeConnection({ id: 'c2', name: 'HubSpot', provider: 'hubspot', status: 'error', last_error: 'Token expired' })] }),
      'POST /connections/c1/test': () => ({ ok: true, message: 'Reached the sandbox CRM', objects: ['contacts', 'companies', 'deals', 'tickets'] }),
      'POST /connections/c2/test': () => ({ ok: false, message: 'HubSpot answered 401: the token was rejected' }),
    });
    const { user } = renderApp('/fields/connections');
    await screen.findByRole('article', { name: 'Demo sandbox' });
    expect(within(cardOf('HubSpot')).getByText('Token expired')).toBeTruthy();
    await user.click(within(cardOf('Demo sandbox')).getByRole('button', { name: 'Test connection' }));
    expect(await within(cardOf('Demo sandbox')).findByText('Connection OK — Reached the sandbox CRM')).toBeTruthy();
    expect(within(cardOf('Demo sandbox')).getByText('Objects: contacts, companies, deals, tickets')).toBeTruthy();
    await user.click(within(cardOf('HubSpot')).getByRole('button', { name: 'Test connection' }));
    expect(await within(cardOf('HubSpot')).findByText('Connection failed: HubSpot answered 401: the token was rejected')).toBeTruthy();
  });

  it('replaces credentials with a PATCH and never shows the old ones', async () => {
    const hub = makeConnection({ id: 'c2', name: 'HubSpot', provider: 'hubspot', credentials: { access_token: '••••a1b2' } });
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /connections': () => ({ connections: [hub] }),
      'PATCH /connections/c2': () => ({ ...hub, credentials: { access_token: '••••9z9z' } }),
    });
    const { user } = renderApp('/fields/connections');
    const card = await screen.findByRole('article', { name: 'HubSpot' });
    expect(within(card).getByText('••••a1b2')).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Replace credentials' }));
    const token = within(card).getByLabelText('Private app access token') as HTMLInputElement;
    expect(token.value).toBe('');
    await user.type(token, 'pat-new-9z9z');
    await user.click(within(card).getByRole('button', { name: 'Save credentials' }));
    expect(await within(card).findByText('Credentials replaced.')).toBeTruthy();
    expect(api.calls('PATCH /connections/c2')[0].body).toEqual({ credentials: { access_token: 'pat-new-9z9z' } });
    expect(document.body.textContent).not.toContain('pat-new-9z9z');
    const values = Array.from(document.querySelectorAll('input, textarea')).map((e) => (e as HTMLInputElement).value);
    expect(values.join('\n')).not.toContain('pat-new-9z9z');
  });

  it('is read-only without fields.manage, with the decisions link and no sandbox editor', async () => {
    fakeApi({
      'GET /session': () => makeSession({ permissions: ['fields.read'] }),
      'GET /connections': () => ({ connections: [makeConnection({ last_run: makeRun({ status: 'succeeded', summary: { new: 1, changed: 0, archived: 0, restored: 0, unchanged: 5, needs_decision: 9 } }) })] }),
    });
    renderApp('/fields/connections');
    const card = await screen.findByRole('article', { name: 'Demo sandbox' });
    expect(within(card).getByRole('link', { name: '9 need a decision' }).getAttribute('href')).toBe('/fields?connection_id=c1&needs_decision=true');
    expect(within(card).getByText(/1 new · 0 changed/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add connection' })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Add connection' })).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Sync now' })).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Test connection' })).toBeNull();
    expect(within(card).queryByRole('link', { name: 'Open sandbox CRM' })).toBeNull();
  });

  it('links a sandbox connection to its CRM editor for sandbox.edit', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /connections': () => ({ connections: [makeConnection(), makeConnection({ id: 'c2', name: 'HubSpot', provider: 'hubspot' })] }),
    });
    renderApp('/fields/connections');
    const link = await within(await screen.findByRole('article', { name: 'Demo sandbox' })).findByRole('link', { name: 'Open sandbox CRM' });
    expect(link.getAttribute('href')).toBe('/fields/connections/c1/sandbox');
    expect(within(cardOf('HubSpot')).queryByRole('link', { name: 'Open sandbox CRM' })).toBeNull();
  });
});
