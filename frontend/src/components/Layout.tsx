import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { errorMessage } from '../api/client';
import { keys, useLogout, useSwitchTenant } from '../api/queries';
import { AlertBanners } from '../features/alerts/AlertBanner';
import { AlertBell } from '../features/alerts/AlertBell';
import { homePath, navItemsFor } from '../features/auth/nav';
import { useSession } from '../features/auth/session';
import { secondaryButton } from './styles';

/**
 * The authenticated shell: main navigation, tenant and user header, and the
 * page. On a phone the navigation folds into a Menu button under the header.
 */
export function Layout() {
  const session = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const { pathname } = useLocation();
  useEffect(() => setMenuOpen(false), [pathname]);
  return (
    <div className="flex min-h-screen bg-gray-50">
      <aside className="hidden w-56 shrink-0 border-r border-gray-200 bg-white md:block">
        <div className="flex h-14 items-center px-5 text-base font-semibold tracking-tight text-gray-900">
          Countersign
        </div>
        <MainNav permissions={session.permissions} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-between gap-2 border-b border-gray-200 bg-white px-3 md:gap-4 md:px-6">
          <button
            type="button"
            className={`${secondaryButton} md:hidden`}
            aria-expanded={menuOpen}
            aria-controls="mobile-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Menu
          </button>
          <TenantHeader />
          <div className="flex items-center gap-2 md:gap-4">
            <AlertBell />
            <UserMenu />
          </div>
        </header>
        {menuOpen && (
          <div id="mobile-nav" className="border-b border-gray-200 bg-white md:hidden">
            <MainNav permissions={session.permissions} />
            <div className="flex gap-4 px-6 pb-3 text-sm font-medium text-gray-700">
              <NavLink to="/docs/agent-api">Agent API docs</NavLink>
              <NavLink to="/account">Account</NavLink>
            </div>
          </div>
        )}
        <AlertBanners />
        <main className="w-full max-w-6xl flex-1 px-3 py-4 md:px-6 md:py-6">
          <Outlet />
        </main>
      </div>
    </div>
  );
}

function MainNav({ permissions }: { permissions: readonly string[] }) {
  const linkClass = ({ isActive }: { isActive: boolean }) =>
    `block rounded-md px-3 py-1.5 text-sm font-medium ${
      isActive ? 'bg-accent-50 text-accent-700' : 'text-gray-700 hover:bg-gray-100 hover:text-gray-900'
    }`;
  return (
    <nav aria-label="Main" className="px-3 py-2">
      <ul className="space-y-0.5">
        {navItemsFor(permissions).map((item) => (
          <li key={item.path}>
            <NavLink to={item.path} className={linkClass}>
              {item.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function TenantHeader() {
  const session = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const switchTenant = useSwitchTenant();

  const onSwitch = (slug: string) =>
    switchTenant.mutate(slug, {
      onSuccess: (next) => {
        qc.setQueryData(keys.session, next);
        // Everything else cached belongs to the previous tenant.
        qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
        void navigate(homePath(next.permissions));
      },
    });

  return (
    <div className="flex min-w-0 items-center gap-3">
      <span className="max-w-24 truncate text-sm font-semibold text-gray-900 sm:max-w-none" data-testid="tenant-name">
        {session.tenant.name}
      </span>
      {session.tenants.length > 1 && (
        <select
          aria-label="Tenant"
          className="max-w-28 rounded-md border border-gray-300 bg-white py-1 pr-7 pl-2 text-sm text-gray-700 md:max-w-none"
          value={session.tenant.slug}
          disabled={switchTenant.isPending}
          onChange={(e) => onSwitch(e.target.value)}
        >
          {session.tenants.map((t) => (
            <option key={t.id} value={t.slug}>
              {t.name}
            </option>
          ))}
        </select>
      )}
      {switchTenant.error && (
        <span role="alert" className="text-sm text-red-700">
          {errorMessage(switchTenant.error)}
        </span>
      )}
    </div>
  );
}

function UserMenu() {
  const { user, roles } = useSession();
  const navigate = useNavigate();
  const logout = useLogout();
  // Whatever the server says, the user asked to leave: go to the login page.
  const signOut = () => logout.mutate(undefined, { onSettled: () => void navigate('/login', { replace: true }) });

  return (
    <div className="flex items-center gap-2 md:gap-4">
      <div className="hidden text-right lg:block">
        <p className="text-sm font-medium text-gray-900">{user.name || user.email}</p>
        <p className="text-xs text-gray-500">
          {user.name ? `${user.email} · ` : ''}
          {roles.join(', ')}
        </p>
      </div>
      <NavLink to="/docs/agent-api" className="hidden text-sm font-medium text-gray-700 hover:text-gray-900 md:inline">
        Agent API docs
      </NavLink>
      <NavLink to="/account" className="hidden text-sm font-medium text-gray-700 hover:text-gray-900 md:inline">
        Account
      </NavLink>
      <button type="button" className={`${secondaryButton} whitespace-nowrap`} onClick={signOut} disabled={logout.isPending}>
        Sign out
      </button>
    </div>
  );
}
