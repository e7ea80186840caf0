import { Link } from 'react-router';
import { pageTitle } from '../components/styles';

/** Any path the console does not know. */
export function NotFoundPage() {
  return (
    <div className="space-y-2">
      <h1 className={pageTitle}>Page not found</h1>
      <p className="text-sm text-gray-600">
        There is nothing at this address. <Link className="text-accent-700 underline" to="/">Go to the start page</Link>.
      </p>
    </div>
  );
}
