// Query factories and calls of evidence exports, scheduled exports and sample audits.
import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { rolloutKeys } from './rollouts';
import type { components } from './schema.gen';

export type Export = components['schemas']['Export'];
export type ExportRequest = components['schemas']['ExportRequest'];
export type ExportFilter = components['schemas']['ExportFilter'];
export type ExportFormat = Export['format'];
export type ExportManifest = components['schemas']['ExportManifest'];
export type ExportSchedule = components['schemas']['ExportSchedule'];
export type ExportScheduleInput = components['schemas']['ExportScheduleInput'];
export type Audit = components['schemas']['Audit'];
export type AuditDetail = components['schemas']['AuditDetail'];
export type AuditItem = components['schemas']['AuditItem'];
export type AuditStratum = components['schemas']['AuditStratum'];
export type AuditInput = components['schemas']['AuditInput'];
export type AuditMark = components['schemas']['AuditMark'];
export type AuditVerdict = NonNullable<AuditItem['verdict']>;

export const reportKeys = {
  exports: ['exports'] as const,
  exportList: ['exports', 'list'] as const,
  export: (id: string) => ['exports', 'detail', id] as const,
  manifest: (id: string) => ['exports', 'manifest', id] as const,
  schedules: ['export-schedules'] as const,
  audits: ['audits'] as const,
  auditList: ['audits', 'list'] as const,
  audit: (id: string) => ['audits', 'detail', id] as const,
};

/** How often an export (or the list) is read again while one is queued or running. */
export const EXPORT_POLL_MS = 1_000;

/** Whether an export is still being written. */
export const exportActive = (e: Pick<Export, 'state'>) => e.state === 'queued' || e.state === 'running';

/** Where a done export's file downloads from (a plain link: the browser saves it; each download is audited). */
export const exportDownloadPath = (id: string) => `/api/v1/exports/${encodeURIComponent(id)}/download`;

/** Where an export's signed manifest downloads from, as a file for `countersign verify-export`. */
export const exportManifestPath = (id: string) => `/api/v1/exports/${encodeURIComponent(id)}/manifest`;

/** The change log's public key, which verify-export checks the manifest's signature with. */
export const PUBLIC_KEY_PATH = '/api/v1/changes/public-key';

/** The exports, newest first; read again every second while any of them is queued or running. */
export const exportsQuery = () =>
  queryOptions({
    queryKey: reportKeys.exportList,
    queryFn: async () => (await unwrap(api.GET('/exports'))).items,
    refetchInterval: (q) => (q.state.data?.some(exportActive) ? EXPORT_POLL_MS : false),
  });

/** One export, polled every second until it is done, failed or expired. */
export const exportQuery = (id: string) =>
  queryOptions({
    queryKey: reportKeys.export(id),
    queryFn: () => unwrap(api.GET('/exports/{exportId}', { params: { path: { exportId: id } } })),
    refetchInterval: (q) => (!q.state.data || exportActive(q.state.data) ? EXPORT_POLL_MS : false),
  });

/** A done export's signed manifest; it never changes. */
export const exportManifestQuery = (id: string) =>
  queryOptions({
    queryKey: reportKeys.manifest(id),
    queryFn: () => unwrap(api.GET('/exports/{exportId}/manifest', { params: { path: { exportId: id } } })),
    staleTime: Infinity,
  });

/** Queues an export; the list is read again and polls it to the end. */
export function useCreateExport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ExportRequest) => unwrap(api.POST('/exports', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: reportKeys.exports }),
  });
}

export const schedulesQuery = () =>
  queryOptions({
    queryKey: reportKeys.schedules,
    queryFn: async () => (await unwrap(api.GET('/export-schedules'))).items,
  });

export function useCreateSchedule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ExportScheduleInput) => unwrap(api.POST('/export-schedules', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: reportKeys.schedules }),
  });
}

/** Stops a schedule; the exports it already made stay. */
export function useDeleteSchedule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/export-schedules/{scheduleId}', { params: { path: { scheduleId: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: reportKeys.schedules }),
  });
}

export const auditsQuery = () =>
  queryOptions({
    queryKey: reportKeys.auditList,
    queryFn: async () => (await unwrap(api.GET('/audits'))).items,
  });

export const auditQuery = (id: string) =>
  queryOptions({
    queryKey: reportKeys.audit(id),
    queryFn: () => unwrap(api.GET('/audits/{auditId}', { params: { path: { auditId: id } } })),
  });

/** Draws a sample; the answer is the worksheet, kept for its page. */
export function useCreateAudit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AuditInput) => unwrap(api.POST('/audits', { body })),
    onSuccess: (audit) => {
      qc.setQueryData(reportKeys.audit(audit.id), audit);
      return qc.invalidateQueries({ queryKey: reportKeys.auditList });
    },
  });
}

/** A worksheet with one item replaced by the server's answer, its counts taken again. */
function withItem(audit: AuditDetail, item: AuditItem): AuditDetail {
  const items = audit.items.map((i) => (i.change_seq === item.change_seq ? item : i));
  return {
    ...audit,
    items,
    checked: items.filter((i) => i.verdict).length,
    incorrect: items.filter((i) => i.verdict === 'incorrect').length,
  };
}

function auditChanged(qc: QueryClient, detail?: AuditDetail) {
  if (detail) qc.setQueryData(reportKeys.audit(detail.id), detail);
  return qc.invalidateQueries({ queryKey: reportKeys.auditList });
}

/**
 * Marks a sampled change correct or incorrect, with a note. The answer
 * replaces the item in the worksheet (not a refetch, so a note being typed in
 * another row is left alone).
 */
export function useMarkAuditItem(auditId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ seq, mark }: { seq: number; mark: AuditMark }) =>
      unwrap(api.PUT('/audits/{auditId}/items/{changeSeq}', { params: { path: { auditId, changeSeq: seq } }, body: mark })),
    onSuccess: (item) => {
      const audit = qc.getQueryData<AuditDetail>(reportKeys.audit(auditId));
      return auditChanged(qc, audit && withItem(audit, item));
    },
  });
}

/** Closes an audit whose every item is marked; its incorrect findings become corrections. */
export function useCloseAudit(auditId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/audits/{auditId}/close', { params: { path: { auditId } } })),
    onSuccess: (audit) => Promise.all([auditChanged(qc, audit), qc.invalidateQueries({ queryKey: rolloutKeys.all }), qc.invalidateQueries({ queryKey: rolloutKeys.insights })]),
  });
}

/** A sample rate in basis points as a percent: 100 → "1 %", 50 → "0.5 %". */
export function rateLabel(bps: number): string {
  return `${Number((bps / 100).toFixed(2))} %`;
}
