/** One entry of the main navigation and the permission that unlocks it. */
export interface NavItem {
  label: string;
  path: string;
  permission: string;
}

/** The main navigation, in display order. */
export const NAV_ITEMS: readonly NavItem[] = [
  { label: 'Review queue', path: '/review', permission: 'review.work' },
  { label: 'Proposals', path: '/proposals', permission: 'proposals.read' },
  { label: 'Fields', path: '/fields', permission: 'fields.read' },
  { label: 'Agents', path: '/agents', permission: 'agents.read' },
  { label: 'Change log', path: '/changelog', permission: 'changelog.read' },
  { label: 'Rollouts', path: '/rollouts', permission: 'rollouts.read' },
  { label: 'Insights', path: '/insights', permission: 'rollouts.read' },
  { label: 'Reports', path: '/reports', permission: 'reports.read' },
  { label: 'Members', path: '/members', permission: 'members.read' },
  { label: 'Settings', path: '/settings', permission: 'settings.read' },
];

/** The navigation items a session with these permissions may see. */
export function navItemsFor(permissions: readonly string[]): NavItem[] {
  const allowed = new Set(permissions);
  return NAV_ITEMS.filter((item) => allowed.has(item.permission));
}

/** Where a signed-in user lands: the first page they may see, or their account page. */
export function homePath(permissions: readonly string[]): string {
  return navItemsFor(permissions)[0]?.path ?? '/account';
}

/**
 * The `next` parameter if it is a safe in-app path, else null. Refuses absolute
 * and protocol-relative URLs so a crafted login link cannot send users elsewhere.
 */
export function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/invite/')) return null;
  return next;
}
