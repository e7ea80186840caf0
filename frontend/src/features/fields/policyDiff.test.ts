import { describe, expect, it } from 'vitest';
import { makePolicy } from '../../test/catalogFixtures';
import { policyDiff } from './policyDiff';

describe('policyDiff', () => {
  it('lists only the attributes that differ, tags regardless of order', () => {
    const before = makePolicy({ tags: ['pipeline', 'forecast'] });
    const after = makePolicy({ tags: ['forecast', 'pipeline'], mode: 'blocked', sla_minutes: 90, decided: true, reason: 'Set by ada' });
    expect(policyDiff(before, after)).toEqual([
      { label: 'mode', before: 'review', after: 'blocked' },
      { label: 'SLA', before: 'queue default', after: '90 min' },
      { label: 'decided', before: 'no', after: 'yes' },
    ]);
  });

  it('lists the first version of a policy as set from nothing', () => {
    const changes = policyDiff(null, makePolicy());
    expect(changes.map((c) => c.label)).toEqual(['sensitivity', 'mode', 'confidence threshold', 'evidence required', 'tags', 'decided']);
    expect(changes.every((c) => c.before === '—')).toBe(true);
  });
});
