import { NotAvailableYetPage } from '../components/states';

/** Review queue: arrives in a later release; until then the page says so. */
export function ReviewQueuePage() {
  return <NotAvailableYetPage title="Review queue" />;
}
