import { NotAvailableYetPage } from '../components/states';

/** Change log: arrives in a later release; until then the page says so. */
export function ChangeLogPage() {
  return <NotAvailableYetPage title="Change log" />;
}
