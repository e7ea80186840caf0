import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeConnection, makeField, makeFieldDetail, makePolicy } from '../../test/catalogFixtures';
import { fakeApi, makeSession, problem } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

const detail = makeFieldDetail({
  policy_history: [
    { at: '2026-03-01T10:00:00Z', actor_email: '', source: 'default', after: makePolicy() },
    {
      at: '2026-03-04T10:00:00Z',
      actor_email: 'ada@example.com',
      source: 'console',
      before: makePolicy(),
      after: makePolicy({ mode: 'two_person', decided: true, reason: 'Set by ada@example.com' }),
    },
  ],
  definition_history: [
    { at: '2026-03-01T10:00:00Z', change: 'new', detail: {} },
    { at: '2026-03-03T10:00:00Z', change: 'changed', detail: { label: { before: 'Stage', after: 'Deal stage' } } },
  ],
});

function drawerApi(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /connections': () => ({ connections: [makeConnection()] }),
    'GET /fields': () => ({ fields: [makeField()], total: 1 }),
    'GET /fields/f1': () => detail,
    ...extra,
  });
}

describe('Field drawer', () => {
  it('opens from the row, deep-links with ?field= and closes with Esc', async () => {
    drawerApi();
    const { user, location } = renderApp('/fields?mode=review');
    await user.click(await screen.findByRole('link', { name: 'Deal stage' }));
    const drawer = await screen.findByRole('dialog', { name: 'Deal stage' });
    expect(location()).toBe('/fields?mode=review&field=f1');
    expect(within(drawer).getByText('deals · Demo sandbox')).toBeTruthy();
    expect(await within(drawer).findByText('Default: high/review — drives pipeline and forecasting.')).toBeTruthy();
    expect(within(drawer).getAllByText('Needs decision').length).toBeGreaterThan(0);

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(location()).toBe('/fields?mode=review');
  });

  it('shows CRM metadata and both histories, newest first, with only what changed', async () => {
    drawerApi();
    renderApp('/fields?field=f1');
    const drawer = await screen.findByRole('dialog', { name: 'Deal stage' });
    await within(drawer).findByText('Where the deal is in the pipeline.');
    expect(within(drawer).getByText('enumeration/select', { exact: false })).toBeTruthy();
    expect(within(drawer).getByText('Closed won')).toBeTruthy();

    const policy = within(drawer).getByRole('list', { name: 'Policy history' });
    const entries = within(policy).getAllByRole('listitem');
    expect(entries[0].textContent).toContain('ada@example.com');
    expect(entries[0].textContent).toContain('mode:review→ changed to two-person');
    expect(entries[0].textContent).toContain('decided:no→ changed to yes');
    expect(entries[0].textContent).not.toContain('sensitivity');
    expect(entries[1].textContent).toContain('system default');

    const definitions = within(drawer).getByRole('list', { name: 'Definition history' });
    const defs = within(definitions).getAllByRole('listitem');
    expect(defs[0].textContent).toContain('changed');
    expect(defs[0].textContent).toContain('label:Stage→ changed to Deal stage');
    expect(defs[1].textContent).toContain('new');
  });

  it('saves the policy with PUT and refreshes the field', async () => {
    const api = drawerApi({ 'PUT /fields/f1/policy': (_r, body) => makeField({ policy: makePolicy({ ...(body as object), decided: true }) }) });
    const { user } = renderApp('/fields?field=f1');
    const drawer = await screen.findByRole('dialog', { name: 'Deal stage' });
    const form = await within(drawer).findByRole('form', { name: 'Policy' });
    await user.selectOptions(within(form).getByLabelText('Sensitivity'), 'critical');
    await user.selectOptions(within(form).getByLabelText('Mode'), 'two_person');
    const threshold = within(form).getByLabelText('Confidence threshold');
    await user.clear(threshold);
    await user.type(threshold, '0.9');
    await user.type(within(form).getByLabelText('SLA override (minutes)'), '120');
    await user.click(within(form).getByLabelText('Evidence required'));
    await user.click(within(within(form).getByRole('group', { name: 'Tags' })).getByLabelText('forecast'));
    await user.click(within(form).getByRole('button', { name: 'Save policy' }));

    expect(await within(drawer).findByText('Policy saved.')).toBeTruthy();
    const put = api.calls('PUT /fields/f1/policy')[0];
    expect(put.body).toEqual({ sensitivity: 'critical', mode: 'two_person', confidence_threshold: 0.9, evidence_required: true, sla_minutes: 120, tags: ['pipeline'] });
    expect(put.headers.get('X-CSRF-Token')).toBe('csrf-123');
    await waitFor(() => expect(api.calls('GET /fields/f1').length).toBe(2));
  });

  it('shows server field errors on the matching inputs', async () => {
    const api = drawerApi({
      'PUT /fields/f1/policy': () =>
        problem(400, { code: 'validation_failed', title: 'Invalid', errors: [{ field: 'mode', message: 'Critical fields cannot be auto-applied' }] }),
    });
    const { user } = renderApp('/fields?field=f1');
    const form = await screen.findByRole('form', { name: 'Policy' });
    await user.selectOptions(within(form).getByLabelText('Mode'), 'auto');
    await user.click(within(form).getByRole('button', { name: 'Save policy' }));
    const mode = within(form).getByLabelText('Mode');
    await waitFor(() => expect(mode.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(mode.getAttribute('aria-describedby')!)?.textContent).toBe('Critical fields cannot be auto-applied');
    expect(api.calls('PUT /fields/f1/policy')).toHaveLength(1);
  });

  it('refuses a threshold outside 0–1 without asking the server', async () => {
    const api = drawerApi();
    const { user } = renderApp('/fields?field=f1');
    const form = await screen.findByRole('form', { name: 'Policy' });
    const threshold = within(form).getByLabelText('Confidence threshold');
    await user.clear(threshold);
    await user.type(threshold, '1.5');
    await user.click(within(form).getByRole('button', { name: 'Save policy' }));
    expect(await within(form).findByText('Enter a number from 0 to 1.')).toBeTruthy();
    expect(api.calls('PUT /fields/f1/policy')).toHaveLength(0);
  });
});
