import { describe, expect, it } from 'vitest';
import { detailLines, renderValue } from './detail';

describe('detailLines', () => {
  it('pairs before and after objects key by key', () => {
    expect(detailLines({ before: { roles: ['viewer'] }, after: { roles: ['admin', 'viewer'], status: 'active' } })).toEqual([
      { label: 'roles', before: 'viewer', after: 'admin, viewer' },
      { label: 'status', before: '—', after: 'active' },
    ]);
  });

  it('shows scalar before/after as one change and other keys as values', () => {
    expect(detailLines({ before: 'Acme', after: 'Acme Corp', request_id: 'r1' })).toEqual([
      { label: 'change', before: 'Acme', after: 'Acme Corp' },
      { label: 'request id', value: 'r1' },
    ]);
  });

  it('renders nested values readably', () => {
    expect(renderValue({ email: 'a@b.c', roles: [] })).toBe('email: a@b.c; roles: (none)');
    expect(renderValue(null)).toBe('—');
  });
});
