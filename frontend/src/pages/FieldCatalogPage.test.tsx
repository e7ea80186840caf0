import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeConnection, makeField, makeFieldDetail, makePolicy, manyFields } from '../test/catalogFixtures';
import { fakeApi, makeSession, problem, type Seen } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const query = (s: Seen) => Object.fromEntries(new URLSearchParams(s.search));
const lastQuery = (calls: Seen[]) => query(calls[calls.length - 1]);

const stage = makeField();
const amount = makeField({ id: 'f2', name: 'amount', label: 'Amount', type: 'currency', options: [] });
const email = makeField({ id: 'f3', object: 'contacts', name: 'email', label: 'Email', type: 'email', options: [], policy: makePolicy({ sensitivity: 'medium', mode: 'auto', tags: ['pii'], decided: true, reason: 'Set by ada@example.com' }) });

function catalogApi(extra: Parameters<typeof fakeApi>[0] = {}, permissions?: string[]) {
  return fakeApi({
    'GET /session': () => makeSession(permissions ? { permissions } : {}),
    'GET /connections': () => ({ connections: [makeConnection(), makeConnection({ id: 'c2', name: 'HubSpot prod', provider: 'hubspot' })] }),
    'GET /fields': () => ({ fields: [stage, amount, email], total: 3 }),
    ...extra,
  });
}

