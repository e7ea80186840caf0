import { useRef, useState, type FormEvent } from 'react';
import { ApiError, errorMessage, type CreatedInvite, type Role } from '../../api/client';
import { useCreateInvite } from '../../api/queries';
import { FormError, FormField, RoleCheckboxes } from '../../components/FormField';
import { formatDateTime } from '../../components/format';
import { card, primaryButton, secondaryButton, sectionTitle } from '../../components/styles';

/** Invites someone by email and shows the one-time invite link the server returns. */
export function InviteForm() {
  const create = useCreateInvite();
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [rolesError, setRolesError] = useState<string>();
  const [created, setCreated] = useState<CreatedInvite | null>(null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (roles.length === 0) {
      setRolesError('Choose at least one role.');
      return;
    }
    setRolesError(undefined);
    setCreated(null);
    create.mutate(
      { email: email.trim(), roles },
      {
        onSuccess: (invite) => {
          setCreated(invite);
          setEmail('');
          setRoles([]);
        },
      },
    );
  };

  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors : {};
  const formError = create.error && !Object.keys(fieldErrors).length ? errorMessage(create.error) : undefined;

  return (
    <section aria-labelledby="invite-title" className={card}>
      <h2 id="invite-title" className={sectionTitle}>Invite member</h2>
      <form onSubmit={onSubmit} noValidate aria-label="Invite member" className="mt-3 space-y-4">
        <FormError message={formError} />
        <div className="flex flex-wrap items-start gap-6">
          <FormField
            className="w-72"
            label="Email"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fieldErrors.email}
          />
          <RoleCheckboxes legend="Roles" value={roles} onChange={setRoles} error={rolesError ?? fieldErrors.roles} />
        </div>
        <button type="submit" className={primaryButton} disabled={create.isPending}>
          {create.isPending ? 'Sending…' : 'Send invite'}
        </button>
      </form>
      {created && <CreatedLink invite={created} onDone={() => setCreated(null)} />}
    </section>
  );
}

/** The invite link; the server returns it once, so it is shown once. */
function CreatedLink({ invite, onDone }: { invite: CreatedInvite; onDone: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const url = invite.url.startsWith('/') ? window.location.origin + invite.url : invite.url;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // No clipboard API (plain http, old browser): select it for Ctrl+C.
      inputRef.current?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
  };

  return (
    <div role="status" className="mt-4 rounded-md border border-accent-100 bg-accent-50 p-4">
      <p className="text-sm text-gray-800">
        Invitation created for <span className="font-medium">{invite.email}</span> ({invite.roles.join(', ')}).
      </p>
      <label htmlFor="invite-link" className="mt-3 block text-sm font-medium text-gray-700">
        Invite link
      </label>
      <div className="mt-1 flex gap-2">
        <input
          ref={inputRef}
          id="invite-link"
          readOnly
          value={url}
          onFocus={(e) => e.currentTarget.select()}
          className="block w-full rounded-md border border-gray-300 bg-white px-3 py-1.5 font-mono text-xs text-gray-900"
        />
        <button type="button" className={secondaryButton} onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="mt-2 text-xs text-gray-600">
        This link is shown only once: copy it now and send it to the invitee. It expires at {formatDateTime(invite.expires_at)}.
      </p>
      <button type="button" className="mt-2 text-xs font-medium text-accent-700 hover:underline" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
