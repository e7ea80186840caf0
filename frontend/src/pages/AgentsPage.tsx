import { NotAvailableYetPage } from '../components/states';

/** Agents: arrives in a later release; until then the page says so. */
export function AgentsPage() {
  return <NotAvailableYetPage title="Agents" />;
}
