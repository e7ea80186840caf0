-- +goose Up
-- Compliance: evidence exports of the change log (a job, its file kept in
-- chunks so every app copy can serve it, a signed manifest), scheduled
-- exports, and sample audits whose "incorrect" findings are corrections.

CREATE TABLE exports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    format       text NOT NULL CHECK (format IN ('csv', 'xlsx', 'jsonl', 'pdf')),
    filter       jsonb NOT NULL,
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed', 'expired')),
    total        bigint NOT NULL DEFAULT 0,              -- rows the filter matched when the job began
    rows         bigint NOT NULL DEFAULT 0,              -- rows written so far
    bytes        bigint NOT NULL DEFAULT 0,
    sha256       text,                                   -- of the file, hex, when done
    manifest     jsonb,                                  -- the signed manifest, when done
    max_seq      bigint NOT NULL DEFAULT 0,              -- the log's head the export reads up to
    error        text,
    schedule_id  uuid,
    created_by   uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    started_at   timestamptz,
    finished_at  timestamptz,
    expires_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE INDEX exports_created_idx ON exports (tenant_id, created_at DESC);

-- The file, in pieces of up to 1 MiB, in order.
CREATE TABLE export_chunks (
    tenant_id  uuid NOT NULL,
    export_id  uuid NOT NULL,
    n          integer NOT NULL CHECK (n >= 0),
    data       bytea NOT NULL,
    PRIMARY KEY (tenant_id, export_id, n),
    FOREIGN KEY (tenant_id, export_id) REFERENCES exports (tenant_id, id) ON DELETE CASCADE
);
-- stored as written: compressing a megabyte of CSV per row (pglz) would cost
-- the export more time than the disk it saves
ALTER TABLE export_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE export_schedules (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    format       text NOT NULL CHECK (format IN ('csv', 'xlsx', 'jsonl', 'pdf')),
    filter       jsonb NOT NULL,                         -- without a time range: each run takes the period just ended
    cadence      text NOT NULL CHECK (cadence IN ('weekly', 'monthly')),
    webhook_url  text NOT NULL DEFAULT '',
    next_run_at  timestamptz NOT NULL,
    last_export  uuid,
    created_by   uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE INDEX export_schedules_due_idx ON export_schedules (next_run_at);

-- A sample audit: a reproducible, stratified sample of a period's applied
-- changes that compliance marks correct or incorrect.
CREATE TABLE audits (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    since        timestamptz NOT NULL,
    until        timestamptz NOT NULL CHECK (until > since),
    rate_bps     integer NOT NULL CHECK (rate_bps BETWEEN 50 AND 200),
    seed         bigint NOT NULL,
    population   integer NOT NULL,
    strata       jsonb NOT NULL DEFAULT '[]'::jsonb,    -- [{agent_id, agent, field, sensitivity, population, sampled}]
    closed_at    timestamptz,
    closed_by    uuid REFERENCES users (id),
    created_by   uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE INDEX audits_created_idx ON audits (tenant_id, created_at DESC);

CREATE TABLE audit_items (
    tenant_id    uuid NOT NULL,
    audit_id     uuid NOT NULL,
    change_seq   bigint NOT NULL,
    stratum      text NOT NULL,
    verdict      text CHECK (verdict IN ('correct', 'incorrect')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    checked_by   uuid REFERENCES users (id),
    checked_at   timestamptz,
    PRIMARY KEY (tenant_id, audit_id, change_seq),
    FOREIGN KEY (tenant_id, audit_id) REFERENCES audits (tenant_id, id),
    FOREIGN KEY (tenant_id, change_seq) REFERENCES change_events (tenant_id, seq)
);

CREATE INDEX audit_items_change_idx ON audit_items (tenant_id, change_seq);

-- an audit's "incorrect" finding is a correction of the change it sampled
ALTER TABLE corrections DROP CONSTRAINT corrections_kind_check;
ALTER TABLE corrections ADD CONSTRAINT corrections_kind_check CHECK (kind IN ('review_edit', 'rollback', 'crm_edit', 'console', 'audit'));

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['exports', 'export_chunks', 'export_schedules', 'audits', 'audit_items'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''app.tenant_id'')::uuid))', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE corrections DROP CONSTRAINT corrections_kind_check;
ALTER TABLE corrections ADD CONSTRAINT corrections_kind_check CHECK (kind IN ('review_edit', 'rollback', 'crm_edit', 'console'));
DROP TABLE audit_items, audits, export_schedules, export_chunks, exports;