describe('Field catalog', () => {
  it('shows fields with their policy, and marks the undecided ones', async () => {
    catalogApi();
    renderApp('/fields');
    const row = (await screen.findByRole('link', { name: 'Deal stage' })).closest('tr')!;
    expect(within(row).getByText('dealstage')).toBeTruthy();
    expect(within(row).getByText('high')).toBeTruthy();
    expect(within(row).getByText('review')).toBeTruthy();
    expect(within(row).getByText('Needs decision')).toBeTruthy();
    const decided = screen.getByRole('link', { name: 'Email' }).closest('tr')!;
    expect(within(decided).queryByText('Needs decision')).toBeNull();
    expect(screen.getByText('Showing 1–3 of 3')).toBeTruthy();
  });

  it('puts filters into the request and the URL, and starts again on the first page', async () => {
    const api = catalogApi({ 'GET /fields': () => ({ fields: manyFields(100), total: 1234 }) });
    const { user, location } = renderApp('/fields?offset=200');
    await screen.findByText('Showing 201–300 of 1,234');
    expect(lastQuery(api.calls('GET /fields'))).toMatchObject({ offset: '200', limit: '100', sort: 'object' });

    await user.selectOptions(screen.getByLabelText('Sensitivity'), 'critical');
    await waitFor(() => expect(lastQuery(api.calls('GET /fields'))).toMatchObject({ sensitivity: 'critical', offset: '0' }));
    expect(location()).toBe('/fields?sensitivity=critical');

    await user.selectOptions(screen.getByLabelText('Connection'), 'HubSpot prod');
    await user.click(screen.getByLabelText('Needs decision'));
    await user.click(screen.getByLabelText('Show archived'));
    await waitFor(() =>
      expect(lastQuery(api.calls('GET /fields'))).toMatchObject({ sensitivity: 'critical', connection_id: 'c2', needs_decision: 'true', archived: 'true' }),
    );
    expect(new URLSearchParams(location().split('?')[1]).get('connection_id')).toBe('c2');
  });

  it('debounces the search box into one request', async () => {
    const api = catalogApi();
    const { user, location } = renderApp('/fields');
    await screen.findByRole('link', { name: 'Deal stage' });
    await user.type(screen.getByLabelText('Search fields'), 'stage');
    await waitFor(() => expect(lastQuery(api.calls('GET /fields')).q).toBe('stage'));
    expect(api.calls('GET /fields').map((c) => query(c).q)).toEqual([undefined, 'stage']);
    expect(location()).toBe('/fields?q=stage');
  });

  it('reads a shared link: filters from the URL fill the controls and the request', async () => {
    const api = catalogApi();
    renderApp('/fields?mode=blocked&tag=pii&crm_sensitivity=any&object=contacts&q=mail');
    await screen.findByRole('link', { name: 'Deal stage' });
    expect(query(api.calls('GET /fields')[0])).toMatchObject({ mode: 'blocked', tag: 'pii', crm_sensitivity: 'any', object: 'contacts', q: 'mail' });
    expect((screen.getByLabelText('Mode') as HTMLSelectElement).value).toBe('blocked');
    expect((screen.getByLabelText('Search fields') as HTMLInputElement).value).toBe('mail');
    expect((screen.getByLabelText('Object') as HTMLInputElement).value).toBe('contacts');
  });

  it('pages with limit/offset and sorts by a header', async () => {
    const api = catalogApi({
      'GET /fields': (req) => {
        const offset = Number(new URL(req.url).searchParams.get('offset'));
        return { fields: manyFields(offset >= 1200 ? 34 : 100, offset), total: 1234 };
      },
    });
    const { user, location } = renderApp('/fields');
    await screen.findByText('Showing 1–100 of 1,234');
    expect((screen.getAllByRole('button', { name: 'Previous' })[0] as HTMLButtonElement).disabled).toBe(true);

    await user.click(screen.getAllByRole('button', { name: 'Next' })[0]);
    await screen.findByText('Showing 101–200 of 1,234');
    expect(lastQuery(api.calls('GET /fields'))).toMatchObject({ offset: '100', limit: '100' });
    expect(location()).toBe('/fields?offset=100');

    await user.click(screen.getByRole('button', { name: /^Sensitivity/ }));
    await waitFor(() => expect(lastQuery(api.calls('GET /fields'))).toMatchObject({ sort: 'sensitivity', offset: '0' }));
    expect(screen.getByRole('columnheader', { name: /Sensitivity/ }).getAttribute('aria-sort')).toBe('ascending');
    expect(location()).toBe('/fields?sort=sensitivity');
  });

  it('bulk-edits the selected fields and reports how many changed', async () => {
    let page = 0;
    const api = catalogApi({
      'GET /fields': () => ({ fields: [stage, amount, email], total: 3, page: page++ }),
      'POST /fields/bulk-policy': () => ({ updated: 2 }),
    });
    const { user } = renderApp('/fields');
    await screen.findByRole('link', { name: 'Deal stage' });
    await user.click(screen.getByLabelText('Select Deal stage (deals)'));
    await user.click(screen.getByLabelText('Select Amount (deals)'));

    const bar = screen.getByRole('form', { name: 'Bulk edit' });
    expect(within(bar).getByText('2 selected')).toBeTruthy();
    const apply = within(bar).getByRole('button', { name: 'Apply to 2 fields' }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true);
    await user.selectOptions(within(bar).getByLabelText('Mode'), 'two_person');
    await user.click(within(bar).getByRole('button', { name: 'Add tags' }));
    await user.click(within(within(bar).getByRole('group', { name: 'Add tags' })).getByLabelText('commission'));
    await user.click(within(bar).getByRole('button', { name: 'Remove tags' }));
    await user.click(within(within(bar).getByRole('group', { name: 'Remove tags' })).getByLabelText('forecast'));
    await user.click(within(bar).getByLabelText('Mark as decided'));
    await user.click(apply);

    expect(await screen.findByText('Updated 2 fields')).toBeTruthy();
    expect(api.calls('POST /fields/bulk-policy')[0].body).toEqual({
      field_ids: ['f1', 'f2'],
      mode: 'two_person',
      add_tags: ['commission'],
      remove_tags: ['forecast'],
      confirm: true,
    });
    expect(screen.queryByRole('form', { name: 'Bulk edit' })).toBeNull();
    expect((screen.getByLabelText('Select Deal stage (deals)') as HTMLInputElement).checked).toBe(false);
    await waitFor(() => expect(api.calls('GET /fields').length).toBe(2));
  });

  it('selects the whole page from the header and shows bulk field errors', async () => {
    const api = catalogApi({
      'POST /fields/bulk-policy': () =>
        problem(400, { code: 'validation_failed', title: 'Invalid', errors: [{ field: 'sensitivity', message: 'Critical fields cannot be auto' }, { field: 'field_ids[2]', message: 'No such field' }] }),
    });
    const { user } = renderApp('/fields');
    await screen.findByRole('link', { name: 'Deal stage' });
    await user.click(screen.getByLabelText('Select all fields on this page'));
    const bar = screen.getByRole('form', { name: 'Bulk edit' });
    await user.selectOptions(within(bar).getByLabelText('Sensitivity'), 'critical');
    await user.click(within(bar).getByRole('button', { name: 'Apply to 3 fields' }));

    const select = within(bar).getByLabelText('Sensitivity');
    await waitFor(() => expect(select.getAttribute('aria-invalid')).toBe('true'));
    expect(within(bar).getByText('Critical fields cannot be auto')).toBeTruthy();
    expect(within(bar).getByText(/No such field/)).toBeTruthy();
    expect(api.calls('POST /fields/bulk-policy')[0].body).toEqual({ field_ids: ['f1', 'f2', 'f3'], sensitivity: 'critical' });
  });

  it('shows the honest empty state when no CRM is connected', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession(), 'GET /connections': () => ({ connections: [] }) });
    renderApp('/fields');
    expect(await screen.findByRole('heading', { name: 'No CRM connected yet' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Connect a CRM' }).getAttribute('href')).toBe('/fields/connections');
    expect(api.calls('GET /fields')).toHaveLength(0);
  });

  it('offers a retry when the fields fail to load', async () => {
    let fail = true;
    catalogApi({ 'GET /fields': () => (fail ? problem(503, { code: 'unavailable', title: 'Unavailable', detail: 'Database is down' }) : { fields: [stage], total: 1 }) });
    const { user } = renderApp('/fields');
    expect(await screen.findByText('Database is down', {}, { timeout: 3000 })).toBeTruthy();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('link', { name: 'Deal stage' })).toBeTruthy();
  });

  it('is read-only without fields.manage: no checkboxes, no import, no save', async () => {
    catalogApi({ 'GET /fields/f1': () => makeFieldDetail() }, ['fields.read']);
    const { user } = renderApp('/fields');
    await user.click(await screen.findByRole('link', { name: 'Deal stage' }));
    const drawer = await screen.findByRole('dialog', { name: 'Deal stage' });
    expect(await within(drawer).findByText('Where the deal is in the pipeline.')).toBeTruthy();
    expect(within(drawer).queryByRole('button', { name: 'Save policy' })).toBeNull();
    expect(within(drawer).queryByLabelText('Confidence threshold')).toBeNull();
    expect(screen.queryAllByRole('checkbox', { name: /^Select/ })).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Import YAML' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Export YAML' })).toBeTruthy();
  });
});
