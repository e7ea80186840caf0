import { useId, useRef, useState, type ChangeEvent } from 'react';
import { ApiError, errorMessage, type PolicyImportResult } from '../../api/client';
import { useExportPolicies, useImportPolicies } from '../../api/catalog';
import { Modal } from '../../components/Dialog';
import { FieldErrorList, FormError } from '../../components/FormField';
import { formatCount } from '../../components/format';
import { Success } from '../../components/states';
import { cell, Table } from '../../components/Table';
import { input, primaryButton, secondaryButton } from '../../components/styles';
import { ChangeList } from './ChangeList';
import { policyDiff } from './policyDiff';

export const EXPORT_FILE_NAME = 'countersign-policies.yaml';

/** Saves text as a file through the browser's download. */
function downloadText(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** "Export YAML" and, for admins, "Import YAML", with their dialogs. */
export function PolicyYamlActions({ connectionId, canManage }: { connectionId?: string; canManage: boolean }) {
  const exporter = useExportPolicies();
  const [exported, setExported] = useState<{ yaml: string; fields: number } | null>(null);
  const [importing, setImporting] = useState(false);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        className={secondaryButton}
        disabled={exporter.isPending}
        onClick={() => exporter.mutate(connectionId, { onSuccess: setExported })}
      >
        {exporter.isPending ? 'Exporting…' : 'Export YAML'}
      </button>
      {canManage && (
        <button type="button" className={secondaryButton} onClick={() => setImporting(true)}>
          Import YAML
        </button>
      )}
      {exporter.error && (
        <span role="alert" className="text-sm text-red-700">
          {errorMessage(exporter.error)}
        </span>
      )}
      {exported && <ExportDialog {...exported} onClose={() => setExported(null)} />}
      {importing && <ImportDialog onClose={() => setImporting(false)} />}
    </div>
  );
}

function ExportDialog({ yaml, fields, onClose }: { yaml: string; fields: number; onClose: () => void }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(yaml);
    } catch {
      area.current?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
  };
  return (
    <Modal
      wide
      label="Exported policies"
      subtitle={`${formatCount(fields)} field ${fields === 1 ? 'policy' : 'policies'} as YAML — keep it in version control and import it back.`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className={secondaryButton} onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          <button type="button" className={primaryButton} onClick={() => downloadText(EXPORT_FILE_NAME, yaml)}>
            Download {EXPORT_FILE_NAME}
          </button>
        </>
      }
    >
      <label htmlFor="exported-yaml" className="sr-only">
        Exported YAML
      </label>
      <textarea ref={area} id="exported-yaml" readOnly value={yaml} rows={18} className={`${input} font-mono text-xs`} />
    </Modal>
  );
}

function ImportDialog({ onClose }: { onClose: () => void }) {
  const id = useId();
  const preview = useImportPolicies();
  const apply = useImportPolicies();
  const [yaml, setYaml] = useState('');
  const [diff, setDiff] = useState<PolicyImportResult | null>(null);
  const [applied, setApplied] = useState<PolicyImportResult | null>(null);

  const edit = (text: string) => {
    setYaml(text);
    setDiff(null);
    preview.reset();
    apply.reset();
  };
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) edit(await file.text());
  };
  const error = apply.error ?? preview.error;
  const fieldErrors = error instanceof ApiError ? error.fieldErrors : {};
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  const changes = diff?.changes.length ?? 0;

  if (applied) {
    return (
      <Modal label="Import policies" onClose={onClose} footer={<button type="button" className={primaryButton} onClick={onClose}>Done</button>}>
        <Success>
          Applied {formatCount(applied.changes.length)} {applied.changes.length === 1 ? 'change' : 'changes'}.
        </Success>
      </Modal>
    );
  }

  return (
    <Modal
      wide
      label="Import policies"
      subtitle="Preview what the YAML would change, then apply it. Nothing changes until you apply."
      onClose={onClose}
      footer={
        <>
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          <button type="button" className={secondaryButton} disabled={!yaml.trim() || preview.isPending} onClick={() => preview.mutate({ yaml, dry_run: true }, { onSuccess: setDiff })}>
            {preview.isPending ? 'Checking…' : 'Preview changes'}
          </button>
          {diff && (
            <button type="button" className={primaryButton} disabled={changes === 0 || apply.isPending} onClick={() => apply.mutate({ yaml, dry_run: false }, { onSuccess: setApplied })}>
              {apply.isPending ? 'Applying…' : `Apply ${formatCount(changes)} ${changes === 1 ? 'change' : 'changes'}`}
            </button>
          )}
        </>
      }
    >
      {error && !hasFieldErrors && <FormError message={errorMessage(error)} />}
      {hasFieldErrors && <FieldErrorList title={(error instanceof ApiError && error.detail) || 'The YAML has errors:'} errors={fieldErrors} />}
      <div>
        <label htmlFor={`${id}-yaml`} className="block text-sm font-medium text-gray-700">
          Policies YAML
        </label>
        <textarea
          id={`${id}-yaml`}
          rows={12}
          value={yaml}
          spellCheck={false}
          aria-invalid={hasFieldErrors || undefined}
          onChange={(e) => edit(e.target.value)}
          className={`${input} mt-1 font-mono text-xs`}
        />
      </div>
      <div>
        <label htmlFor={`${id}-file`} className="block text-sm font-medium text-gray-700">
          Or load a file
        </label>
        <input id={`${id}-file`} type="file" accept=".yaml,.yml,application/yaml,text/yaml,text/plain" onChange={(e) => void onFile(e)} className="mt-1 block text-sm text-gray-700" />
      </div>
      {diff && <ImportDiff result={diff} />}
    </Modal>
  );
}

function ImportDiff({ result }: { result: PolicyImportResult }) {
  const unchanged = `${formatCount(result.unchanged)} unchanged`;
  if (result.changes.length === 0) return <p className="text-sm text-gray-600">Nothing to change — {unchanged}.</p>;
  return (
    <section aria-label="Changes to apply" className="space-y-2">
      <Table caption="Changes to apply" headers={['Connection', 'Object', 'Field', 'Changes']}>
        {result.changes.map((c) => (
          <tr key={c.field_id}>
            <td className={cell}>{c.connection}</td>
            <td className={cell}>{c.object}</td>
            <td className={`${cell} font-mono text-xs`}>{c.field}</td>
            <td className={cell}>
              <ChangeList changes={policyDiff(c.before, c.after)} />
            </td>
          </tr>
        ))}
      </Table>
      <p className="text-sm text-gray-600">{unchanged}</p>
    </section>
  );
}
