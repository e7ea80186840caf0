import { useRef, useState, type FormEvent } from 'react';
import { errorMessage, type Agent, type AgentKey, type CreatedAgentKey } from '../../api/client';
import { useCreateAgentKey, useRevokeAgentKey } from '../../api/agents';
import { Modal } from '../../components/Dialog';
import { FormError, FormField, splitErrors } from '../../components/FormField';
import { formatDateTime } from '../../components/format';
import { Empty } from '../../components/states';
import { dangerButton, input, primaryButton, secondaryButton } from '../../components/styles';
import { Badge, cell, Table } from '../../components/Table';

/** An agent's API keys: listed by prefix only; created (secret shown once) and revoked by admins. */
export function KeysSection({ agent, canManage }: { agent: Agent; canManage: boolean }) {
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AgentKey | null>(null);
  const keys = [...agent.keys].sort((a, b) => Number(Boolean(a.revoked_at)) - Number(Boolean(b.revoked_at)) || b.created_at.localeCompare(a.created_at));
  const headers = ['Name', 'Key', 'Created', 'Last used', 'Status'];
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-gray-600">The agent sends one as <code className="font-mono text-xs">Authorization: Bearer …</code>. Only a hash is stored.</p>
        {canManage && (
          <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
            Create key
          </button>
        )}
      </div>
      {keys.length === 0 ? (
        <Empty>No keys yet: the agent cannot authenticate until it has one.</Empty>
      ) : (
        <Table caption="API keys" headers={canManage ? [...headers, 'Actions'] : headers}>
          {keys.map((k) => (
            <tr key={k.id} className={k.revoked_at ? 'text-gray-400' : undefined}>
              <td className={cell}>{k.name || <span className="text-gray-400">unnamed</span>}</td>
              <td className={`${cell} font-mono text-xs whitespace-nowrap`}>{k.prefix}…</td>
              <td className={`${cell} whitespace-nowrap`}>{formatDateTime(k.created_at)}</td>
              <td className={`${cell} whitespace-nowrap`}>{k.last_used_at ? formatDateTime(k.last_used_at) : <span className="text-gray-400">never</span>}</td>
              <td className={cell}>
                {k.revoked_at ? <Badge tone="gray" title={`Revoked ${formatDateTime(k.revoked_at)}`}>revoked {formatDateTime(k.revoked_at)}</Badge> : <Badge tone="green">active</Badge>}
              </td>
              {canManage && (
                <td className={cell}>
                  {!k.revoked_at && (
                    <button type="button" className={dangerButton} onClick={() => setRevoking(k)} aria-label={`Revoke key ${k.prefix}`}>
                      Revoke
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </Table>
      )}
      {creating && <CreateKeyDialog agent={agent} onClose={() => setCreating(false)} />}
      {revoking && <RevokeKeyDialog agentId={agent.id} apiKey={revoking} onClose={() => setRevoking(null)} />}
    </div>
  );
}

/** Names and issues a key, then shows its secret this once. */
function CreateKeyDialog({ agent, onClose }: { agent: Agent; onClose: () => void }) {
  const create = useCreateAgentKey(agent.id);
  const [name, setName] = useState('');
  // Closing drops the answer (and with it the only copy of the secret) from memory.
  const close = () => {
    create.reset();
    onClose();
  };
  if (create.data) return <NewKeySecret created={create.data} onClose={close} />;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name.trim());
  };
  const { all, formError } = splitErrors(create.error, ['name']);
  return (
    <Modal label={`Create a key for ${agent.name}`} onClose={close}>
      <form aria-label="Create key" onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={formError} />
        <FormField label="Key name (optional)" value={name} error={all.name} placeholder="e.g. production" onChange={(e) => setName(e.target.value)} />
        <p className="text-xs text-gray-500">The key is shown once, right after it is created.</p>
        <div className="flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={close}>
            Cancel
          </button>
          <button type="submit" className={primaryButton} disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function NewKeySecret({ created, onClose }: { created: CreatedAgentKey; onClose: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
    } catch {
      // No clipboard API (plain http, old browser): select it for Ctrl+C.
      inputRef.current?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
  };
  return (
    <Modal
      label="API key created"
      subtitle={created.name ? `Key “${created.name}”` : undefined}
      onClose={onClose}
      footer={
        <button type="button" className={primaryButton} onClick={onClose}>
          Done
        </button>
      }
    >
      <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900">
        Copy it now: it will not be shown again
      </p>
      <div>
        <label htmlFor="new-api-key" className="block text-sm font-medium text-gray-700">
          New API key
        </label>
        <div className="mt-1 flex gap-2">
          <input
            ref={inputRef}
            id="new-api-key"
            readOnly
            value={created.secret}
            spellCheck={false}
            autoComplete="off"
            onFocus={(e) => e.currentTarget.select()}
            className={`${input} font-mono text-xs`}
          />
          <button type="button" className={secondaryButton} onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      </div>
      <p className="text-xs text-gray-600">
        Countersign keeps only its hash; afterwards the key is listed by its prefix <span className="font-mono">{created.prefix}…</span>. Lost it? Create another and revoke this one.
      </p>
    </Modal>
  );
}

function RevokeKeyDialog({ agentId, apiKey, onClose }: { agentId: string; apiKey: AgentKey; onClose: () => void }) {
  const revoke = useRevokeAgentKey(agentId);
  return (
    <Modal
      label={`Revoke key ${apiKey.prefix}…?`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          <button type="button" className={dangerButton} disabled={revoke.isPending} onClick={() => revoke.mutate(apiKey.id, { onSuccess: onClose })}>
            {revoke.isPending ? 'Revoking…' : 'Revoke key'}
          </button>
        </>
      }
    >
      <p className="text-sm text-gray-700">
        Any agent still using <span className="font-mono">{apiKey.prefix}…</span>
        {apiKey.name && ` (“${apiKey.name}”)`} is refused from now on. This cannot be undone.
      </p>
      {revoke.error && <FormError message={errorMessage(revoke.error)} />}
    </Modal>
  );
}
