import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { Layout } from './components/Layout';
import { homePath } from './features/auth/nav';
import { RequirePermission, RequireSession, useSession } from './features/auth/session';
import { LoginPage } from './pages/LoginPage';

// Every page but sign-in is its own chunk, loaded when its route is first visited.
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  const Lazy = lazy<ComponentType>(() => load().then((m) => ({ default: m[name] })));
  return function LazyPage() {
    return (
      <Suspense fallback={<p className="p-6 text-sm text-slate-500" role="status">Loading…</p>}>
        <Lazy />
      </Suspense>
    );
  };
}

const AccountPage = page(() => import('./pages/AccountPage'), 'AccountPage');
const AgentApiDocsPage = page(() => import('./pages/AgentApiDocsPage'), 'AgentApiDocsPage');
const AgentPage = page(() => import('./pages/AgentPage'), 'AgentPage');
const AgentsPage = page(() => import('./pages/AgentsPage'), 'AgentsPage');
const AuditWorksheetPage = page(() => import('./pages/AuditWorksheetPage'), 'AuditWorksheetPage');
const ChangeLogPage = page(() => import('./pages/ChangeLogPage'), 'ChangeLogPage');
const ConnectionsPage = page(() => import('./pages/ConnectionsPage'), 'ConnectionsPage');
const FieldCatalogPage = page(() => import('./pages/FieldCatalogPage'), 'FieldCatalogPage');
const FieldsPage = page(() => import('./pages/FieldsPage'), 'FieldsPage');
const InsightsPage = page(() => import('./pages/InsightsPage'), 'InsightsPage');
const InvitePage = page(() => import('./pages/InvitePage'), 'InvitePage');
const MembersPage = page(() => import('./pages/MembersPage'), 'MembersPage');
const NotFoundPage = page(() => import('./pages/NotFoundPage'), 'NotFoundPage');
const ProposalDetailRoute = page(() => import('./pages/ProposalsPage'), 'ProposalDetailRoute');
const ProposalsPage = page(() => import('./pages/ProposalsPage'), 'ProposalsPage');
const ReportsPage = page(() => import('./pages/ReportsPage'), 'ReportsPage');
const ReviewQueuePage = page(() => import('./pages/ReviewQueuePage'), 'ReviewQueuePage');
const RolloutsPage = page(() => import('./pages/RolloutsPage'), 'RolloutsPage');
const SandboxPage = page(() => import('./pages/SandboxPage'), 'SandboxPage');
const SettingsPage = page(() => import('./pages/SettingsPage'), 'SettingsPage');

function HomeRedirect() {
  return <Navigate to={homePath(useSession().permissions)} replace />;
}

const guarded = (path: string, permission: string, page: ReactNode, children?: RouteObject[]): RouteObject => ({
  path,
  element: <RequirePermission permission={permission}>{page}</RequirePermission>,
  children,
});

/** Every route of the console, with the permission each page needs. */
export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  { path: '/invite/:token', element: <InvitePage /> },
  {
    element: (
      <RequireSession>
        <Layout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <HomeRedirect /> },
      guarded('review', 'review.work', <ReviewQueuePage />),
      guarded('proposals', 'proposals.read', <ProposalsPage />, [{ path: ':proposalId', element: <ProposalDetailRoute /> }]),
      guarded('fields', 'fields.read', <FieldsPage />, [
        { index: true, element: <FieldCatalogPage /> },
        { path: 'connections', element: <ConnectionsPage /> },
      ]),
      guarded('fields/connections/:connectionId/sandbox', 'sandbox.edit', <SandboxPage />),
      guarded('agents', 'agents.read', <AgentsPage />),
      guarded('agents/:agentId', 'agents.read', <AgentPage />),
      guarded('changelog', 'changelog.read', <ChangeLogPage />),
      guarded('rollouts', 'rollouts.read', <RolloutsPage />),
      guarded('insights', 'rollouts.read', <InsightsPage />),
      guarded('reports', 'reports.read', <ReportsPage />),
      guarded('reports/audits/:auditId', 'reports.read', <AuditWorksheetPage />),
      guarded('members', 'members.read', <MembersPage />),
      guarded('settings', 'settings.read', <SettingsPage />),
      { path: 'docs/agent-api', element: <AgentApiDocsPage /> },
      { path: 'account', element: <AccountPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
