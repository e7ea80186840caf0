import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Audit, Export, ExportSchedule } from '../api/reports';
import { makeAgent } from '../test/agentFixtures';
import { fakeApi, json, makeSession, noContent, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';
import { lastMonth, makeAudit, makeAuditDetail, makeExport, makeRunningExport, makeSchedule } from '../test/reportsFixtures';

const entry = (seq: number, action: string, target: string, detail: object = {}) => ({
  seq, at: '2026-03-01T10:00:00Z', action, actor_email: 'ada@example.com', target, detail,
});

describe('ReportsPage', () => {
  it('lists the audit trail and loads older entries with the cursor', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /audit': (req) =>
        new URL(req.url).searchParams.get('cursor') === 'c41'
          ? { entries: [entry(41, 'invite.created', 'old@example.com')] }
          : { entries: [entry(42, 'member.roles_changed', 'rex@example.com', { before: { roles: ['viewer'] }, after: { roles: ['admin'] } })], next_cursor: 'c41' },
    });
    const { user } = renderApp('/reports');
    expect(await screen.findByRole('heading', { name: 'Admin audit trail' })).toBeTruthy();
    expect(await screen.findByText('member.roles_changed')).toBeTruthy();
    expect(screen.getByText('viewer')).toBeTruthy();
    expect(screen.getByText('admin')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('old@example.com')).toBeTruthy();
    expect(api.calls('GET /audit')[1].search).toContain('cursor=c41');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull());
    expect(screen.getByText('rex@example.com')).toBeTruthy();
  });

  it('sends the filters with the request and with the next page, and says when nothing matches', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /audit': (req) => {
        const q = new URL(req.url).searchParams;
        if (!q.get('actor')) return { entries: [entry(50, 'auth.signed_in', 'ada@example.com')] };
        if (q.get('actor') === 'nobody') return { entries: [] };
        return q.get('cursor') === 'next'
          ? { entries: [entry(7, 'policy.changed', 'deals.stage')] }
          : { entries: [entry(9, 'policy.changed', 'deals.amount')], next_cursor: 'next' };
      },
    });
    const { user } = renderApp('/reports');
    expect(await screen.findByText('auth.signed_in')).toBeTruthy();

    await user.type(screen.getByRole('searchbox', { name: 'Actor' }), 'ada');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Action' }), 'policy.');
    await user.type(screen.getByLabelText('From'), '2026-03-01');
    await user.type(screen.getByLabelText('To'), '2026-03-02');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText('deals.amount')).toBeTruthy();
    const first = new URLSearchParams(api.calls('GET /audit')[1].search);
    expect(first.get('actor')).toBe('ada');
    expect(first.get('action')).toBe('policy.');
    expect(first.get('from')).toBe(new Date('2026-03-01T00:00:00').toISOString());
    expect(first.get('to')).toBe(new Date('2026-03-03T00:00:00').toISOString());
    expect(first.get('cursor')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('deals.stage')).toBeTruthy();
    const second = new URLSearchParams(api.calls('GET /audit')[2].search);
    expect(second.get('cursor')).toBe('next');
    expect(second.get('actor')).toBe('ada');
    expect(second.get('action')).toBe('policy.');

    await user.clear(screen.getByRole('searchbox', { name: 'Actor' }));
    await user.type(screen.getByRole('searchbox', { name: 'Actor' }), 'nobody');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText('No audit entries match these filters.')).toBeTruthy();
  });

  it('hides the audit trail without audit.read but shows the reports', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession({ permissions: ['reports.read'] }) });
    renderApp('/reports');
    expect(await screen.findByRole('heading', { name: 'Evidence exports' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Admin audit trail' })).toBeNull();
    expect(api.calls('GET /audit')).toHaveLength(0);
  });
});

type Routes = Parameters<typeof fakeApi>[0];

