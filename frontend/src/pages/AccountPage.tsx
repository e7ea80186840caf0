import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { useChangePassword } from '../api/queries';
import { FormError, FormField } from '../components/FormField';
import { Success } from '../components/states';
import { card, pageTitle, primaryButton, sectionTitle } from '../components/styles';
import { useSession } from '../features/auth/session';

const MIN_PASSWORD = 12;

/** The signed-in user's identity, memberships, and password. */
export function AccountPage() {
  const { user, tenants, tenant } = useSession();
  return (
    <div className="space-y-6">
      <h1 className={pageTitle}>Account</h1>
      <section aria-labelledby="profile-title" className={card}>
        <h2 id="profile-title" className={sectionTitle}>Profile</h2>
        <dl className="mt-3 grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
          <dt className="text-gray-500">Name</dt>
          <dd className="text-gray-900">{user.name || '—'}</dd>
          <dt className="text-gray-500">Email</dt>
          <dd className="text-gray-900">{user.email}</dd>
        </dl>
      </section>
      <section aria-labelledby="memberships-title" className={card}>
        <h2 id="memberships-title" className={sectionTitle}>Memberships</h2>
        <ul className="mt-3 divide-y divide-gray-100 text-sm">
          {tenants.map((t) => (
            <li key={t.id} className="flex justify-between py-2">
              <span className="font-medium text-gray-900">
                {t.name}
                {t.id === tenant.id && <span className="ml-1 text-xs font-normal text-gray-500">(current)</span>}
              </span>
              <span className="text-gray-600">{t.roles.join(', ')}</span>
            </li>
          ))}
        </ul>
      </section>
      <ChangePasswordForm />
    </div>
  );
}

function ChangePasswordForm() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const errs: Record<string, string> = {};
    if (!current) errs.current_password = 'Enter your current password.';
    if (next.length < MIN_PASSWORD) errs.new_password = `Use at least ${MIN_PASSWORD} characters.`;
    if (confirm !== next) errs.confirm = 'The new passwords do not match.';
    setLocalErrors(errs);
    if (Object.keys(errs).length) {
      change.reset();
      return;
    }
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          setConfirm('');
          setDone(true);
        },
      },
    );
  };

  const serverFields = change.error instanceof ApiError ? change.error.fieldErrors : {};
  const fieldErrors = { ...serverFields, ...localErrors };
  const formError = change.error && !Object.keys(serverFields).length ? errorMessage(change.error) : undefined;

  return (
    <section aria-labelledby="password-title" className={card}>
      <h2 id="password-title" className={sectionTitle}>Change password</h2>
      <p className="mt-1 text-sm text-gray-600">Your other sessions are signed out when the password changes.</p>
      <form onSubmit={onSubmit} noValidate aria-label="Change password" className="mt-3 max-w-md space-y-4">
        <FormError message={formError} />
        {done && <Success>Password changed</Success>}
        <FormField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={fieldErrors.current_password}
        />
        <FormField
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          hint={`At least ${MIN_PASSWORD} characters.`}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={fieldErrors.new_password}
        />
        <FormField
          label="Confirm new password"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={fieldErrors.confirm}
        />
        <button type="submit" className={primaryButton} disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
