import { describe, expect, it } from 'vitest';
import { makeField } from '../../test/catalogFixtures';
import { changedValues, editorFields, recordTitle } from './recordValues';

const catalog = [
  makeField({ name: 'dealstage', label: 'Deal stage' }),
  makeField({ name: 'amount', label: 'Amount', type: 'currency', options: [] }),
  makeField({ name: 'closedate', label: 'Close date', type: 'date', options: [] }),
  makeField({ name: 'old_field', label: 'Old', type: 'string', options: [], archived: true }),
];

describe('sandbox record values', () => {
  it('picks an input per type, adds values the catalog does not know and hides unset archived fields', () => {
    const fields = editorFields({ dealstage: 'closedwon', amount: 10, closedate: '2026-04-01', extra: true, tags: ['a'] }, catalog);
    expect(fields.map((f) => [f.name, f.kind, f.readOnly])).toEqual([
      ['dealstage', 'enum', false],
      ['amount', 'number', false],
      ['closedate', 'date', false],
      ['extra', 'bool', false],
      ['tags', 'json', true],
    ]);
  });

  it('sends only changed values, typed, with empty as null, and refuses a non-number', () => {
    const original = { dealstage: 'closedwon', amount: 10, closedate: '2026-04-01' };
    const fields = editorFields(original, catalog);
    expect(changedValues(fields, original, { dealstage: 'closedwon', amount: '12.5', closedate: '' })).toEqual({
      values: { amount: 12.5, closedate: null },
      errors: {},
    });
    expect(changedValues(fields, original, { amount: 'ten' }).errors).toEqual({ amount: 'Enter a number.' });
  });

  it('names a record by its most readable value', () => {
    expect(recordTitle({ firstname: 'Ada', lastname: 'Lovelace', email: 'ada@x.test' }, 'c1')).toBe('Ada Lovelace');
    expect(recordTitle({ dealname: 'Renewal' }, 'd1')).toBe('Renewal');
    expect(recordTitle({}, 'd1')).toBe('d1');
  });
});
