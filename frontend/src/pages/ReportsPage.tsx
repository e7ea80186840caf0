import { NotAvailableYet } from '../components/states';
import { pageTitle, sectionTitle } from '../components/styles';
import { AuditTrail } from '../features/audit/AuditTrail';
import { useCan } from '../features/auth/session';

/** Reports: the admin audit trail now, audit report exports later. */
export function ReportsPage() {
  const canReadAudit = useCan('audit.read');
  return (
    <div className="space-y-8">
      <h1 className={pageTitle}>Reports</h1>
      {canReadAudit && (
        <section aria-labelledby="audit-title" className="space-y-3">
          <h2 id="audit-title" className={sectionTitle}>Admin audit trail</h2>
          <p className="text-sm text-gray-600">Sign-ins and changes to members, invitations, tenant settings, field policies and agents, newest first.</p>
          <AuditTrail />
        </section>
      )}
      <NotAvailableYet title="Audit report exports">
        <p className="mt-1 text-sm text-gray-600">Exports of the change log as spreadsheets and PDF reports will appear here.</p>
      </NotAvailableYet>
    </div>
  );
}
