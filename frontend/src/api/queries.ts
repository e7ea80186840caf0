import {
  infiniteQueryOptions,
  QueryCache,
  QueryClient,
  queryOptions,
  useMutation,
  useQueryClient,
} from '@tanstack/react-query';
import { api, ApiError, unwrap, type Role, type Session } from './client';

/** Query keys; the first element names the resource. */
export const keys = {
  session: ['session'] as const,
  members: ['members'] as const,
  invites: ['invites'] as const,
  tenant: ['tenant'] as const,
  audit: ['audit'] as const,
  invitation: (token: string) => ['invitation', token] as const,
};

const AUDIT_PAGE_SIZE = 50;

// Retrying cannot change a 4xx answer; retry once for network and 5xx failures.
function retryTransient(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status < 500) return false;
  return failureCount < 1;
}

export const sessionQuery = () =>
  queryOptions({
    queryKey: keys.session,
    queryFn: () => unwrap(api.GET('/session')),
    staleTime: 60_000,
  });

export const membersQuery = () =>
  queryOptions({
    queryKey: keys.members,
    queryFn: async () => (await unwrap(api.GET('/members'))).members,
  });

export const invitesQuery = () =>
  queryOptions({
    queryKey: keys.invites,
    queryFn: async () => (await unwrap(api.GET('/invites'))).invites,
  });

export const tenantQuery = () =>
  queryOptions({
    queryKey: keys.tenant,
    queryFn: () => unwrap(api.GET('/tenant')),
  });

/** What the audit trail is narrowed to; empty strings match everything. */
export interface AuditFilter {
  actor: string;
  action: string;
  /** ISO instants: from is inclusive, to exclusive. */
  from: string;
  to: string;
}

export const emptyAuditFilter: AuditFilter = { actor: '', action: '', from: '', to: '' };

export const auditQuery = (filter: AuditFilter = emptyAuditFilter) =>
  infiniteQueryOptions({
    queryKey: [...keys.audit, filter],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/audit', {
          params: {
            query: {
              limit: AUDIT_PAGE_SIZE,
              cursor: pageParam,
              actor: filter.actor || undefined,
              action: filter.action || undefined,
              from: filter.from || undefined,
              to: filter.to || undefined,
            },
          },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const invitationQuery = (token: string) =>
  queryOptions({
    queryKey: keys.invitation(token),
    queryFn: () => unwrap(api.GET('/invitations/{token}', { params: { path: { token } } })),
    retry: false,
  });

/**
 * The app's QueryClient. A 401 on any query but the session's means the
 * session ended meanwhile: `onUnauthorized` sends the user to sign in again.
 */
export function createQueryClient(onUnauthorized: () => void): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError(error, query) {
        if (!(error instanceof ApiError) || error.status !== 401) return;
        if (query.queryKey[0] === keys.session[0] || query.queryKey[0] === 'invitation') return;
        client.removeQueries({ queryKey: keys.session });
        onUnauthorized();
      },
    }),
    defaultOptions: {
      queries: { retry: retryTransient, refetchOnWindowFocus: false },
      // Mutations carry secrets (new API keys, CRM tokens, passwords): keep none once nothing watches them.
      mutations: { retry: false, gcTime: 0 },
    },
  });
  return client;
}

/** Stores a freshly received session as the current one. */
function useAdoptSession() {
  const qc = useQueryClient();
  return (session: Session) => qc.setQueryData(keys.session, session);
}

export function useLogin() {
  const adopt = useAdoptSession();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.POST('/auth/login', { body })),
    onSuccess: adopt,
  });
}

/** Signs out; the login page then drops the cache of the ended session. */
export function useLogout() {
  return useMutation({ mutationFn: () => unwrap(api.POST('/auth/logout')) });
}

export function useSwitchTenant() {
  return useMutation({
    mutationFn: (slug: string) => unwrap(api.PUT('/session/tenant', { body: { tenant: slug } })),
  });
}

export function useAcceptInvitation(token: string) {
  const adopt = useAdoptSession();
  return useMutation({
    mutationFn: (body: { name?: string; password: string }) =>
      unwrap(api.POST('/invitations/{token}/accept', { params: { path: { token } }, body })),
    onSuccess: adopt,
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) =>
      unwrap(api.POST('/account/password', { body })),
  });
}

export function useUpdateMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; roles?: Role[]; status?: 'active' | 'disabled' }) =>
      unwrap(api.PATCH('/members/{memberId}', { params: { path: { memberId: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.members }),
  });
}

export function useCreateInvite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; roles: Role[] }) => unwrap(api.POST('/invites', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.invites }),
  });
}

export function useRevokeInvite() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/invites/{inviteId}', { params: { path: { inviteId: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.invites }),
  });
}

export function useRenameTenant() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.PATCH('/tenant', { body: { name } })),
    onSuccess: (tenant) => {
      qc.setQueryData(keys.tenant, tenant);
      // The header shows the tenant name from the session.
      return qc.invalidateQueries({ queryKey: keys.session });
    },
  });
}
