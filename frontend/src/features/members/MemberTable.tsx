import { useState } from 'react';
import { ApiError, errorMessage, type Member, type Role } from '../../api/client';
import { useUpdateMember } from '../../api/queries';
import { Modal } from '../../components/Dialog';
import { RoleCheckboxes } from '../../components/FormField';
import { Badge, cell, Table } from '../../components/Table';
import { dangerButton, primaryButton, secondaryButton } from '../../components/styles';

interface Props {
  members: Member[];
  canManage: boolean;
  currentUserId: string;
}

/** The tenant's members; with `canManage`, each row edits roles and status. */
export function MemberTable({ members, canManage, currentUserId }: Props) {
  const headers = canManage ? ['Name', 'Email', 'Roles', 'Status', 'Actions'] : ['Name', 'Email', 'Roles', 'Status'];
  return (
    <Table caption="Members" headers={headers}>
      {members.map((m) =>
        canManage ? (
          <ManagedRow key={`${m.id}:${m.roles.join()}:${m.status}`} member={m} isSelf={m.user_id === currentUserId} />
        ) : (
          <tr key={m.id}>
            <NameCell member={m} isSelf={m.user_id === currentUserId} />
            <td className={cell}>{m.email}</td>
            <td className={cell}>{m.roles.join(', ')}</td>
            <td className={cell}><StatusBadge status={m.status} /></td>
          </tr>
        ),
      )}
    </Table>
  );
}

function NameCell({ member, isSelf }: { member: Member; isSelf: boolean }) {
  return (
    <td className={`${cell} font-medium text-gray-900`}>
      {member.name || '—'}
      {isSelf && <span className="ml-1 text-xs font-normal text-gray-500">(you)</span>}
    </td>
  );
}

function StatusBadge({ status }: { status: Member['status'] }) {
  return status === 'active' ? <Badge tone="green">active</Badge> : <Badge tone="gray">disabled</Badge>;
}

// Keyed by the member's server state, so a refetch resets the edits.
function ManagedRow({ member, isSelf }: { member: Member; isSelf: boolean }) {
  const [roles, setRoles] = useState<Role[]>(member.roles);
  const update = useUpdateMember();
  const changed = roles.slice().sort().join() !== member.roles.slice().sort().join();
  const disabled = member.status === 'disabled';
  const [confirming, setConfirming] = useState(false);

  return (
    <tr>
      <NameCell member={member} isSelf={isSelf} />
      <td className={cell}>{member.email}</td>
      <td className={cell}>
        <RoleCheckboxes legend={`Roles for ${member.email}`} legendHidden value={roles} onChange={setRoles} disabled={update.isPending} />
      </td>
      <td className={cell}><StatusBadge status={member.status} /></td>
      <td className={cell}>
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            className={primaryButton}
            disabled={!changed || roles.length === 0 || update.isPending}
            onClick={() => update.mutate({ id: member.id, roles })}
          >
            Save roles
          </button>
          <button
            type="button"
            className={disabled ? secondaryButton : dangerButton}
            disabled={update.isPending}
            onClick={() => (disabled ? update.mutate({ id: member.id, status: 'active' }) : setConfirming(true))}
          >
            {disabled ? 'Enable' : 'Disable'}
          </button>
        </div>
        {confirming && (
          <ConfirmDisable
            member={member}
            busy={update.isPending}
            onCancel={() => setConfirming(false)}
            onConfirm={() => update.mutate({ id: member.id, status: 'disabled' }, { onSettled: () => setConfirming(false) })}
          />
        )}
        {roles.length === 0 && <p className="mt-1 text-xs text-gray-500">A member needs at least one role.</p>}
        {update.error && (
          <p role="alert" className="mt-1 max-w-xs text-sm text-red-700">
            {rowError(update.error)}
          </p>
        )}
      </td>
    </tr>
  );
}

/** Disabling signs a person out everywhere in this tenant: it is asked once more, Cancel first. */
function ConfirmDisable({ member, busy, onCancel, onConfirm }: { member: Member; busy: boolean; onCancel: () => void; onConfirm: () => void }) {
  const who = member.name ? `${member.name} (${member.email})` : member.email;
  return (
    <Modal label={`Disable ${member.email}?`} onClose={onCancel}>
      <div className="space-y-4">
        <p className="text-sm text-gray-700">
          {who} will be signed out at once and can no longer sign in to this tenant. Their history stays; you can enable them again later.
        </p>
        <div className="flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={onCancel} autoFocus>
            Cancel
          </button>
          <button type="button" className={dangerButton} disabled={busy} onClick={onConfirm}>
            {busy ? 'Disabling…' : 'Disable member'}
          </button>
        </div>
      </div>
    </Modal>
  );
}

function rowError(err: unknown): string {
  const fields = err instanceof ApiError ? Object.values(err.fieldErrors) : [];
  return fields.length ? fields.join(' ') : errorMessage(err);
}
