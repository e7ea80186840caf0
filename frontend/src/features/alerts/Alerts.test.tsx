import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../api/client';
import { makeAlert } from '../../test/agentFixtures';
import { fakeApi, makeSession } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

describe('Alerts', () => {
  it('shows a banner for an open critical alert; Acknowledge calls the API and clears it', async () => {
    let alerts: Alert[] = [makeAlert()];
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /alerts': () => ({ alerts }),
      'POST /alerts/al1/acknowledge': () => {
        alerts = [];
        return undefined;
      },
    });
    const { user } = renderApp('/account');
    const title = await screen.findByText('Velocity breaker tripped for agent Enricher');
    const box = title.closest('[role="alert"]') as HTMLElement;
    expect(box).toBeTruthy();
    expect(within(box).getByRole('link', { name: 'review its proposals' }).getAttribute('href')).toBe('/proposals?agent_id=a1');
    expect(within(box).getByRole('link', { name: 'reset the breaker' }).getAttribute('href')).toBe('/agents/a1');
    expect(within(screen.getByRole('button', { name: 'Alerts' })).getByText('1')).toBeTruthy();

    await user.click(within(box).getByRole('button', { name: 'Acknowledge' }));
    await waitFor(() => expect(screen.queryByText('Velocity breaker tripped for agent Enricher')).toBeNull());
    expect(api.calls('POST /alerts/al1/acknowledge')).toHaveLength(1);
    expect(api.calls('POST /alerts/al1/acknowledge')[0].headers.get('X-CSRF-Token')).toBe('csrf-123');
    expect(within(screen.getByRole('button', { name: 'Alerts' })).queryByText('1')).toBeNull();
  });

  it('lists alerts in the bell panel; without agents.manage nobody may acknowledge', async () => {
    fakeApi({
      'GET /session': () => makeSession({ roles: ['reviewer'], permissions: ['review.work', 'proposals.read'] }),
      'GET /alerts': () => ({ alerts: [makeAlert({ id: 'al2', severity: 'warning', title: 'Sync is slow' }), makeAlert()] }),
    });
    const { user } = renderApp('/account');
    const bell = await screen.findByRole('button', { name: 'Alerts' });
    await waitFor(() => expect(within(bell).getByText('2')).toBeTruthy());
    // Only the critical one gets a banner, and a reviewer cannot open agents.
    const banner = screen.getByText('Velocity breaker tripped for agent Enricher', { selector: '[role="alert"] span' }).closest('[role="alert"]') as HTMLElement;
    expect(within(banner).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
    expect(within(banner).queryByRole('link', { name: /reset the breaker|see the agent/ })).toBeNull();
    expect(within(banner).getByRole('link', { name: 'review its proposals' })).toBeTruthy();

    await user.click(bell);
    const panel = screen.getByRole('region', { name: 'Open alerts' });
    expect(within(panel).getByText('Sync is slow')).toBeTruthy();
    expect(within(panel).getByText('warning')).toBeTruthy();
    expect(within(panel).getByText('critical')).toBeTruthy();
    expect(within(panel).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Open alerts' })).toBeNull();
  });
});
