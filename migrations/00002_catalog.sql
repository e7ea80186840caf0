-- +goose Up
-- CRM connections, the field catalog, field policies and their histories, sync
-- runs, and the job outbox.

CREATE TABLE crm_connections (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             uuid NOT NULL REFERENCES tenants (id),
    name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    provider              text NOT NULL CHECK (provider IN ('sandbox', 'hubspot', 'salesforce', 'pipedrive')),
    base_url              text NOT NULL DEFAULT '',
    credentials           bytea,          -- AES-256-GCM sealed JSON; never leaves the server
    credential_hints      jsonb NOT NULL DEFAULT '{}'::jsonb, -- key → "••••a1b2"
    sync_interval_minutes integer NOT NULL DEFAULT 0 CHECK (sync_interval_minutes BETWEEN 0 AND 10080),
    status                text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'ok', 'error')),
    last_error            text NOT NULL DEFAULT '',
    last_synced_at        timestamptz,
    next_sync_at          timestamptz,
    catalog_revision      bigint NOT NULL DEFAULT 0, -- bumped by every sync write and policy change (caches compare it)
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX crm_connections_name_key ON crm_connections (tenant_id, lower(name));
CREATE INDEX crm_connections_due_idx ON crm_connections (next_sync_at) WHERE sync_interval_minutes > 0;

CREATE TABLE crm_fields (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    connection_id   uuid NOT NULL REFERENCES crm_connections (id),
    object          text NOT NULL,
    name            text NOT NULL,
    label           text NOT NULL DEFAULT '',
    type            text NOT NULL,
    raw_type        text NOT NULL DEFAULT '',
    options         jsonb NOT NULL DEFAULT '[]'::jsonb,
    read_only       boolean NOT NULL DEFAULT false,
    crm_sensitivity text NOT NULL DEFAULT '',
    archived        boolean NOT NULL DEFAULT false,
    custom          boolean NOT NULL DEFAULT false,
    description     text NOT NULL DEFAULT '',
    definition_hash text NOT NULL,
    first_seen_at   timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX crm_fields_key ON crm_fields (tenant_id, connection_id, object, name);
CREATE INDEX crm_fields_list_idx ON crm_fields (tenant_id, object, name);

-- What changed in a field's definition at each sync.
CREATE TABLE crm_field_versions (
    seq       bigserial PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    field_id  uuid NOT NULL REFERENCES crm_fields (id),
    at        timestamptz NOT NULL,
    change    text NOT NULL CHECK (change IN ('new', 'changed', 'archived', 'restored')),
    detail    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX crm_field_versions_field_idx ON crm_field_versions (tenant_id, field_id, seq DESC);

CREATE TABLE field_policies (
    field_id             uuid PRIMARY KEY REFERENCES crm_fields (id),
    tenant_id            uuid NOT NULL REFERENCES tenants (id),
    sensitivity          text NOT NULL CHECK (sensitivity IN ('low', 'medium', 'high', 'critical')),
    mode                 text NOT NULL CHECK (mode IN ('auto', 'review', 'two_person', 'blocked')),
    confidence_threshold numeric(4, 3) NOT NULL DEFAULT 0.95 CHECK (confidence_threshold BETWEEN 0 AND 1),
    evidence_required    boolean NOT NULL DEFAULT false,
    sla_minutes          integer CHECK (sla_minutes > 0),
    tags                 text[] NOT NULL DEFAULT '{}',
    decided              boolean NOT NULL DEFAULT false,
    reason               text NOT NULL DEFAULT '',
    updated_at           timestamptz NOT NULL,
    updated_by           uuid REFERENCES users (id)
);
CREATE UNIQUE INDEX field_policies_tenant_key ON field_policies (tenant_id, field_id);
CREATE INDEX field_policies_filter_idx ON field_policies (tenant_id, sensitivity, mode);
CREATE INDEX field_policies_undecided_idx ON field_policies (tenant_id) WHERE NOT decided;

-- Every policy change, append-only.
CREATE TABLE field_policy_history (
    seq           bigserial PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    field_id      uuid NOT NULL REFERENCES crm_fields (id),
    at            timestamptz NOT NULL,
    actor_user_id uuid REFERENCES users (id),
    actor_email   text NOT NULL DEFAULT '',
    source        text NOT NULL CHECK (source IN ('default', 'console', 'bulk', 'import')),
    before        jsonb,
    after         jsonb NOT NULL
);
CREATE INDEX field_policy_history_field_idx ON field_policy_history (tenant_id, field_id, seq DESC);
CREATE TRIGGER field_policy_history_append_only
    BEFORE UPDATE OR DELETE ON field_policy_history
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE sync_runs (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    connection_id uuid NOT NULL REFERENCES crm_connections (id),
    status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    trigger       text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'initial')),
    requested_by  uuid REFERENCES users (id),
    progress      jsonb NOT NULL DEFAULT '{"objects_done":0,"objects_total":0,"fields_seen":0}'::jsonb,
    summary       jsonb,
    error         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE INDEX sync_runs_connection_idx ON sync_runs (tenant_id, connection_id, created_at DESC);
-- at most one queued or running sync per connection
CREATE UNIQUE INDEX sync_runs_one_active ON sync_runs (tenant_id, connection_id) WHERE status IN ('queued', 'running');

-- Jobs are written here in the same transaction as the change that causes
-- them, and moved into River's queue by the dispatcher, so a crash never loses
-- or duplicates one.
CREATE TABLE job_outbox (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL,
    args       jsonb NOT NULL,
    queue      text NOT NULL DEFAULT 'default',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE job_outbox;
DROP TABLE sync_runs;
DROP TABLE field_policy_history;
DROP TABLE field_policies;
DROP TABLE crm_field_versions;
DROP TABLE crm_fields;
DROP TABLE crm_connections;
