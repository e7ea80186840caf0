import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeConnection, makeField, makePolicy } from '../../test/catalogFixtures';
import { fakeApi, makeSession, problem } from '../../test/fakeApi';
import { renderApp } from '../../test/renderApp';

const YAML = 'fields:\n  - connection: Demo sandbox\n    object: deals\n    field: dealstage\n    mode: two_person\n';

const diff = {
  applied: false,
  unchanged: 41,
  changes: [
    {
      field_id: 'f1',
      connection: 'Demo sandbox',
      object: 'deals',
      field: 'dealstage',
      before: makePolicy(),
      after: makePolicy({ mode: 'two_person', decided: true }),
    },
  ],
};

function yamlApi(importAnswer: Parameters<typeof fakeApi>[0][string]) {
  return fakeApi({
    'GET /session': () => makeSession(),
    'GET /connections': () => ({ connections: [makeConnection()] }),
    'GET /fields': () => ({ fields: [makeField()], total: 1 }),
    'GET /policies/export': () => ({ yaml: YAML, fields: 1 }),
    'POST /policies/import': importAnswer,
  });
}

describe('Policies as YAML', () => {
  it('previews the import as a diff, then applies it with dry_run=false', async () => {
    const api = yamlApi((_r, body) => ({ ...diff, applied: !(body as { dry_run: boolean }).dry_run }));
    const { user } = renderApp('/fields');
    await user.click(await screen.findByRole('button', { name: 'Import YAML' }));
    const dialog = screen.getByRole('dialog', { name: 'Import policies' });
    await user.click(within(dialog).getByLabelText('Policies YAML'));
    await user.paste(YAML);
    await user.click(within(dialog).getByRole('button', { name: 'Preview changes' }));

    const table = await within(dialog).findByRole('table', { name: 'Changes to apply' });
    const row = within(table).getByText('dealstage').closest('tr')!;
    expect(row.textContent).toContain('Demo sandbox');
    expect(row.textContent).toContain('mode:review→ changed to two-person');
    expect(within(dialog).getByText('41 unchanged')).toBeTruthy();
    expect(api.calls('POST /policies/import')[0].body).toEqual({ yaml: YAML, dry_run: true });

    await user.click(within(dialog).getByRole('button', { name: 'Apply 1 change' }));
    expect(await within(screen.getByRole('dialog')).findByText('Applied 1 change.')).toBeTruthy();
    expect(api.calls('POST /policies/import')[1].body).toEqual({ yaml: YAML, dry_run: false });
    // The catalog shows the imported policies.
    await waitFor(() => expect(api.calls('GET /fields').length).toBe(2));
  });

  it('lists validation errors by the field they name', async () => {
    const api = yamlApi(() =>
      problem(400, {
        code: 'validation_failed',
        title: 'Invalid',
        detail: 'The YAML has 2 errors.',
        errors: [
          { field: 'fields[3].mode', message: 'must be one of auto, review, two_person, blocked' },
          { field: 'fields[7].field', message: 'no such field: dealstag' },
        ],
      }),
    );
    const { user } = renderApp('/fields');
    await user.click(await screen.findByRole('button', { name: 'Import YAML' }));
    const dialog = screen.getByRole('dialog', { name: 'Import policies' });
    await user.click(within(dialog).getByLabelText('Policies YAML'));
    await user.paste('fields: []');
    await user.click(within(dialog).getByRole('button', { name: 'Preview changes' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('The YAML has 2 errors.');
    expect(alert.textContent).toContain('fields[3].mode: must be one of auto, review, two_person, blocked');
    expect(alert.textContent).toContain('fields[7].field: no such field: dealstag');
    expect(within(dialog).queryByRole('button', { name: /^Apply/ })).toBeNull();
    expect(api.calls('POST /policies/import')).toHaveLength(1);
  });

  it('exports the policies of the filtered connection and offers the file', async () => {
    const api = yamlApi(() => diff);
    const { user } = renderApp('/fields?connection_id=c1');
    await user.click(await screen.findByRole('button', { name: 'Export YAML' }));
    const dialog = await screen.findByRole('dialog', { name: 'Exported policies' });
    expect((within(dialog).getByLabelText('Exported YAML') as HTMLTextAreaElement).value).toBe(YAML);
    expect(within(dialog).getByRole('button', { name: 'Download countersign-policies.yaml' })).toBeTruthy();
    expect(api.calls('GET /policies/export')[0].search).toBe('?connection_id=c1');
  });
});
