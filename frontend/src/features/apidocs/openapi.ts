// A small reader of OpenAPI 3.0 documents, enough to render the agent API's
// docs page: operations in order, $refs resolved, JSON schemas summarised and
// curl examples built.

/** The subset of a JSON schema the docs page renders. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: Schema;
}

export interface MediaType {
  schema?: Schema;
  example?: unknown;
}

export interface Response {
  $ref?: string;
  description?: string;
  headers?: Record<string, { description?: string; schema?: Schema }>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, MediaType> };
  responses?: Record<string, Response>;
}

export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  security?: Record<string, string[]>[];
  paths: Record<string, Partial<Record<Method, Operation>> & { parameters?: Parameter[] }>;
  components?: {
    schemas?: Record<string, Schema>;
    responses?: Record<string, Response>;
    parameters?: Record<string, Parameter>;
    securitySchemes?: Record<string, { type: string; scheme?: string; bearerFormat?: string; description?: string }>;
  };
}

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type Method = (typeof METHODS)[number];

/** An operation with where it lives. */
export interface Endpoint {
  method: Method;
  path: string;
  operation: Operation;
  /** Path-level and operation-level parameters, $refs resolved. */
  parameters: Parameter[];
}

/** The name a local $ref points at: "#/components/schemas/Evidence" → "Evidence". */
export const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** The object a local $ref ("#/a/b") points at in the document, or undefined. */
export function resolveRef<T>(doc: OpenApiDoc, ref: string): T | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node as T | undefined;
}

/** The thing itself, or what its $ref points at. */
export function deref<T extends { $ref?: string }>(doc: OpenApiDoc, item: T): T {
  return item.$ref ? (resolveRef<T>(doc, item.$ref) ?? item) : item;
}

/** Every operation in document order. */
export function endpoints(doc: OpenApiDoc): Endpoint[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => {
      const operation = item[method]!;
      const params = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p) => deref(doc, p));
      return { method, path, operation, parameters: params };
    }),
  );
}

/** The base path of the API: the first server's URL (relative URLs are on this origin). */
export function serverPath(doc: OpenApiDoc): string {
  return (doc.servers?.[0]?.url ?? '').replace(/\/$/, '');
}

/** Merges an allOf into one object schema (properties and required joined). */
export function flatten(doc: OpenApiDoc, schema: Schema): Schema {
  const s = deref(doc, schema);
  if (!s.allOf) return s;
  const parts = s.allOf.map((p) => flatten(doc, p));
  return {
    ...s,
    allOf: undefined,
    type: 'object',
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), s.properties ?? {}),
    required: [...new Set(parts.flatMap((p) => p.required ?? []).concat(s.required ?? []))],
  };
}

/** A schema's type in a few words: "string", "number 0–1", "array of Evidence, ≤ 10", "set | clear | append". */
export function typeLabel(doc: OpenApiDoc, schema: Schema | undefined): string {
  if (!schema) return 'any';
  if (schema.$ref) return refName(schema.$ref);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v).replace(/^"|"$/g, '')).join(' | ');
  if (schema.type === 'array') {
    const bounds = [schema.minItems !== undefined && `≥ ${schema.minItems}`, schema.maxItems !== undefined && `≤ ${schema.maxItems}`].filter(Boolean).join(', ');
    return `array of ${typeLabel(doc, schema.items)}${bounds ? ` (${bounds} items)` : ''}`;
  }
  if (schema.allOf) return schema.allOf.map((s) => typeLabel(doc, s)).join(' & ');
  if (schema.oneOf || schema.anyOf) return (schema.oneOf ?? schema.anyOf)!.map((s) => typeLabel(doc, s)).join(' | ');
  if (!schema.type) return schema.properties ? 'object' : 'any JSON value';
  const range =
    schema.minimum !== undefined && schema.maximum !== undefined
      ? ` ${schema.minimum}–${schema.maximum}`
      : schema.minimum !== undefined
        ? ` ≥ ${schema.minimum}`
        : schema.maximum !== undefined
          ? ` ≤ ${schema.maximum}`
          : '';
  const length = schema.maxLength !== undefined ? ` (≤ ${schema.maxLength} chars)` : '';
  const format = schema.format && !['double', 'float', 'int32', 'int64'].includes(schema.format) ? ` (${schema.format})` : '';
  return `${schema.type}${format}${range}${length}`;
}

/** The schema's object to expand below a property, if any: its own properties or its array items'. */
export function nestedObject(doc: OpenApiDoc, schema: Schema | undefined): { name?: string; schema: Schema } | null {
  if (!schema) return null;
  const target = schema.type === 'array' && schema.items ? schema.items : schema;
  const name = target.$ref ? refName(target.$ref) : undefined;
  const resolved = flatten(doc, target);
  return resolved.properties ? { name, schema: resolved } : null;
}

/** Quotes a string for a POSIX shell, in single quotes. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The JSON example of a request body: the spec's own, else none. */
export function bodyExample(doc: OpenApiDoc, op: Operation): unknown {
  const media = op.requestBody?.content?.['application/json'];
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  return media.schema ? deref(doc, media.schema).example : undefined;
}

/** The environment variable the examples read the agent's key from. */
export const KEY_VARIABLE = '$COUNTERSIGN_AGENT_KEY';

/** A copy-paste curl command for an endpoint on `origin`; path parameters are left as <name> to fill in. */
export function curlExample(doc: OpenApiDoc, endpoint: Endpoint, origin: string): string {
  const path = endpoint.path.replace(/\{([^}]+)\}/g, '<$1>');
  const required = endpoint.parameters.filter((p) => p.in === 'query' && p.required);
  const query = required.length ? `?${required.map((p) => `${p.name}=<${p.name}>`).join('&')}` : '';
  const url = `${origin}${serverPath(doc)}${path}${query}`;
  const lines = [`curl -sS${endpoint.method === 'get' ? '' : ` -X ${endpoint.method.toUpperCase()}`} "${url}"`, `  -H "Authorization: Bearer ${KEY_VARIABLE}"`];
  const example = bodyExample(doc, endpoint.operation);
  if (endpoint.operation.requestBody) {
    lines.push(`  -H "Content-Type: application/json"`);
    lines.push(`  --data ${shellQuote(JSON.stringify(example ?? {}, null, 2))}`);
  }
  return lines.join(' \\\n');
}
