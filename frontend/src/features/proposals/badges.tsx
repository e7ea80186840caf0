import type { ProposalFlag } from '../../api/client';
import { Badge, type BadgeTone } from '../../components/Table';
import { humanize } from './values';

const ROUTE_TONES: Record<string, BadgeTone> = { blocked: 'red', review: 'amber', two_person: 'violet', auto: 'green' };
const ROUTE_LABELS: Record<string, string> = { two_person: 'two-person' };

const STATUS_TONES: Record<string, BadgeTone> = {
  blocked: 'red',
  queued: 'amber',
  auto_approved: 'green',
  approved: 'green',
  edited: 'blue',
  applying: 'blue',
  applied: 'green',
  rejected: 'red',
  failed: 'red',
  stale: 'orange',
  conflict: 'orange',
};

/** The route the policy engine chose: blocked red, review amber, two-person purple, auto green. */
export function RouteBadge({ route }: { route: string }) {
  return <Badge tone={ROUTE_TONES[route] ?? 'gray'}>{ROUTE_LABELS[route] ?? route}</Badge>;
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status] ?? 'gray'}>{humanize(status)}</Badge>;
}

/** A validator's flag, its message on hover. */
export function FlagBadge({ flag }: { flag: ProposalFlag }) {
  return (
    <Badge tone="orange" title={flag.message}>
      {humanize(flag.code)}
    </Badge>
  );
}
