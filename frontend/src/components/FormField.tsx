import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { ApiError, errorMessage, ROLES, type Role } from '../api/client';
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

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> & {
  label: string;
  error?: string;
  hint?: ReactNode;
};

/** A labelled multi-line input, with its error tied to it like FormField's. */
export function TextAreaField({ label, error, hint, className, ...areaProps }: TextAreaProps) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-gray-700">
        {label}
      </label>
      <textarea id={id} rows={2} className={`${input} mt-1`} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...areaProps} />
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-gray-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
  label: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
};

/** A labelled select, with its error tied to it like FormField's. */
export function SelectField({ label, error, hint, className, children, ...selectProps }: SelectProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-gray-700">
        {label}
      </label>
      <select
        id={id}
        className={`${input} mt-1 pr-8`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...selectProps}
      >
        {children}
      </select>
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

type CheckboxProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'> & { label: ReactNode; error?: string };

/** A checkbox with its label to the right. */
export function CheckboxField({ label, error, className, ...inputProps }: CheckboxProps) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="inline-flex items-center gap-2 text-sm text-gray-700">
        <input
          id={id}
          type="checkbox"
          className="size-4 rounded border-gray-300 accent-accent-600"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          {...inputProps}
        />
        {label}
      </label>
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-red-700">
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
export function RoleCheckboxes(props: RoleCheckboxesProps) {
  return <CheckboxGroup<Role> {...props} options={ROLES} />;
}

interface CheckboxGroupProps<T extends string> {
  legend: string;
  options: readonly T[];
  value: readonly T[];
  onChange: (value: T[]) => void;
  error?: string;
  disabled?: boolean;
  legendHidden?: boolean;
}

/** One checkbox per option, in a fieldset; the value keeps the options' order. */
export function CheckboxGroup<T extends string>({ legend, options, value, onChange, error, disabled, legendHidden }: CheckboxGroupProps<T>) {
  const id = useId();
  const toggle = (option: T, on: boolean) => onChange(options.filter((o) => (o === option ? on : value.includes(o))));
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend className={legendHidden ? 'sr-only' : 'text-sm font-medium text-gray-700'}>{legend}</legend>
      <div className={`flex flex-wrap gap-x-4 gap-y-1 ${legendHidden ? '' : 'mt-1'}`}>
        {options.map((option) => (
          <label key={option} htmlFor={`${id}-${option}`} className="inline-flex items-center gap-1.5 text-sm text-gray-700">
            <input
              id={`${id}-${option}`}
              type="checkbox"
              className="size-4 rounded border-gray-300 accent-accent-600"
              checked={value.includes(option)}
              disabled={disabled}
              onChange={(e) => toggle(option, e.target.checked)}
            />
            {option}
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

/** Field errors that belong to no input on screen, listed with the field they name. */
export function FieldErrorList({ title, errors }: { title: string; errors: Record<string, string> }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      <p className="font-medium">{title}</p>
      <ul className="mt-1 list-disc space-y-0.5 pl-5">
        {entries.map(([field, message]) => (
          <li key={field}>
            <code className="font-mono text-xs">{field}</code>: {message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * A failed call's field errors: `all` of them, the `rest` that no input among
 * `shown` displays, and a form-level message when there are none.
 */
export function splitErrors(error: unknown, shown: readonly string[]) {
  const all = error instanceof ApiError ? error.fieldErrors : {};
  const rest = Object.fromEntries(Object.entries(all).filter(([k]) => !shown.includes(k)));
  const formError = error && Object.keys(all).length === 0 ? errorMessage(error) : undefined;
  return { all, rest, formError };
}
