import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SandboxRecordDetail } from '../api/client';
import { makeConnection, makeField } from '../test/catalogFixtures';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const dealFields = [
  makeField({ id: 'f1', name: 'dealname', label: 'Deal name', type: 'string', options: [] }),
  makeField({ id: 'f2', name: 'dealstage', label: 'Deal stage' }),
  makeField({ id: 'f3', name: 'amount', label: 'Amount', type: 'currency', options: [] }),
  makeField({ id: 'f4', name: 'hs_object_id', label: 'Record ID', type: 'id', options: [], read_only: true }),
];

const deal: SandboxRecordDetail = {
  id: 'd1',
  object: 'deals',
  values: { dealname: 'Acme renewal', dealstage: 'appointmentscheduled', amount: 12000, hs_object_id: 'd1' },
  history: [
    { field: 'dealstage', value: 'appointmentscheduled', at: '2026-03-01T10:00:00Z', source: 'import', actor: 'seed' },
    { field: 'amount', value: 12000, at: '2026-03-02T10:00:00Z', source: 'api', actor: 'countersign' },
  ],
};

function sandboxApi(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /connections/c1': () => makeConnection(),
    'GET /sandbox/c1/records/deals': (req) =>
      new URL(req.url).searchParams.get('after') === 'cur-2'
        ? { records: [{ id: 'd2', object: 'deals', values: { dealname: 'Globex expansion' } }] }
        : { records: [{ id: 'd1', object: 'deals', values: deal.values }], next: 'cur-2' },
    'GET /sandbox/c1/records/deals/d1': () => deal,
    'GET /fields': () => ({ fields: dealFields, total: dealFields.length }),
    ...extra,
  });
}

describe('Sandbox CRM', () => {
  it('lists records with a cursor and opens one with labels, options and history', async () => {
    const api = sandboxApi();
    const { user, location } = renderApp('/fields/connections/c1/sandbox?object=deals');
    expect(await screen.findByText(/This is the built-in demo CRM/)).toBeTruthy();
    await user.click(await screen.findByRole('link', { name: /Acme renewal/ }));
    expect(location()).toBe('/fields/connections/c1/sandbox?object=deals&record=d1');

    const form = await screen.findByRole('form', { name: 'Record values' });
    expect((within(form).getByLabelText('Deal stage') as HTMLSelectElement).value).toBe('appointmentscheduled');
    expect(within(within(form).getByLabelText('Deal stage')).getByRole('option', { name: 'Closed won' })).toBeTruthy();
    expect((within(form).getByLabelText('Amount') as HTMLInputElement).type).toBe('number');
    expect((within(form).getByLabelText('Record ID') as HTMLInputElement).readOnly).toBe(true);
    expect(api.calls('GET /fields')[0].search).toContain('connection_id=c1');
    expect(api.calls('GET /fields')[0].search).toContain('object=deals');

    const history = screen.getByRole('table', { name: 'Record history' });
    const rows = within(history).getAllByRole('row').slice(1);
    expect(rows[0].textContent).toContain('Amount');
    expect(rows[0].textContent).toContain('api');
    expect(rows[1].textContent).toContain('import');

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('link', { name: /Globex expansion/ })).toBeTruthy();
    expect(new URLSearchParams(api.calls('GET /sandbox/c1/records/deals')[1].search).get('after')).toBe('cur-2');
  });

  it('saves only the changed values as a CRM user', async () => {
    const api = sandboxApi({
      'PATCH /sandbox/c1/records/deals/d1': (_r, body) => ({
        ...deal,
        values: { ...deal.values, ...(body as { values: object }).values },
        history: [...deal.history, { field: 'dealstage', value: 'closedwon', at: '2026-03-06T10:00:00Z', source: 'human', actor: 'ada@example.com' }],
      }),
    });
    const { user } = renderApp('/fields/connections/c1/sandbox?object=deals&record=d1');
    const form = await screen.findByRole('form', { name: 'Record values' });
    const save = within(form).getByRole('button', { name: 'Save as a CRM user' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await user.selectOptions(within(form).getByLabelText('Deal stage'), 'closedwon');
    const amount = within(form).getByLabelText('Amount');
    await user.clear(amount);
    await user.type(amount, '15000');
    await user.click(save);

    expect(await screen.findByText('Saved 2 values as a CRM user.')).toBeTruthy();
    expect(api.calls('PATCH /sandbox/c1/records/deals/d1')[0].body).toEqual({ values: { dealstage: 'closedwon', amount: 15000 } });
    const history = screen.getByRole('table', { name: 'Record history' });
    await waitFor(() => expect(within(history).getAllByRole('row')[1].textContent).toContain('human'));
  });

  it('clears a value with null and maps values.x errors onto that input', async () => {
    const api = sandboxApi({
      'PATCH /sandbox/c1/records/deals/d1': () =>
        problem(400, { code: 'validation_failed', title: 'Invalid', errors: [{ field: 'values.dealname', message: 'A deal needs a name' }] }),
    });
    const { user } = renderApp('/fields/connections/c1/sandbox?object=deals&record=d1');
    const form = await screen.findByRole('form', { name: 'Record values' });
    await user.clear(within(form).getByLabelText('Deal name'));
    await user.click(within(form).getByRole('button', { name: 'Save as a CRM user' }));

    const name = within(form).getByLabelText('Deal name');
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    expect(name.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)?.textContent)).toContain('A deal needs a name');
    expect(api.calls('PATCH /sandbox/c1/records/deals/d1')[0].body).toEqual({ values: { dealname: null } });
  });

  it('is refused without sandbox.edit', async () => {
    const api = sandboxApi({ 'GET /session': () => makeSession({ permissions: ['fields.read', 'fields.manage'] }) });
    renderApp('/fields/connections/c1/sandbox');
    expect(await screen.findByRole('heading', { name: "You don't have access to this page" })).toBeTruthy();
    expect(api.seen.filter((s) => s.path.startsWith('/sandbox'))).toHaveLength(0);
  });
});
