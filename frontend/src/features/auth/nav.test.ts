import { describe, expect, it } from 'vitest';
import { homePath, navItemsFor, safeNext } from './nav';

const labels = (perms: string[]) => navItemsFor(perms).map((i) => i.label);

describe('navItemsFor', () => {
  it('gives an admin every item, in the fixed order', () => {
    const admin = ['settings.manage', 'settings.read', 'members.manage', 'members.read', 'audit.read', 'reports.read',
      'rollouts.read', 'changelog.read', 'agents.read', 'agents.manage', 'fields.read', 'proposals.read', 'review.work'];
    expect(labels(admin)).toEqual([
      'Review queue', 'Proposals', 'Fields', 'Agents', 'Change log', 'Rollouts', 'Insights', 'Reports', 'Members', 'Settings',
    ]);
  });

  it('gives a reviewer the queue, the proposals and what supports them', () => {
    expect(labels(['changelog.read', 'review.work', 'proposals.read', 'fields.read'])).toEqual(['Review queue', 'Proposals', 'Fields', 'Change log']);
  });

  it('gives compliance read-only pages but not the queue', () => {
    const compliance = ['fields.read', 'agents.read', 'proposals.read', 'changelog.read', 'rollouts.read', 'reports.read', 'audit.read',
      'members.read', 'settings.read'];
    expect(labels(compliance)).toEqual(['Proposals', 'Fields', 'Agents', 'Change log', 'Rollouts', 'Insights', 'Reports', 'Members', 'Settings']);
  });

  it('gives a viewer only what their permissions name', () => {
    expect(labels(['changelog.read', 'fields.read'])).toEqual(['Fields', 'Change log']);
  });

  it('ignores write permissions and unknown ones', () => {
    expect(labels(['members.manage', 'settings.manage', 'agents.manage', 'something.else'])).toEqual([]);
  });

  it('links each item to its page', () => {
    expect(navItemsFor(['members.read', 'reports.read']).map((i) => i.path)).toEqual(['/reports', '/members']);
  });
});

describe('homePath', () => {
  it('is the first allowed item', () => {
    expect(homePath(['settings.read', 'reports.read'])).toBe('/reports');
  });
  it('lands a compliance user on Proposals, their first page', () => {
    expect(homePath(['changelog.read', 'proposals.read', 'agents.read'])).toBe('/proposals');
  });
  it('falls back to the account page when nothing is allowed', () => {
    expect(homePath([])).toBe('/account');
  });
});

describe('safeNext', () => {
  it('keeps in-app paths with their query', () => {
    expect(safeNext('/members?x=1')).toBe('/members?x=1');
  });
  it.each(['https://evil.example', '//evil.example/x', '/\\evil.example', 'members', '/login?next=/x', ''])(
    'refuses %j',
    (next) => expect(safeNext(next)).toBeNull(),
  );
});
