import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError, type Session } from '../../api/client';
import { sessionQuery } from '../../api/queries';
import { ErrorState, Loading, NoAccess } from '../../components/states';

const SessionContext = createContext<Session | null>(null);

/** The signed-in session; only valid below RequireSession. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession used outside RequireSession');
  return session;
}

/** Whether the current session holds a permission in the current tenant. */
export function useCan(permission: string): boolean {
  return useSession().permissions.includes(permission);
}

/** The login URL that returns to the current location afterwards. */
export function loginPathFor(pathname: string, search = ''): string {
  const here = pathname + search;
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

/** Renders its children only for a signed-in user; sends anyone else to /login. */
export function RequireSession({ children }: { children: ReactNode }) {
  const location = useLocation();
  const { data, error, isPending, refetch } = useQuery(sessionQuery());
  if (isPending) return <Loading />;
  if (error instanceof ApiError && error.status === 401) {
    return <Navigate to={loginPathFor(location.pathname, location.search)} replace />;
  }
  if (error || !data) {
    return (
      <div className="mx-auto max-w-md p-8">
        <ErrorState error={error} title="Could not load your session" onRetry={() => void refetch()} />
      </div>
    );
  }
  return <SessionContext.Provider value={data}>{children}</SessionContext.Provider>;
}

/** Renders its children only when the session holds `permission`. */
export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  return useCan(permission) ? children : <NoAccess />;
}
