import { flatten, nestedObject, typeLabel, type OpenApiDoc, type Schema } from './openapi';
import { InlineCode } from './Prose';

const MAX_DEPTH = 4;

/** A JSON schema as a compact, readable tree: each property with its type, whether it is required, and what it means. */
export function SchemaView({ doc, schema, depth = 0, seen = [] }: { doc: OpenApiDoc; schema: Schema; depth?: number; seen?: readonly string[] }) {
  const flat = flatten(doc, schema);
  const required = new Set(flat.required ?? []);
  // Required first: what a client must send (or may rely on) reads before the extras.
  const props = Object.entries(flat.properties ?? {}).sort(([a], [b]) => Number(required.has(b)) - Number(required.has(a)));
  if (props.length === 0) {
    return <p className="font-mono text-xs text-gray-700">{typeLabel(doc, schema)}</p>;
  }
  return (
    <ul className={`space-y-1.5 text-sm ${depth > 0 ? 'mt-1.5 border-l border-gray-200 pl-4' : ''}`}>
      {props.map(([name, prop]) => {
        const nested = nestedObject(doc, prop);
        // Stop at cycles and deep trees: the type name says what it is.
        const expand = nested && depth < MAX_DEPTH && !(nested.name && seen.includes(nested.name));
        const described = prop.$ref ? { ...flatten(doc, prop), ...prop } : prop;
        return (
          <li key={name}>
            <span className="font-mono text-xs font-semibold text-gray-900">{name}</span>{' '}
            <span className="font-mono text-xs text-accent-700">{typeLabel(doc, prop)}</span>
            {required.has(name) ? (
              <span className="ml-1.5 text-[10px] font-semibold tracking-wide text-red-700 uppercase">required</span>
            ) : (
              <span className="ml-1.5 text-[10px] tracking-wide text-gray-400 uppercase">optional</span>
            )}
            {described.default !== undefined && <span className="ml-1.5 text-xs text-gray-500">default <InlineCode>{JSON.stringify(described.default)}</InlineCode></span>}
            {described.description && <span className="text-gray-600"> — {described.description}</span>}
            {expand && <SchemaView doc={doc} schema={nested.schema} depth={depth + 1} seen={nested.name ? [...seen, nested.name] : seen} />}
          </li>
        );
      })}
      {flat.additionalProperties && typeof flat.additionalProperties === 'object' && (
        <li className="text-xs text-gray-600">
          <span className="font-mono">…</span> any other key: <span className="font-mono text-accent-700">{typeLabel(doc, flat.additionalProperties)}</span>
        </li>
      )}
    </ul>
  );
}
