import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SPEC } from '../features/apidocs/specFixture';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

describe('Agent API docs page', () => {
  it('renders each operation from the spec with its body schema, responses and a curl example', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession({ roles: ['viewer'], permissions: ['changelog.read'] }),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /api/agent/openapi.json': () => SPEC,
    });
    const { user, location } = renderApp('/account');
    await user.click(await screen.findByRole('link', { name: 'Agent API docs' }));
    expect(location()).toBe('/docs/agent-api');
    expect(await screen.findByRole('heading', { name: /Countersign agent API/ })).toBeTruthy();
    expect(screen.getByText('The only door.')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Authentication' })).getByText(/Every request carries the agent’s API key/)).toBeTruthy();

    const post = screen.getByRole('article', { name: 'POST /api/agent/v1/proposals' });
    expect(within(post).getByText('Submit 1 to 500 proposed field changes')).toBeTruthy();
    // The body schema with its $refs resolved, two levels deep.
    expect(within(post).getByText('array of ProposalItem (≥ 1, ≤ 500 items)')).toBeTruthy();
    expect(within(post).getByText('confidence')).toBeTruthy();
    expect(within(post).getByText('number 0–1')).toBeTruthy();
    expect(within(post).getByText(/http\(s\) URL\./)).toBeTruthy();
    expect(within(post).getByText('An RFC 9457 problem.')).toBeTruthy();
    expect(within(post).getByText(/Retry-After/)).toBeTruthy();
    const curl = within(post).getByLabelText('curl example for POST /api/agent/v1/proposals').textContent!;
    expect(curl).toContain(`curl -sS -X POST "${window.location.origin}/api/agent/v1/proposals"`);
    expect(curl).toContain('-H "Authorization: Bearer $COUNTERSIGN_AGENT_KEY"');
    expect(curl).toContain('"record_id": "5001"');

    const get = screen.getByRole('article', { name: 'GET /api/agent/v1/proposals/{proposalId}' });
    expect(within(get).getByRole('table', { name: /Parameters of GET/ }).textContent).toContain('proposalId');
    expect(within(get).getByLabelText(/curl example/).textContent).toContain('/api/agent/v1/proposals/<proposalId>');

    const mcp = screen.getByRole('region', { name: 'MCP' });
    for (const tool of ['list_fields', 'propose_changes', 'get_proposal', 'get_feedback']) expect(within(mcp).getByText(tool)).toBeTruthy();
    expect(api.calls('GET /api/agent/openapi.json')).toHaveLength(1);
  });

  it('says so when the spec cannot be loaded', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts: [] }),
      'GET /api/agent/openapi.json': () => problem(404, { code: 'not_found', title: 'Not Found' }),
    });
    renderApp('/docs/agent-api');
    expect(await screen.findByText('Could not load the agent API spec')).toBeTruthy();
  });
});
