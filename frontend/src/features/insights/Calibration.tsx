import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fieldQuery, useUpdatePolicy } from '../../api/catalog';
import { errorMessage } from '../../api/client';
import type { Calibration, InsightRowLike } from './types';
import { calibrationQuery, pct } from '../../api/rollouts';
import { formatCount } from '../../components/format';
import { SelectField } from '../../components/FormField';
import { ErrorState, Loading } from '../../components/states';
import { card, primaryButton, sectionTitle } from '../../components/styles';
import { cell, headCell } from '../../components/Table';

/** Observed precision by confidence for one agent × field, and the threshold it supports. */
export function CalibrationPanel({ rows, canApply }: { rows: readonly InsightRowLike[]; canApply: boolean }) {
  const [pick, setPick] = useState('');
  const [agent, field] = pick ? pick.split('|') : ['', ''];
  const q = useQuery(calibrationQuery(agent, field, 0.99));
  return (
    <section aria-labelledby="calibration" className={`${card} space-y-3`}>
      <h2 id="calibration" className={sectionTitle}>Trust calibration</h2>
      <p className="text-sm text-gray-600">How often an agent's changes to a field turned out right, by the confidence it gave — and the lowest confidence threshold that keeps precision at 99 %.</p>
      <SelectField label="Agent and field" value={pick} onChange={(e) => setPick(e.target.value)}>
        <option value="">Choose…</option>
        {rows.map((r) => (
          <option key={`${r.agent_id}|${r.field}`} value={`${r.agent_id}|${r.field}`}>
            {r.agent_name} · {r.field}
          </option>
        ))}
      </SelectField>
      {pick === '' ? null : q.isPending ? (
        <Loading label="Reading outcomes…" />
      ) : q.error ? (
        <ErrorState error={q.error} title="Could not calibrate" />
      ) : (
        <CalibrationTable c={q.data} canApply={canApply} />
      )}
    </section>
  );
}

function CalibrationTable({ c, canApply }: { c: Calibration; canApply: boolean }) {
  const update = useUpdatePolicy(c.field_id ?? '');
  const field = useQuery({ ...fieldQuery(c.field_id ?? ''), enabled: canApply && !!c.field_id });
  const apply = (threshold: number) => {
    const p = field.data?.policy;
    if (!p) return;
    update.mutate({ sensitivity: p.sensitivity, mode: p.mode, confidence_threshold: threshold, evidence_required: p.evidence_required,
      sla_minutes: p.sla_minutes ?? undefined, tags: p.tags });
  };
  const bins = c.bins.filter((b) => b.decided > 0 || b.from >= 0.9);
  return (
    <div className="space-y-3">
      <p role="status" className="text-sm text-gray-800">{c.text}</p>
      {canApply && c.suggested_threshold != null && c.field_id && c.suggested_threshold !== c.current_threshold && (
        <div className="flex items-center gap-3">
          <button type="button" className={primaryButton} disabled={!field.data || update.isPending || update.isSuccess}
            onClick={() => apply(c.suggested_threshold!)}>
            {update.isSuccess ? 'Applied' : `Apply threshold ${c.suggested_threshold}`}
          </button>
          {update.error && <span role="alert" className="text-sm text-red-700">{errorMessage(update.error)}</span>}
        </div>
      )}
      <div className="relative overflow-x-auto">
        <table className="min-w-full text-sm">
          <caption className="sr-only">Precision by confidence bin</caption>
          <thead>
            <tr>
              {['Confidence', 'Outcomes', 'Corrected', 'Precision', 'At or above: outcomes', 'At or above: precision'].map((h) => (
                <th key={h} scope="col" className={headCell}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {[...bins].reverse().map((b) => (
              <tr key={b.from}>
                <td className={cell}>{b.from.toFixed(2)}–{b.to.toFixed(2)}</td>
                <td className={cell}>{formatCount(b.decided)}</td>
                <td className={cell}>{formatCount(b.corrected)}</td>
                <td className={cell}>{b.precision == null ? '—' : pct(b.precision)}</td>
                <td className={cell}>{formatCount(b.cumulative_decided)}</td>
                <td className={cell}>{b.cumulative_precision == null ? '—' : pct(b.cumulative_precision)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
