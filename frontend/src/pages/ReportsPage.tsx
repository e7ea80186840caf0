import { pageTitle, sectionTitle } from '../components/styles';
import { AuditTrail } from '../features/audit/AuditTrail';
import { useCan } from '../features/auth/session';
import { AuditsSection } from '../features/reports/AuditsSection';
import { ExportsSection } from '../features/reports/ExportsSection';
import { SchedulesSection } from '../features/reports/SchedulesSection';

/** Reports: evidence exports, scheduled exports and sample audits of the change log, and the admin audit trail. */
export function ReportsPage() {
  const canReadReports = useCan('reports.read');
  const canReadAudit = useCan('audit.read');
  return (
    <div className="space-y-10">
      <h1 className={pageTitle}>Reports</h1>
      {canReadReports && (
        <>
          <ExportsSection />
          <SchedulesSection />
          <AuditsSection />
        </>
      )}
      {canReadAudit && (
        <section aria-labelledby="audit-title" className="space-y-3">
          <h2 id="audit-title" className={sectionTitle}>Admin audit trail</h2>
          <p className="text-sm text-gray-600">Sign-ins and changes to members, invitations, tenant settings, field policies and agents, newest first.</p>
          <AuditTrail />
        </section>
      )}
    </div>
  );
}
