import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage, type Alert } from '../../api/client';
import { alertAgent, alertsQuery, useAcknowledgeAlert } from '../../api/alerts';
import { formatDateTime } from '../../components/format';
import { Badge, type BadgeTone } from '../../components/Table';
import { useCan } from '../auth/session';

const SEVERITY_TONES: Record<Alert['severity'], BadgeTone> = { critical: 'red', warning: 'amber', info: 'blue' };

/** The header's bell: the open alerts' count, and a panel listing them. */
export function AlertBell() {
  const { data, error } = useQuery(alertsQuery());
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const count = data?.length ?? 0;

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onClick = (e: MouseEvent) => !root.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        aria-label="Alerts"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="relative rounded-md p-1.5 text-gray-600 hover:bg-gray-100 hover:text-gray-900 focus-visible:outline-2 focus-visible:outline-accent-600"
      >
        <BellIcon />
        {count > 0 && (
          <span data-testid="alert-count" className="absolute -top-0.5 -right-0.5 min-w-4 rounded-full bg-red-600 px-1 text-center text-[10px] leading-4 font-semibold text-white">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && (
        <div id={panelId} role="region" aria-label="Open alerts" className="absolute right-0 z-30 mt-2 w-96 rounded-lg border border-gray-200 bg-white shadow-lg">
          <p className="border-b border-gray-200 px-4 py-2 text-sm font-semibold text-gray-900">Alerts</p>
          {error ? (
            <p role="alert" className="px-4 py-3 text-sm text-red-700">Could not load the alerts: {errorMessage(error)}</p>
          ) : count === 0 ? (
            <p className="px-4 py-6 text-center text-sm text-gray-500">No open alerts.</p>
          ) : (
            <ul className="max-h-96 divide-y divide-gray-100 overflow-y-auto">
              {data!.map((a) => (
                <AlertItem key={a.id} alert={a} onNavigate={() => setOpen(false)} />
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function AlertItem({ alert, onNavigate }: { alert: Alert; onNavigate: () => void }) {
  const canAck = useCan('agents.manage');
  const canSeeAgent = useCan('agents.read');
  const ack = useAcknowledgeAlert();
  const agent = alertAgent(alert);
  return (
    <li className="space-y-1 px-4 py-3 text-sm">
      <div className="flex items-start justify-between gap-2">
        <p className="font-medium text-gray-900">{alert.title}</p>
        <Badge tone={SEVERITY_TONES[alert.severity]}>{alert.severity}</Badge>
      </div>
      <p className="text-xs text-gray-500">{formatDateTime(alert.created_at)}</p>
      <div className="flex items-center gap-3">
        {agent && canSeeAgent && (
          <Link to={`/agents/${agent.id}`} onClick={onNavigate} className="text-xs font-medium text-accent-700 hover:underline">
            Open {agent.name}
          </Link>
        )}
        {canAck && (
          <button type="button" className="text-xs font-medium text-accent-700 hover:underline disabled:opacity-50" disabled={ack.isPending} onClick={() => ack.mutate(alert.id)}>
            Acknowledge
          </button>
        )}
      </div>
      {ack.error && <p role="alert" className="text-xs text-red-700">{errorMessage(ack.error)}</p>}
    </li>
  );
}

function BellIcon() {
  return (
    <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="size-5">
      <path d="M10 2a5 5 0 0 0-5 5v2.59l-1.7 2.55A1 1 0 0 0 4.13 14h11.74a1 1 0 0 0 .83-1.56L15 9.59V7a5 5 0 0 0-5-5Zm0 16a2.5 2.5 0 0 1-2.45-2h4.9A2.5 2.5 0 0 1 10 18Z" />
    </svg>
  );
}
