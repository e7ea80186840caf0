import { errorMessage, type Invite } from '../../api/client';
import { useRevokeInvite } from '../../api/queries';
import { formatDateTime } from '../../components/format';
import { Badge, cell, Table } from '../../components/Table';
import { dangerButton } from '../../components/styles';

/** Invitations not yet accepted; with `canManage`, each can be revoked. */
export function InviteList({ invites, canManage }: { invites: Invite[]; canManage: boolean }) {
  const headers = ['Email', 'Roles', 'Expires', 'Status', 'Invited by'];
  return (
    <Table caption="Pending invites" headers={canManage ? [...headers, 'Actions'] : headers}>
      {invites.map((inv) => (
        <InviteRow key={inv.id} invite={inv} canManage={canManage} />
      ))}
    </Table>
  );
}

function InviteRow({ invite, canManage }: { invite: Invite; canManage: boolean }) {
  const revoke = useRevokeInvite();
  return (
    <tr>
      <td className={`${cell} font-medium text-gray-900`}>{invite.email}</td>
      <td className={cell}>{invite.roles.join(', ')}</td>
      <td className={cell}>{formatDateTime(invite.expires_at)}</td>
      <td className={cell}>
        {invite.status === 'pending' ? <Badge tone="amber">pending</Badge> : <Badge tone="gray">expired</Badge>}
      </td>
      <td className={cell}>{invite.invited_by}</td>
      {canManage && (
        <td className={cell}>
          <button type="button" className={dangerButton} disabled={revoke.isPending} onClick={() => revoke.mutate(invite.id)}>
            {revoke.isPending ? 'Revoking…' : 'Revoke'}
          </button>
          {revoke.error && (
            <p role="alert" className="mt-1 text-sm text-red-700">
              {errorMessage(revoke.error)}
            </p>
          )}
        </td>
      )}
    </tr>
  );
}
