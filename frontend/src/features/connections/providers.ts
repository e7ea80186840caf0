import type { Provider } from '../../api/client';

/** One credential a provider needs, as the API names it. */
export interface CredentialSpec {
  key: string;
  label: string;
  /** Secrets are typed into password inputs; the rest into plain ones. */
  secret: boolean;
  optional?: boolean;
  placeholder?: string;
}

/** What each provider needs to connect (the sandbox needs nothing). */
export const CREDENTIALS: Record<Provider, readonly CredentialSpec[]> = {
  sandbox: [],
  hubspot: [{ key: 'access_token', label: 'Private app access token', secret: true }],
  salesforce: [
    { key: 'client_id', label: 'Client ID', secret: true },
    { key: 'client_secret', label: 'Client secret', secret: true },
    { key: 'refresh_token', label: 'Refresh token', secret: true },
    { key: 'login_url', label: 'Login URL', secret: false, optional: true, placeholder: 'https://login.salesforce.com' },
  ],
  pipedrive: [{ key: 'api_token', label: 'API token', secret: true }],
};

export const PROVIDER_CHOICES: readonly { value: Provider; label: string }[] = [
  { value: 'sandbox', label: 'Sandbox (built-in demo CRM)' },
  { value: 'hubspot', label: 'HubSpot' },
  { value: 'salesforce', label: 'Salesforce' },
  { value: 'pipedrive', label: 'Pipedrive' },
];

export const SYNC_INTERVALS: readonly { minutes: number; label: string }[] = [
  { minutes: 0, label: 'Manual only' },
  { minutes: 15, label: '15 min' },
  { minutes: 60, label: '1 h' },
  { minutes: 360, label: '6 h' },
  { minutes: 1440, label: '24 h' },
];

/** The credentials typed in, without empty ones; undefined when there are none. */
export function filledCredentials(values: Record<string, string>): Record<string, string> | undefined {
  const filled = Object.entries(values)
    .map(([k, v]) => [k, v.trim()] as const)
    .filter(([, v]) => v !== '');
  return filled.length ? Object.fromEntries(filled) : undefined;
}

/** The credentials a provider requires that are still empty, with a message each. */
export function missingCredentials(provider: Provider, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of CREDENTIALS[provider]) {
    if (!spec.optional && !values[spec.key]?.trim()) out[`credentials.${spec.key}`] = `${spec.label} is required.`;
  }
  return out;
}
