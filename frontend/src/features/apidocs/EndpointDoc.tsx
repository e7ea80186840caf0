import { useRef, useState } from 'react';
import { secondaryButton } from '../../components/styles';
import { cell, Table } from '../../components/Table';
import { curlExample, deref, typeLabel, type Endpoint, type OpenApiDoc } from './openapi';
import { Prose } from './Prose';
import { SchemaView } from './SchemaView';

const METHOD_TONES: Record<string, string> = {
  get: 'bg-sky-100 text-sky-800',
  post: 'bg-green-100 text-green-800',
  put: 'bg-amber-100 text-amber-800',
  patch: 'bg-amber-100 text-amber-800',
  delete: 'bg-red-100 text-red-800',
};

/** The anchor of an endpoint on the page. */
export const endpointAnchor = (e: Endpoint) => e.operation.operationId ?? `${e.method}-${e.path.replace(/[^a-z0-9]+/gi, '-')}`;

export function MethodTag({ method }: { method: string }) {
  return <span className={`rounded px-1.5 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_TONES[method] ?? 'bg-gray-100 text-gray-700'}`}>{method}</span>;
}

function Subsection({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="space-y-2">
      <h4 className="text-xs font-semibold tracking-wide text-gray-500 uppercase">{title}</h4>
      {children}
    </div>
  );
}

/** One operation: method and path, summary, parameters, request body, responses and a curl example. */
export function EndpointDoc({ doc, endpoint, basePath, origin }: { doc: OpenApiDoc; endpoint: Endpoint; basePath: string; origin: string }) {
  const { operation: op, parameters } = endpoint;
  const body = op.requestBody?.content?.['application/json']?.schema;
  const title = `${endpoint.method.toUpperCase()} ${basePath}${endpoint.path}`;
  return (
    <article id={endpointAnchor(endpoint)} aria-label={title} className="scroll-mt-6 space-y-4 rounded-lg border border-gray-200 bg-white p-5 shadow-sm">
      <header className="space-y-1">
        <h3 className="flex flex-wrap items-center gap-2 text-base font-semibold text-gray-900">
          <MethodTag method={endpoint.method} />
          <span className="font-mono text-sm break-all">
            <span className="text-gray-400">{basePath}</span>
            {endpoint.path}
          </span>
        </h3>
        {op.summary && <p className="text-sm text-gray-700">{op.summary}</p>}
        <Prose text={op.description} />
      </header>
      {parameters.length > 0 && (
        <Subsection title="Parameters">
          <Table caption={`Parameters of ${title}`} headers={['Name', 'In', 'Type', 'Description']}>
            {parameters.map((p) => (
              <tr key={`${p.in}-${p.name}`}>
                <td className={`${cell} font-mono text-xs whitespace-nowrap`}>
                  {p.name}
                  {p.required && <span className="ml-1 text-[10px] font-semibold text-red-700 uppercase">required</span>}
                </td>
                <td className={cell}>{p.in}</td>
                <td className={`${cell} font-mono text-xs`}>
                  {typeLabel(doc, p.schema)}
                  {p.schema?.default !== undefined && <span className="block text-gray-500">default {JSON.stringify(p.schema.default)}</span>}
                </td>
                <td className={cell}>{p.description ? <Prose text={p.description} /> : <span className="text-gray-400">—</span>}</td>
              </tr>
            ))}
          </Table>
        </Subsection>
      )}
      {body && (
        <Subsection title={`Request body${op.requestBody?.required ? ' (required)' : ''} — application/json`}>
          <SchemaView doc={doc} schema={body} />
        </Subsection>
      )}
      <Subsection title="Responses">
        <Responses doc={doc} endpoint={endpoint} />
      </Subsection>
      <Subsection title="Example">
        <CurlBlock command={curlExample(doc, endpoint, origin)} label={`curl example for ${title}`} />
      </Subsection>
    </article>
  );
}

function Responses({ doc, endpoint }: { doc: OpenApiDoc; endpoint: Endpoint }) {
  const entries = Object.entries(endpoint.operation.responses ?? {});
  return (
    <ul className="space-y-2 text-sm">
      {entries.map(([status, raw]) => {
        const r = deref(doc, raw);
        const [contentType, media] = Object.entries(r.content ?? {})[0] ?? [];
        const ok = status.startsWith('2');
        return (
          <li key={status}>
            <span className={`font-mono text-xs font-semibold ${ok ? 'text-green-700' : 'text-red-700'}`}>{status}</span>{' '}
            <span className="text-gray-700">{r.description}</span>
            {media?.schema && !ok && <span className="ml-1 font-mono text-xs text-gray-500">{contentType}: {typeLabel(doc, media.schema)}</span>}
            {r.headers && <span className="ml-1 text-xs text-gray-500">Headers: {Object.keys(r.headers).join(', ')}</span>}
            {media?.schema && ok && (
              <div className="mt-1">
                <SchemaView doc={doc} schema={media.schema} />
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** A shell command with a Copy button. */
export function CurlBlock({ command, label }: { command: string; label: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(true);
    } catch {
      // No clipboard API (plain http): select the text for Ctrl+C.
      const range = document.createRange();
      if (pre.current) range.selectNodeContents(pre.current);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
    }
  };
  return (
    <div className="relative">
      <pre ref={pre} aria-label={label} className="overflow-x-auto rounded-md bg-gray-900 p-4 pr-20 font-mono text-xs leading-relaxed text-gray-100">
        <code>{command}</code>
      </pre>
      <button type="button" className={`${secondaryButton} absolute top-2 right-2 px-2 py-1 text-xs`} onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
