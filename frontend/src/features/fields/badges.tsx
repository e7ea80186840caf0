import type { ImpactTag, PolicyMode, Provider, Sensitivity } from '../../api/client';
import { Badge, type BadgeTone } from '../../components/Table';

export const MODE_LABELS: Record<PolicyMode, string> = {
  auto: 'auto',
  review: 'review',
  two_person: 'two-person',
  blocked: 'blocked',
};

export const PROVIDER_LABELS: Record<Provider, string> = {
  sandbox: 'Sandbox',
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  pipedrive: 'Pipedrive',
};

const SENSITIVITY_TONES: Record<Sensitivity, BadgeTone> = { low: 'green', medium: 'amber', high: 'orange', critical: 'red' };
const MODE_TONES: Record<PolicyMode, BadgeTone> = { auto: 'green', review: 'blue', two_person: 'violet', blocked: 'red' };

export function SensitivityBadge({ value }: { value: Sensitivity }) {
  return <Badge tone={SENSITIVITY_TONES[value]}>{value}</Badge>;
}

export function ModeBadge({ value }: { value: PolicyMode }) {
  return <Badge tone={MODE_TONES[value]}>{MODE_LABELS[value]}</Badge>;
}

/** Marks a field whose policy is still the default applied at sync. */
export function NeedsDecisionBadge() {
  return (
    <Badge tone="amber" title="The policy is still the default applied at sync; an admin has not decided yet.">
      Needs decision
    </Badge>
  );
}

export function TagList({ tags }: { tags: readonly ImpactTag[] }) {
  if (tags.length === 0) return <span className="text-gray-400">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {tags.map((t) => (
        <span key={t} className="rounded bg-gray-100 px-1.5 py-0.5 text-xs text-gray-700">
          {t}
        </span>
      ))}
    </span>
  );
}
