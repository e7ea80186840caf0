import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/client';
import { useLogin } from '../api/queries';
import { FormError, FormField } from '../components/FormField';
import { AuthScreen } from '../components/AuthScreen';
import { primaryButton } from '../components/styles';
import { homePath, safeNext } from '../features/auth/nav';

/** Sign-in with email and password. */
export function LoginPage() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  // Whatever is cached belongs to a session that has ended.
  useEffect(() => {
    qc.clear();
  }, [qc]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(
      { email: email.trim(), password },
      { onSuccess: (s) => void navigate(safeNext(params.get('next')) ?? homePath(s.permissions), { replace: true }) },
    );
  };

  const fieldErrors = login.error instanceof ApiError ? login.error.fieldErrors : {};
  const formError = login.error && !Object.keys(fieldErrors).length ? errorMessage(login.error) : undefined;

  return (
    <AuthScreen title="Sign in to Countersign">
      <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Sign in">
        <FormError message={formError} />
        <FormField
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fieldErrors.email}
        />
        <FormField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fieldErrors.password}
        />
        <button type="submit" className={`${primaryButton} w-full`} disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthScreen>
  );
}
