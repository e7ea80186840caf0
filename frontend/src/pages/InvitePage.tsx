import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, errorMessage, type InvitationPreview } from '../api/client';
import { invitationQuery, useAcceptInvitation } from '../api/queries';
import { AuthScreen } from '../components/AuthScreen';
import { FormError, FormField } from '../components/FormField';
import { ErrorState, Loading } from '../components/states';
import { primaryButton } from '../components/styles';
import { homePath } from '../features/auth/nav';

const MIN_PASSWORD = 12;

/** What a dead invite link says, by the status the server answered. */
function deadLinkMessage(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status === 404) return 'This invite link is invalid';
  if (err.status === 410) return 'This invite link has expired or was revoked';
  return null;
}

/** Landing page of an invite link: shows the invitation and accepts it. */
export function InvitePage() {
  const { token = '' } = useParams();
  const { data, error, isPending, refetch } = useQuery(invitationQuery(token));

  if (isPending) return <AuthScreen title="Invitation"><Loading /></AuthScreen>;
  if (error) {
    const dead = deadLinkMessage(error);
    return (
      <AuthScreen title={dead ?? 'Invitation'}>
        {dead ? (
          <p className="text-sm text-gray-600">
            Ask an admin of the workspace for a new invite, or <Link className="text-accent-700 underline" to="/login">sign in</Link>.
          </p>
        ) : (
          <ErrorState error={error} title="Could not load this invitation" onRetry={() => void refetch()} />
        )}
      </AuthScreen>
    );
  }
  return (
    <AuthScreen title={`Join ${data.tenant_name} as ${data.roles.join(', ')}`}>
      <AcceptForm token={token} invitation={data} />
    </AuthScreen>
  );
}

function AcceptForm({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const navigate = useNavigate();
  const accept = useAcceptInvitation(token);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [localError, setLocalError] = useState<Record<string, string>>({});
  const isNew = !invitation.existing_user;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (isNew && !name.trim()) errs.name = 'Enter your name.';
    if (isNew && password.length < MIN_PASSWORD) errs.password = `Use at least ${MIN_PASSWORD} characters.`;
    if (!isNew && !password) errs.password = 'Enter your password.';
    setLocalError(errs);
    if (Object.keys(errs).length) {
      accept.reset();
      return;
    }
    accept.mutate(isNew ? { name: name.trim(), password } : { password }, {
      onSuccess: (s) => void navigate(homePath(s.permissions), { replace: true }),
    });
  };

  const serverFields = accept.error instanceof ApiError ? accept.error.fieldErrors : {};
  const fieldErrors = { ...serverFields, ...localError };
  const formError =
    accept.error && !Object.keys(serverFields).length ? deadLinkMessage(accept.error) ?? errorMessage(accept.error) : undefined;

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Accept invitation">
      <p className="text-sm text-gray-600">
        This invitation is for <span className="font-medium text-gray-900">{invitation.email}</span>
        {invitation.existing_user ? '. Confirm with the password of your existing account.' : '.'}
      </p>
      <FormError message={formError} />
      {isNew && (
        <FormField label="Your name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} error={fieldErrors.name} />
      )}
      <FormField
        label={isNew ? 'Choose a password' : 'Your password'}
        type="password"
        autoComplete={isNew ? 'new-password' : 'current-password'}
        required
        minLength={isNew ? MIN_PASSWORD : undefined}
        hint={isNew ? `At least ${MIN_PASSWORD} characters.` : undefined}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldErrors.password}
      />
      <button type="submit" className={`${primaryButton} w-full`} disabled={accept.isPending}>
        {accept.isPending ? 'Joining…' : 'Accept invitation'}
      </button>
    </form>
  );
}
