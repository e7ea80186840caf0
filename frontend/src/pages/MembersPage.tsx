import { useQuery } from '@tanstack/react-query';
import { invitesQuery, membersQuery } from '../api/queries';
import { Empty, ErrorState, Loading } from '../components/states';
import { pageTitle, sectionTitle } from '../components/styles';
import { useCan, useSession } from '../features/auth/session';
import { InviteForm } from '../features/members/InviteForm';
import { InviteList } from '../features/members/InviteList';
import { MemberTable } from '../features/members/MemberTable';

/** Members of the current tenant, their roles, and invitations. */
export function MembersPage() {
  const canManage = useCan('members.manage');
  return (
    <div className="space-y-8">
      <h1 className={pageTitle}>Members</h1>
      <MembersSection canManage={canManage} />
      {canManage && <InviteForm />}
      <InvitesSection canManage={canManage} />
    </div>
  );
}

function MembersSection({ canManage }: { canManage: boolean }) {
  const { user } = useSession();
  const { data, error, isPending, refetch } = useQuery(membersQuery());
  return (
    <section aria-labelledby="members-title" className="space-y-3">
      <h2 id="members-title" className="sr-only">Member list</h2>
      {isPending ? (
        <Loading label="Loading members…" />
      ) : error ? (
        <ErrorState error={error} title="Could not load members" onRetry={() => void refetch()} />
      ) : data.length === 0 ? (
        <Empty>No members yet.</Empty>
      ) : (
        <MemberTable members={data} canManage={canManage} currentUserId={user.id} />
      )}
    </section>
  );
}

function InvitesSection({ canManage }: { canManage: boolean }) {
  const { data, error, isPending, refetch } = useQuery(invitesQuery());
  return (
    <section aria-labelledby="invites-title" className="space-y-3">
      <h2 id="invites-title" className={sectionTitle}>Pending invites</h2>
      {isPending ? (
        <Loading label="Loading invites…" />
      ) : error ? (
        <ErrorState error={error} title="Could not load invites" onRetry={() => void refetch()} />
      ) : data.length === 0 ? (
        <Empty>No pending invites.</Empty>
      ) : (
        <InviteList invites={data} canManage={canManage} />
      )}
    </section>
  );
}
