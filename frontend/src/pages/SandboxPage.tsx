import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { connectionQuery } from '../api/catalog';
import { objectFieldsQuery, sandboxRecordQuery } from '../api/sandbox';
import { DebouncedInput } from '../components/DebouncedInput';
import { Empty, ErrorState, Loading } from '../components/states';
import { card, pageTitle, sectionTitle } from '../components/styles';
import { useSearchParamsState } from '../components/useSearchParamsState';
import { RecordEditor } from '../features/sandbox/RecordEditor';
import { RecordHistory } from '../features/sandbox/RecordHistory';
import { RecordList } from '../features/sandbox/RecordList';
import { editorFields, recordTitle } from '../features/sandbox/recordValues';

/** The sandbox CRM's object types. */
const OBJECTS = ['contacts', 'companies', 'deals', 'tickets'];

/** The built-in demo CRM: browse its records and edit them as a person in the CRM would. */
export function SandboxPage() {
  const { connectionId = '' } = useParams();
  const { data, error, isPending, refetch } = useQuery(connectionQuery(connectionId));
  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <Link to="/fields/connections" className="text-sm font-medium text-accent-700 hover:underline">
          ← Connections
        </Link>
        <h1 className={pageTitle}>Sandbox CRM{data ? ` — ${data.name}` : ''}</h1>
        <p className="max-w-3xl text-sm text-gray-600">
          This is the built-in demo CRM. Edits here act like a person editing the record in the CRM (history source: human).
        </p>
      </div>
      {isPending ? (
        <Loading label="Loading connection…" />
      ) : error ? (
        <ErrorState error={error} title="Could not load this connection" onRetry={() => void refetch()} />
      ) : data.provider !== 'sandbox' ? (
        <Empty>“{data.name}” is a real CRM connection, not the sandbox: edit its records in the CRM itself.</Empty>
      ) : (
        <SandboxBrowser connectionId={connectionId} />
      )}
    </div>
  );
}

function SandboxBrowser({ connectionId }: { connectionId: string }) {
  const [params, setParams] = useSearchParamsState();
  const object = OBJECTS.includes(params.get('object') ?? '') ? params.get('object')! : OBJECTS[0];
  const q = params.get('q') ?? '';
  const recordId = params.get('record');

  const withParams = (changes: Record<string, string | null>, base = params) => {
    const next = new URLSearchParams(base);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    return next;
  };
  const href = (changes: Record<string, string | null>) => `?${withParams(changes)}`;

  return (
    <div className="space-y-4">
      <nav aria-label="Objects" className="flex gap-6 border-b border-gray-200">
        {OBJECTS.map((o) => (
          <Link
            key={o}
            to={href({ object: o, record: null, q: null })}
            aria-current={o === object ? 'page' : undefined}
            className={`-mb-px border-b-2 px-1 pb-2 text-sm font-medium ${
              o === object ? 'border-accent-600 text-accent-700' : 'border-transparent text-gray-600 hover:border-gray-300 hover:text-gray-900'
            }`}
          >
            {o}
          </Link>
        ))}
      </nav>
      <div className="grid gap-6 lg:grid-cols-[18rem_1fr]">
        <div className="space-y-3">
          <DebouncedInput
            label={`Search ${object}`}
            type="search"
            value={q}
            onCommit={(v) => setParams((p) => withParams({ q: v.trim() || null }, p), { replace: true })}
          />
          <RecordList connectionId={connectionId} object={object} q={q} selectedId={recordId} recordHref={(id) => href({ record: id })} />
        </div>
        {recordId ? (
          <RecordPanel key={`${object}/${recordId}`} connectionId={connectionId} object={object} recordId={recordId} />
        ) : (
          <div className="self-start">
            <Empty>Choose a record to see and edit its values.</Empty>
          </div>
        )}
      </div>
    </div>
  );
}

function RecordPanel({ connectionId, object, recordId }: { connectionId: string; object: string; recordId: string }) {
  const record = useQuery(sandboxRecordQuery(connectionId, object, recordId));
  const catalog = useQuery(objectFieldsQuery(connectionId, object));
  if (record.isPending || catalog.isPending) return <Loading label="Loading record…" />;
  if (record.error) return <ErrorState error={record.error} title="Could not load this record" onRetry={() => void record.refetch()} />;
  if (catalog.error) return <ErrorState error={catalog.error} title="Could not load the field catalog" onRetry={() => void catalog.refetch()} />;

  const fields = editorFields(record.data.values, catalog.data);
  return (
    <div className="space-y-6">
      <section aria-labelledby="record-title" className={`${card} space-y-4`}>
        <div>
          <h2 id="record-title" className={sectionTitle}>{recordTitle(record.data.values, record.data.id)}</h2>
          <p className="font-mono text-xs text-gray-500">
            {object}/{record.data.id}
          </p>
        </div>
        {catalog.data.length === 0 && (
          <p className="text-sm text-amber-800">
            This object's fields are not in the catalog yet: sync the connection to get labels, types and options.
          </p>
        )}
        <RecordEditor connectionId={connectionId} record={record.data} fields={fields} />
      </section>
      <section aria-labelledby="history-title" className="space-y-3">
        <h2 id="history-title" className={sectionTitle}>History</h2>
        <RecordHistory history={record.data.history} fields={fields} />
      </section>
    </div>
  );
}
