import { NavLink, Outlet } from 'react-router';
import { pageTitle } from '../components/styles';

const tabClass = ({ isActive }: { isActive: boolean }) =>
  `-mb-px border-b-2 px-1 pb-2 text-sm font-medium ${
    isActive ? 'border-accent-600 text-accent-700' : 'border-transparent text-gray-600 hover:border-gray-300 hover:text-gray-900'
  }`;

/** Fields: the catalog of every connection's fields and their policies, and the connections themselves. */
export function FieldsPage() {
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <h1 className={pageTitle}>Fields</h1>
        <nav aria-label="Fields sections" className="flex gap-6 border-b border-gray-200">
          <NavLink to="/fields" end className={tabClass}>
            Catalog
          </NavLink>
          <NavLink to="/fields/connections" end className={tabClass}>
            Connections
          </NavLink>
        </nav>
      </div>
      <Outlet />
    </div>
  );
}
