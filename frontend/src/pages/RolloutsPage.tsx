import { NotAvailableYetPage } from '../components/states';

/** Rollouts: arrives in a later release; until then the page says so. */
export function RolloutsPage() {
  return <NotAvailableYetPage title="Rollouts" />;
}
