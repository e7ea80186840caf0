import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { agentSpecQuery } from '../api/agentSpec';
import { ErrorState, Loading } from '../components/states';
import { card, pageTitle, sectionTitle } from '../components/styles';
import { useCan } from '../features/auth/session';
import { CurlBlock, EndpointDoc, endpointAnchor, MethodTag } from '../features/apidocs/EndpointDoc';
import { endpoints, KEY_VARIABLE, serverPath, type Endpoint, type OpenApiDoc } from '../features/apidocs/openapi';
import { InlineCode, Prose } from '../features/apidocs/Prose';
import { SchemaView } from '../features/apidocs/SchemaView';

/** The MCP server's tools (same operations as REST; see backend/internal/gateway/mcp.go). */
const MCP_TOOLS = [
  { name: 'list_fields', does: 'the field catalog within the agent’s scope (GET /fields)' },
  { name: 'propose_changes', does: 'submit proposals, same items and answers as POST /proposals' },
  { name: 'get_proposal', does: 'one proposal’s status, route, reasons and decisions (GET /proposals/{id})' },
  { name: 'get_feedback', does: 'every outcome from a cursor (GET /feedback)' },
];

// The order an agent works in: read the catalog and records, propose, follow up.
// (The served JSON sorts its keys, so the YAML's own order is lost on the way.)
const WORKFLOW = ['get /fields', 'get /records/{object}', 'get /records/{object}/{recordId}', 'post /proposals', 'get /proposals/{proposalId}', 'get /feedback'];

function inWorkflowOrder(list: Endpoint[]): Endpoint[] {
  const rank = (e: Endpoint) => {
    const i = WORKFLOW.indexOf(`${e.method} ${e.path}`);
    return i < 0 ? WORKFLOW.length : i;
  };
  return [...list].sort((a, b) => rank(a) - rank(b));
}

/** The agent API, rendered from the spec the server publishes, with copy-paste curl examples. */
export function AgentApiDocsPage() {
  const { data, error, isPending, refetch } = useQuery(agentSpecQuery());
  return (
    <div className="space-y-6">
      {isPending ? (
        <>
          <h1 className={pageTitle}>Agent API</h1>
          <Loading label="Loading the agent API spec…" />
        </>
      ) : error ? (
        <>
          <h1 className={pageTitle}>Agent API</h1>
          <ErrorState error={error} title="Could not load the agent API spec" onRetry={() => void refetch()} />
        </>
      ) : (
        <ApiDocs doc={data} origin={window.location.origin} />
      )}
    </div>
  );
}

function ApiDocs({ doc, origin }: { doc: OpenApiDoc; origin: string }) {
  const canManageAgents = useCan('agents.manage');
  const list = inWorkflowOrder(endpoints(doc));
  const basePath = serverPath(doc);
  const problem = doc.components?.schemas?.Problem;
  return (
    <>
      <header className="space-y-2">
        <h1 className={pageTitle}>
          {doc.info.title} <span className="text-sm font-normal text-gray-500">v{doc.info.version}</span>
        </h1>
        <Prose text={doc.info.description} />
        <p className="text-sm text-gray-600">
          Base URL: <InlineCode>{`${origin}${basePath}`}</InlineCode> · the machine-readable spec:{' '}
          <a className="font-medium text-accent-700 hover:underline" href="/api/agent/openapi.json">
            openapi.json
          </a>
        </p>
      </header>

      <section aria-label="Authentication" className={`${card} space-y-3`}>
        <h2 className={sectionTitle}>Authentication</h2>
        <p className="text-sm text-gray-700">
          Every request carries the agent’s API key as a bearer token: <InlineCode>Authorization: Bearer &lt;key&gt;</InlineCode>. Keys are created on an
          agent’s page{canManageAgents ? '' : ' by an admin'} and shown once; a revoked or unknown key gets 401. The examples below read the key from an environment variable:
        </p>
        <CurlBlock command={`export ${KEY_VARIABLE.slice(1)}='cs_agent_…'`} label="Setting the key" />
        <p className="text-sm text-gray-700">
          {canManageAgents ? <Link to="/agents" className="font-medium text-accent-700 hover:underline">Manage agents and keys</Link> : 'Ask an admin for a key.'}
        </p>
      </section>

      <nav aria-label="Operations" className={`${card} space-y-2`}>
        <h2 className={sectionTitle}>Operations</h2>
        <ul className="space-y-1 text-sm">
          {list.map((e) => (
            <li key={`${e.method} ${e.path}`} className="flex flex-wrap items-center gap-2">
              <MethodTag method={e.method} />
              <a href={`#${endpointAnchor(e)}`} className="font-mono text-xs text-accent-700 hover:underline">
                {basePath}
                {e.path}
              </a>
              <span className="text-gray-600">{e.operation.summary}</span>
            </li>
          ))}
        </ul>
      </nav>

      <section aria-label="Endpoints" className="space-y-4">
        {list.map((e) => (
          <EndpointDoc key={`${e.method} ${e.path}`} doc={doc} endpoint={e} basePath={basePath} origin={origin} />
        ))}
      </section>

      {problem && (
        <section aria-label="Errors" className={`${card} space-y-3`}>
          <h2 className={sectionTitle}>Errors</h2>
          <p className="text-sm text-gray-700">
            Failures answer RFC 9457 <InlineCode>application/problem+json</InlineCode> with a stable <InlineCode>code</InlineCode>; validation failures name each
            field in <InlineCode>errors</InlineCode>. Within a batch, one bad item gets its own error in <InlineCode>results</InlineCode> and never fails the others.
          </p>
          <SchemaView doc={doc} schema={problem} />
        </section>
      )}

      <McpSection origin={origin} />
    </>
  );
}

function McpSection({ origin }: { origin: string }) {
  const initialize = `curl -sS -X POST "${origin}/mcp" \\
  -H "Authorization: Bearer ${KEY_VARIABLE}" \\
  -H "Content-Type: application/json" \\
  -H "Accept: application/json, text/event-stream" \\
  --data '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`;
  return (
    <section aria-label="MCP" className={`${card} space-y-3`}>
      <h2 className={sectionTitle}>MCP</h2>
      <p className="text-sm text-gray-700">
        The same operations are offered as a Model Context Protocol server at <InlineCode>{`${origin}/mcp`}</InlineCode> (streamable HTTP, stateless, JSON
        responses), authenticated with the same bearer key. Point any MCP client at that URL with the header{' '}
        <InlineCode>Authorization: Bearer &lt;key&gt;</InlineCode>. Tools:
      </p>
      <ul className="space-y-1 text-sm text-gray-700">
        {MCP_TOOLS.map((t) => (
          <li key={t.name}>
            <InlineCode>{t.name}</InlineCode> — {t.does}
          </li>
        ))}
      </ul>
      <CurlBlock command={initialize} label="MCP tools/list example" />
    </section>
  );
}
