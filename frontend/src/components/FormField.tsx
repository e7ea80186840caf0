import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import { ROLES, type Role } from '../api/client';
import { input } from './styles';

type FieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & {
  label: string;
  error?: string;
  hint?: ReactNode;
};

/** A labelled input whose error is tied to it (aria-invalid + aria-describedby) and announced. */
export function FormField({ label, error, hint, className, ...inputProps }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-gray-700">
        {label}
      </label>
      <input
        id={id}
        className={`${input} mt-1`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...inputProps}
      />
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-gray-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

/** A form-level error message (not tied to one input). */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {message}
    </p>
  );
}

interface RoleCheckboxesProps {
  legend: string;
  value: readonly Role[];
  onChange: (roles: Role[]) => void;
  error?: string;
  disabled?: boolean;
  /** Hide the legend visually (it stays for screen readers), e.g. inside a table row. */
  legendHidden?: boolean;
}

/** One checkbox per role, in a fieldset, each labelled with the role's name. */
export function RoleCheckboxes({ legend, value, onChange, error, disabled, legendHidden }: RoleCheckboxesProps) {
  const id = useId();
  const toggle = (role: Role, on: boolean) =>
    onChange(ROLES.filter((r) => (r === role ? on : value.includes(r))));
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend className={legendHidden ? 'sr-only' : 'text-sm font-medium text-gray-700'}>{legend}</legend>
      <div className={`flex flex-wrap gap-x-4 gap-y-1 ${legendHidden ? '' : 'mt-1'}`}>
        {ROLES.map((role) => (
          <label key={role} htmlFor={`${id}-${role}`} className="inline-flex items-center gap-1.5 text-sm text-gray-700">
            <input
              id={`${id}-${role}`}
              type="checkbox"
              className="size-4 rounded border-gray-300 accent-accent-600"
              checked={value.includes(role)}
              disabled={disabled}
              onChange={(e) => toggle(role, e.target.checked)}
            />
            {role}
          </label>
        ))}
      </div>
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}
