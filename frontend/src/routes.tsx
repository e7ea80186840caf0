import type { ReactNode } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { Layout } from './components/Layout';
import { homePath } from './features/auth/nav';
import { RequirePermission, RequireSession, useSession } from './features/auth/session';
import { AccountPage } from './pages/AccountPage';
import { AgentApiDocsPage } from './pages/AgentApiDocsPage';
import { AgentPage } from './pages/AgentPage';
import { AgentsPage } from './pages/AgentsPage';
import { ChangeLogPage } from './pages/ChangeLogPage';
import { ConnectionsPage } from './pages/ConnectionsPage';
import { FieldCatalogPage } from './pages/FieldCatalogPage';
import { FieldsPage } from './pages/FieldsPage';
import { InvitePage } from './pages/InvitePage';
import { LoginPage } from './pages/LoginPage';
import { MembersPage } from './pages/MembersPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ProposalDetailRoute, ProposalsPage } from './pages/ProposalsPage';
import { ReportsPage } from './pages/ReportsPage';
import { ReviewQueuePage } from './pages/ReviewQueuePage';
import { RolloutsPage } from './pages/RolloutsPage';
import { SandboxPage } from './pages/SandboxPage';
import { SettingsPage } from './pages/SettingsPage';

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
      guarded('reports', 'reports.read', <ReportsPage />),
      guarded('members', 'members.read', <MembersPage />),
      guarded('settings', 'settings.read', <SettingsPage />),
      { path: 'docs/agent-api', element: <AgentApiDocsPage /> },
      { path: 'account', element: <AccountPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
