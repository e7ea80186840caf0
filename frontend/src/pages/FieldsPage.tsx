import { NotAvailableYetPage } from '../components/states';

/** Fields: arrives in a later release; until then the page says so. */
export function FieldsPage() {
  return <NotAvailableYetPage title="Fields" />;
}
