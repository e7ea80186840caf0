import { useRef, useState, type FormEvent } from 'react';
import type { Agent, AgentInput } from '../../api/client';
import { useUpdateAgent } from '../../api/agents';
import { FieldErrorList, FormError, FormField, splitErrors, TextAreaField } from '../../components/FormField';
import { formatCount } from '../../components/format';
import { Success } from '../../components/states';
import { input, primaryButton, secondaryButton } from '../../components/styles';

interface CapRow {
  key: string;
  cap: string;
}

const rowsOf = (caps: Agent['field_caps']): CapRow[] =>
  Object.entries(caps).sort(([a], [b]) => a.localeCompare(b)).map(([key, cap]) => ({ key, cap: String(cap) }));

const isWhole = (s: string) => /^\d+$/.test(s.trim()) && Number(s) >= 1;

/** Client checks of the settings; the server checks again. */
function check(cap: string, multiplier: string, rows: readonly CapRow[]): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!isWhole(cap)) errors.velocity_cap = 'A whole number of records per hour, at least 1.';
  if (!isWhole(multiplier)) errors.hard_cap_multiplier = 'A whole number, at least 1.';
  rows.forEach((r, i) => {
    if (!/^[^.\s]+\.[^.\s]+$/.test(r.key.trim())) errors[`row${i}`] = 'Name the field as object.field, e.g. deals.amount.';
    else if (!isWhole(r.cap)) errors[`row${i}`] = 'A whole number of records per hour, at least 1.';
  });
  return errors;
}

/** Name, description, velocity caps (overall and per field) and the feedback webhook of an agent. */
export function SettingsForm({ agent }: { agent: Agent }) {
  const update = useUpdateAgent(agent.id);
  const [name, setName] = useState(agent.name);
  const [description, setDescription] = useState(agent.description);
  const [cap, setCap] = useState(String(agent.velocity_cap));
  const [multiplier, setMultiplier] = useState(String(agent.hard_cap_multiplier));
  const [rows, setRows] = useState<CapRow[]>(() => rowsOf(agent.field_caps));
  const [webhook, setWebhook] = useState(agent.webhook_url);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);

  const edit = <T,>(setter: (v: T) => void) => (v: T) => {
    setSaved(false);
    setter(v);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const errors = check(cap, multiplier, rows);
    if (!name.trim()) errors.name = 'Name the agent.';
    setLocalErrors(errors);
    if (Object.keys(errors).length) return;
    const body: AgentInput = {
      name: name.trim(),
      description: description.trim(),
      velocity_cap: Number(cap),
      hard_cap_multiplier: Number(multiplier),
      field_caps: Object.fromEntries(rows.map((r) => [r.key.trim(), Number(r.cap)])),
      webhook_url: webhook.trim(),
    };
    update.mutate(body, { onSuccess: () => setSaved(true) });
  };

  const capKeys = rows.map((r) => `field_caps.${r.key.trim()}`);
  const { all, rest, formError } = splitErrors(update.error, ['name', 'description', 'velocity_cap', 'hard_cap_multiplier', 'webhook_url', ...capKeys]);
  const errors = { ...all, ...localErrors };
  const hardCap = isWhole(cap) && isWhole(multiplier) ? Number(cap) * Number(multiplier) : undefined;

  return (
    <form aria-label="Agent settings" onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <FieldErrorList title="The settings were refused:" errors={rest} />
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField label="Name" required value={name} error={errors.name} onChange={(e) => edit(setName)(e.target.value)} />
        <FormField
          label="Webhook URL"
          type="url"
          placeholder="https://hooks.example.com/…"
          value={webhook}
          error={errors.webhook_url}
          hint="Optional. Receives the agent's feedback events, HMAC-signed, Slack-compatible."
          onChange={(e) => edit(setWebhook)(e.target.value)}
        />
        <TextAreaField className="sm:col-span-2" label="Description" value={description} error={errors.description} onChange={(e) => edit(setDescription)(e.target.value)} />
        <FormField
          label="Velocity cap"
          type="number"
          min={1}
          value={cap}
          error={errors.velocity_cap}
          hint="Distinct records per rolling hour; beyond it the breaker trips: no auto-apply, everything to review, an alert."
          onChange={(e) => edit(setCap)(e.target.value)}
        />
        <FormField
          label="Hard cap multiplier"
          type="number"
          min={1}
          value={multiplier}
          error={errors.hard_cap_multiplier}
          hint={hardCap ? `Past ${formatCount(hardCap)} records in an hour, intake answers 429 until the breaker is reset.` : 'Past the cap × this, intake answers 429.'}
          onChange={(e) => edit(setMultiplier)(e.target.value)}
        />
      </div>
      <WebhookStatus agent={agent} showSecret />
      <FieldCaps rows={rows} onChange={edit(setRows)} errors={errors} />
      {saved && <Success>Settings saved.</Success>}
      <button type="submit" className={primaryButton} disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save settings'}
      </button>
    </form>
  );
}