/** The reports page's reads, with the audit trail empty; `extra` adds or replaces routes. */
function reportRoutes(data: { exports?: Export[]; schedules?: ExportSchedule[]; audits?: Audit[] } = {}, extra: Routes = {}) {
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /alerts': () => ({ alerts: [] }),
    'GET /audit': () => ({ entries: [] }),
    'GET /agents': () => ({ agents: [makeAgent({ id: 'a1', name: 'Closer' })] }),
    'GET /exports': () => ({ items: data.exports ?? [] }),
    'GET /export-schedules': () => ({ items: data.schedules ?? [] }),
    'GET /audits': () => ({ items: data.audits ?? [] }),
    ...extra,
  });
}

const exportsSection = async () => within(await screen.findByRole('region', { name: 'Evidence exports' }));

describe('ReportsPage: evidence exports', () => {
  it('says what an export is when there is none, and what schedules and audits are', async () => {
    reportRoutes();
    renderApp('/reports');
    expect(await screen.findByText(/No exports yet\. An export holds every change applied in a period/)).toBeTruthy();
    expect(await screen.findByText(/No scheduled exports\./)).toBeTruthy();
    expect(await screen.findByText(/No sample audits yet\./)).toBeTruthy();
  });

  it('starts an export of last month by default, and lists it', async () => {
    let started = false;
    const api = reportRoutes(
      {},
      {
        'GET /exports': () => ({ items: started ? [makeExport({ state: 'queued', rows: 0, total: 0, sha256: null, manifest: undefined })] : [] }),
        'POST /exports': () => {
          started = true;
          return json(makeExport({ state: 'queued' }), 202);
        },
      },
    );
    const { user } = renderApp('/reports');
    await user.click(await screen.findByRole('button', { name: 'New export' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'New export' }));
    expect((dialog.getByLabelText('Period') as HTMLSelectElement).value).toBe('last_month');
    expect(dialog.getByRole('option', { name: 'Excel (XLSX)' })).toBeTruthy();
    expect(dialog.getByRole('option', { name: 'PDF summary' })).toBeTruthy();
    await dialog.findByRole('option', { name: 'Closer' });
    await user.click(dialog.getByRole('button', { name: 'Start export' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'New export' })).toBeNull());
    expect(api.calls('POST /exports')[0].body).toEqual({ format: 'csv', filter: lastMonth() });
    expect(await (await exportsSection()).findByText('Waiting to start…')).toBeTruthy();
  });

  it('sends the chosen format and filters', async () => {
    const api = reportRoutes({}, { 'POST /exports': () => json(makeExport({ state: 'queued' }), 202) });
    const { user } = renderApp('/reports');
    await user.click(await screen.findByRole('button', { name: 'New export' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'New export' }));
    await user.selectOptions(dialog.getByLabelText('Format'), 'xlsx');
    await user.selectOptions(await dialog.findByRole('combobox', { name: 'Agent' }), await dialog.findByRole('option', { name: 'Closer' }));
    await user.type(dialog.getByLabelText('Object'), 'deals');
    await user.type(dialog.getByLabelText('Field'), ' dealstage ');
    await user.selectOptions(dialog.getByLabelText('Actor kind'), 'agent');
    await user.selectOptions(dialog.getByLabelText('Sensitivity'), 'high');
    await user.click(dialog.getByRole('button', { name: 'Start export' }));
    await waitFor(() => expect(api.calls('POST /exports')).toHaveLength(1));
    expect(api.calls('POST /exports')[0].body).toEqual({
      format: 'xlsx',
      filter: { ...lastMonth(), agent_id: 'a1', object: 'deals', field: 'dealstage', actor_kind: 'agent', sensitivity: 'high' },
    });
  });

  it('shows the server’s objection to an inverted period by the until field', async () => {
    const api = reportRoutes(
      {},
      { 'POST /exports': () => problem(400, { code: 'validation_failed', errors: [{ field: 'filter.until', message: 'must be after since: the period is empty or inverted' }] }) },
    );
    const { user } = renderApp('/reports');
    await user.click(await screen.findByRole('button', { name: 'New export' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'New export' }));
    await user.selectOptions(dialog.getByLabelText('Period'), 'custom');
    // the custom inputs start from the preset chosen so far
    expect((dialog.getByLabelText('From (UTC)') as HTMLInputElement).value).toBe(lastMonth().since.slice(0, 16));
    fireEvent.change(dialog.getByLabelText('From (UTC)'), { target: { value: '2026-11-30T00:00' } });
    fireEvent.change(dialog.getByLabelText('Until (UTC)'), { target: { value: '2026-11-01T00:00' } });
    await user.click(dialog.getByRole('button', { name: 'Start export' }));
    const until = dialog.getByLabelText('Until (UTC)');
    await waitFor(() => expect(until.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(until.getAttribute('aria-describedby')!.split(' ')[0])?.textContent).toBe('must be after since: the period is empty or inverted');
    expect(dialog.getByLabelText('From (UTC)').getAttribute('aria-invalid')).toBeNull();
    expect(api.calls('POST /exports')[0].body).toEqual({ format: 'csv', filter: { since: '2026-11-30T00:00:00.000Z', until: '2026-11-01T00:00:00.000Z' } });
    // the dialog stays open with what was typed
    expect(screen.getByRole('dialog', { name: 'New export' })).toBeTruthy();
  });

  it('shows a format error by the format field', async () => {
    reportRoutes({}, { 'POST /exports': () => problem(400, { code: 'validation_failed', errors: [{ field: 'format', message: 'must be one of csv, xlsx, jsonl, pdf' }] }) });
    const { user } = renderApp('/reports');
    await user.click(await screen.findByRole('button', { name: 'New export' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'New export' }));
    await user.click(dialog.getByRole('button', { name: 'Start export' }));
    expect(await dialog.findByText('must be one of csv, xlsx, jsonl, pdf')).toBeTruthy();
    expect(dialog.getByLabelText('Format').getAttribute('aria-invalid')).toBe('true');
  });

  it('follows a running export with its progress and stops polling once it is done', async () => {
    let polls = 0;
    const api = reportRoutes({}, {
      'GET /exports': () => ({ items: ++polls <= 2 ? [makeRunningExport()] : [makeExport()] }),
    });
    renderApp('/reports');
    const section = await exportsSection();
    const bar = await section.findByRole('progressbar', { name: /Progress of the export requested/ });
    expect(bar.getAttribute('aria-valuenow')).toBe('300');
    expect(bar.getAttribute('aria-valuemax')).toBe('1200');
    expect(section.getByText('300 of 1,200 rows (25 %)')).toBeTruthy();
    expect(section.queryByRole('link', { name: /Download/ })).toBeNull();

    expect(await section.findByRole('link', { name: 'Download the CSV export of November 2026' })).toBeTruthy();
    expect(section.queryByRole('progressbar')).toBeNull();
    const seen = api.calls('GET /exports').length;
    expect(seen).toBe(3);
    await new Promise((r) => setTimeout(r, 1300));
    expect(api.calls('GET /exports')).toHaveLength(seen);
  });

  it('offers a done export’s file and its manifest, with how to verify it', async () => {
    reportRoutes({ exports: [makeExport()] });
    const { user } = renderApp('/reports');
    const section = await exportsSection();
    const download = await section.findByRole('link', { name: 'Download the CSV export of November 2026' });
    expect(download.getAttribute('href')).toBe('/api/v1/exports/x1/download');
    expect(download.hasAttribute('download')).toBe(true);
    const row = within(download.closest('tr') as HTMLElement);
    expect(row.getByText('by Ada Admin')).toBeTruthy();
    expect(row.getByText('2.3 MB')).toBeTruthy();
    expect(row.getByText('1,200')).toBeTruthy();
    expect(row.getByText('a3f5c2e19b7d…').getAttribute('title')).toBe('a3f5c2e19b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f');
    expect(row.getByRole('button', { name: /Copy the SHA-256/ })).toBeTruthy();

    await user.click(row.getByRole('button', { name: 'Manifest of the CSV export of November 2026' }));
    const drawer = within(await screen.findByRole('dialog', { name: 'Export manifest' }));
    expect(drawer.getByText('#101 – #1300')).toBeTruthy();
    expect(drawer.getByText('k-2026')).toBeTruthy();
    expect(drawer.getByText('#1300')).toBeTruthy();
    expect(drawer.getByText('h1300deadbeefcafe')).toBeTruthy();
    expect(drawer.getByText('TWFuaWZlc3RTaWdu…').getAttribute('title')).toBe('TWFuaWZlc3RTaWduYXR1cmVCYXNlNjRFbmNvZGVkVmFsdWU=');
    const manifest = drawer.getByRole('link', { name: 'Download manifest' });
    expect(manifest.getAttribute('href')).toBe('/api/v1/exports/x1/manifest');
    expect(manifest.hasAttribute('download')).toBe(true);
    expect(drawer.getByText('countersign verify-export <file> <manifest> --public-key <key>')).toBeTruthy();
    expect(drawer.getByRole('link', { name: 'public key' }).getAttribute('href')).toBe('/api/v1/changes/public-key');
  });

  it('says why an export failed, and that an expired one is expired', async () => {
    reportRoutes({
      exports: [
        makeExport({ id: 'x2', state: 'failed', error: 'the change log could not be read', created_at: '2026-12-03T09:00:00Z', sha256: null, manifest: undefined }),
        makeExport({ id: 'x3', state: 'expired', created_at: '2026-10-02T09:00:00Z', expires_at: '2026-11-01T09:00:00Z' }),
      ],
    });
    renderApp('/reports');
    const section = await exportsSection();
    expect(await section.findByText('the change log could not be read')).toBeTruthy();
    expect(section.getByText('expired')).toBeTruthy();
    expect(section.queryByRole('link', { name: /Download/ })).toBeNull();
    expect(section.queryByRole('button', { name: /Manifest/ })).toBeNull();
    // newest first
    const rows = section.getAllByRole('row').slice(1);
    expect(within(rows[0]).getByText('failed')).toBeTruthy();
  });

  it('offers a member without reports.export no export, schedule or audit, and no download', async () => {
    const api = reportRoutes({ exports: [makeExport()], schedules: [makeSchedule()], audits: [makeAudit()] }, {
      'GET /session': () => makeSession({ roles: ['viewer'], permissions: ['reports.read'] }),
    });
    renderApp('/reports');
    const section = await exportsSection();
    expect(await section.findByRole('button', { name: /Manifest/ })).toBeTruthy();
    expect(section.queryByRole('link', { name: /Download/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'New export' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Schedule an export' })).toBeNull();
    expect(await screen.findByText('https://hooks.example.com/evidence')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Stop/ })).toBeNull();
    expect(await screen.findByRole('link', { name: 'Worksheet of the audit of November 2026' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New sample audit' })).toBeNull();
    expect(api.calls('GET /agents')).toHaveLength(0);
  });
});

describe('ReportsPage: scheduled exports', () => {
  it('lists a schedule and stops it after a confirmation', async () => {
    let stopped = false;
    const api = reportRoutes({}, {
      'GET /export-schedules': () => ({ items: stopped ? [] : [makeSchedule()] }),
      'DELETE /export-schedules/s1': () => {
        stopped = true;
        return noContent();
      },
    });
    const { user } = renderApp('/reports');
    const section = within(await screen.findByRole('region', { name: 'Scheduled exports' }));
    const row = within((await section.findByText('https://hooks.example.com/evidence')).closest('tr') as HTMLElement);
    expect(row.getByText('JSON Lines')).toBeTruthy();
    expect(row.getByText('Weekly')).toBeTruthy();
    expect(await row.findByText('agent Closer')).toBeTruthy();
    await user.click(row.getByRole('button', { name: 'Stop the weekly JSON Lines export' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Stop scheduled export' }));
    expect(api.calls('DELETE /export-schedules/s1')).toHaveLength(0);
    await user.click(dialog.getByRole('button', { name: 'Stop export' }));
    expect(await section.findByText(/No scheduled exports\./)).toBeTruthy();
    expect(api.calls('DELETE /export-schedules/s1')).toHaveLength(1);
  });

  it('schedules an export and shows the server’s objections by the fields they name', async () => {
    const api = reportRoutes({}, {
      'POST /export-schedules': () =>
        problem(400, {
          code: 'validation_failed',
          errors: [
            { field: 'webhook_url', message: 'must be an http(s) URL' },
            { field: 'filter.sensitivity', message: 'must be one of low, medium, high, critical' },
          ],
        }),
    });
    const { user } = renderApp('/reports');
    await user.click(await screen.findByRole('button', { name: 'Schedule an export' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Schedule an export' }));
    await user.selectOptions(dialog.getByLabelText('Format'), 'pdf');
    await user.selectOptions(dialog.getByLabelText('Cadence'), 'weekly');
    await user.type(dialog.getByLabelText('Object'), 'deals');
    await user.type(dialog.getByLabelText('Webhook URL (optional)'), 'ftp://files.example.com');
    await user.click(dialog.getByRole('button', { name: 'Schedule export' }));
    expect(await dialog.findByText('must be an http(s) URL')).toBeTruthy();
    expect(dialog.getByLabelText('Webhook URL (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(dialog.getByLabelText('Sensitivity').getAttribute('aria-invalid')).toBe('true');
    expect(api.calls('POST /export-schedules')[0].body).toEqual({ format: 'pdf', cadence: 'weekly', object: 'deals', webhook_url: 'ftp://files.example.com' });
  });
});

describe('ReportsPage: sample audits', () => {
  it('lists audits with their progress and a link to the worksheet', async () => {
    reportRoutes({ audits: [makeAudit({ checked: 2, incorrect: 1 }), makeAudit({ id: 'au0', seed: 7, closed_at: '2026-11-03T10:00:00Z', checked: 3 })] });
    renderApp('/reports');
    const section = within(await screen.findByRole('region', { name: 'Sample audits' }));
    const links = await section.findAllByRole('link', { name: 'Worksheet of the audit of November 2026' });
    expect(links[0].getAttribute('href')).toBe('/reports/audits/au1');
    const row = within(links[0].closest('tr') as HTMLElement);
    expect(row.getByText('1 %')).toBeTruthy();
    expect(row.getByText('42')).toBeTruthy();
    expect(row.getByText('2/3')).toBeTruthy();
    expect(row.getByText('open')).toBeTruthy();
    expect(within(links[1].closest('tr') as HTMLElement).getByText('closed')).toBeTruthy();
  });

  it('draws a sample at 1 % (100 basis points) of last month and opens its worksheet', async () => {
    const api = reportRoutes({}, {
      'POST /audits': () => json(makeAuditDetail(), 201),
      'GET /audits/au1': () => makeAuditDetail(),
    });
    const { user, location } = renderApp('/reports');
    await user.click(await screen.findByRole('button', { name: 'New sample audit' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'New sample audit' }));
    expect((dialog.getByLabelText('Sample rate (%)') as HTMLInputElement).value).toBe('1');
    expect(dialog.getByText('The same seed draws the same sample.')).toBeTruthy();
    await user.type(dialog.getByLabelText('Seed (optional)'), '42');
    await user.click(dialog.getByRole('button', { name: 'Draw sample' }));
    await waitFor(() => expect(location()).toBe('/reports/audits/au1'));
    expect(api.calls('POST /audits')[0].body).toEqual({ period: lastMonth(), rate_bps: 100, seed: 42 });
    expect(await screen.findByRole('heading', { name: 'Sample audit · November 2026' })).toBeTruthy();
  });

  it('shows the server’s rate error by the rate field', async () => {
    const api = reportRoutes({}, {
      'POST /audits': () => problem(400, { code: 'validation_failed', errors: [{ field: 'rate_bps', message: 'must be between 50 and 200 basis points (0.5 % to 2 %)' }] }),
    });
    const { user } = renderApp('/reports');
    await user.click(await screen.findByRole('button', { name: 'New sample audit' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'New sample audit' }));
    const rate = dialog.getByLabelText('Sample rate (%)');
    await user.clear(rate);
    await user.type(rate, '0.25');
    await user.click(dialog.getByRole('button', { name: 'Draw sample' }));
    expect(await dialog.findByText('must be between 50 and 200 basis points (0.5 % to 2 %)')).toBeTruthy();
    expect(rate.getAttribute('aria-invalid')).toBe('true');
    expect(api.calls('POST /audits')[0].body).toEqual({ period: lastMonth(), rate_bps: 25 });
  });
});