function FieldCaps({ rows, onChange, errors }: { rows: CapRow[]; onChange: (rows: CapRow[]) => void; errors: Record<string, string> }) {
  const set = (i: number, patch: Partial<CapRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-gray-700">Per-field caps</legend>
      <p className="text-xs text-gray-500">Optional tighter limits for single fields, in distinct records per hour.</p>
      {rows.map((r, i) => (
        <div key={i} className="flex flex-wrap items-start gap-2">
          <FormField
            className="w-56"
            label={`Field ${i + 1}`}
            placeholder="object.field"
            value={r.key}
            error={errors[`row${i}`] ?? errors[`field_caps.${r.key.trim()}`]}
            onChange={(e) => set(i, { key: e.target.value })}
          />
          <span aria-hidden className="pt-7 text-gray-400">→</span>
          <FormField className="w-28" label={`Cap ${i + 1}`} type="number" min={1} value={r.cap} onChange={(e) => set(i, { cap: e.target.value })} />
          <button type="button" className={`${secondaryButton} mt-6`} onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove field cap ${r.key || i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="text-sm font-medium text-accent-700 hover:underline" onClick={() => onChange([...rows, { key: '', cap: '10' }])}>
        Add field cap
      </button>
    </fieldset>
  );
}

/** The same settings, read-only. */
export function SettingsFacts({ agent }: { agent: Agent }) {
  const caps = rowsOf(agent.field_caps);
  return (
    <dl className="grid grid-cols-[11rem_1fr] gap-x-3 gap-y-2 text-sm">
      <dt className="text-gray-500">Velocity cap</dt>
      <dd className="text-gray-900">{formatCount(agent.velocity_cap)} distinct records per hour</dd>
      <dt className="text-gray-500">Hard cap</dt>
      <dd className="text-gray-900">
        {formatCount(agent.velocity_cap * agent.hard_cap_multiplier)} records per hour (× {agent.hard_cap_multiplier}), then 429
      </dd>
      <dt className="text-gray-500">Per-field caps</dt>
      <dd className="text-gray-900">
        {caps.length === 0 ? '—' : caps.map((c) => (
          <span key={c.key} className="block">
            <span className="font-mono text-xs">{c.key}</span> → {c.cap}
          </span>
        ))}
      </dd>
      <dt className="text-gray-500">Webhook URL</dt>
      <dd className="space-y-2 break-all text-gray-900">
        {agent.webhook_url || '—'}
        <WebhookStatus agent={agent} />
      </dd>
    </dl>
  );
}

/** The webhook's last delivery failure, and (for admins) the secret receivers verify signatures with. */
function WebhookStatus({ agent, showSecret }: { agent: Agent; showSecret?: boolean }) {
  const secretRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  if (!agent.webhook_url) return null;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(agent.webhook_secret ?? '');
    } catch {
      secretRef.current?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
  };
  return (
    <div className="space-y-2">
      {agent.webhook_error && (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Last delivery failed: {agent.webhook_error}. Deliveries are retried until the endpoint answers 2xx.
        </p>
      )}
      {showSecret && agent.webhook_secret && (
        <div className="max-w-xl">
          <label htmlFor="webhook-secret" className="block text-sm font-medium text-gray-700">
            Webhook signing secret
          </label>
          <div className="mt-1 flex gap-2">
            <input ref={secretRef} id="webhook-secret" readOnly value={agent.webhook_secret} spellCheck={false} onFocus={(e) => e.currentTarget.select()} className={`${input} font-mono text-xs`} />
            <button type="button" className={secondaryButton} onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p className="mt-1 text-xs text-gray-500">
            Each delivery carries <code className="font-mono">X-Countersign-Signature: sha256=…</code>, the HMAC-SHA256 of the body with this secret, in hex.
          </p>
        </div>
      )}
    </div>
  );
}
