-- +goose Up

-- Apply (issue 12). A proposal approved, edited or auto-approved is due for
-- its CRM write; the value written is the reviewer's edit when there is one.
-- The apply worker takes due proposals with FOR UPDATE SKIP LOCKED, marks
-- them applying (the lease is updated_at + 2 minutes: a proposal applying
-- longer than that belongs to a worker that died and is taken again; the
-- take time is also the worker's fencing token), stamps write_started_at
-- just before it writes, and settles each as applied, stale or failed.
ALTER TABLE proposals
    ADD COLUMN final_value    jsonb,            -- the edited value (JSON null clears); NULL: the proposed one
    ADD COLUMN apply_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN apply_error    text,
    ADD COLUMN applied_seq    bigint,          -- the change event that recorded the write
    ADD COLUMN write_started_at timestamptz;   -- a worker was about to write: a re-take must look for the write
CREATE INDEX proposals_due_idx ON proposals (tenant_id, updated_at)
    WHERE status IN ('approved', 'edited', 'auto_approved', 'applying');

-- A job may wait: the apply of an approval waits out its undo window.
ALTER TABLE job_outbox ADD COLUMN scheduled_at timestamptz;

-- The change log: one row per write Countersign made to a CRM (or undid),
-- appended in the same transaction as the state change that caused it,
-- chained per tenant: hash = SHA-256(prev_hash || canonical row), seq gapless.
-- Values are stored as the canonical JSON text that was hashed.
CREATE TABLE change_events (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    seq            bigint NOT NULL CHECK (seq > 0),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    at             timestamptz NOT NULL,
    connection_id  uuid NOT NULL,
    object         text NOT NULL,
    record_id      text NOT NULL,
    field          text NOT NULL,
    before_value   text NOT NULL,                 -- JSON
    after_value    text NOT NULL,                 -- JSON
    actor_kind     text NOT NULL CHECK (actor_kind IN ('agent', 'collaborative', 'human', 'system')),
    agent_id       uuid,
    user_id        uuid,
    proposal_id    uuid,
    decision_seqs  bigint[] NOT NULL DEFAULT '{}',
    policy_version bigint,                         -- field_policy_history.seq in force
    reverts        bigint,                         -- the seq this event undoes
    reason         text NOT NULL DEFAULT '',
    prev_hash      bytea NOT NULL,
    hash           bytea NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, reverts) REFERENCES change_events (tenant_id, seq)
);
CREATE INDEX change_events_record_idx ON change_events (tenant_id, object, record_id, field, seq);
CREATE INDEX change_events_agent_idx ON change_events (tenant_id, agent_id, seq) WHERE agent_id IS NOT NULL;
CREATE INDEX change_events_at_idx ON change_events (tenant_id, at);
CREATE INDEX change_events_proposal_idx ON change_events (tenant_id, proposal_id) WHERE proposal_id IS NOT NULL;
-- one undo per change: a second rollback is refused by the database too
CREATE UNIQUE INDEX change_events_reverts_key ON change_events (tenant_id, reverts) WHERE reverts IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER change_events_no_update BEFORE UPDATE OR DELETE ON change_events
    FOR EACH ROW EXECUTE FUNCTION change_log_append_only();
CREATE TRIGGER change_events_no_truncate BEFORE TRUNCATE ON change_events
    FOR EACH STATEMENT EXECUTE FUNCTION change_log_append_only();

-- The head of each tenant's chain: appends lock it, which orders them.
CREATE TABLE change_heads (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    seq       bigint NOT NULL DEFAULT 0,
    hash      bytea NOT NULL DEFAULT '\x'::bytea
);

-- Signed checkpoints: Ed25519 over (tenant, seq, hash), every 1,000 events
-- and hourly, so an auditor can check the chain offline against the key.
CREATE TABLE change_checkpoints (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    seq        bigint NOT NULL,
    hash       bytea NOT NULL,
    key_id     text NOT NULL,
    signature  bytea NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE TRIGGER change_checkpoints_no_update BEFORE UPDATE OR DELETE ON change_checkpoints
    FOR EACH ROW EXECUTE FUNCTION change_log_append_only();
CREATE TRIGGER change_checkpoints_no_truncate BEFORE TRUNCATE ON change_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION change_log_append_only();

-- Corrections: an applied change later undone or overwritten.
CREATE TABLE corrections (
    seq         bigserial PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    change_seq  bigint NOT NULL,
    proposal_id uuid,
    agent_id    uuid,
    kind        text NOT NULL CHECK (kind IN ('review_edit', 'rollback', 'crm_edit', 'console')),
    user_id     uuid,
    actor       text NOT NULL DEFAULT '',
    value       text,                                -- JSON, the value it was corrected to
    reason      text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, change_seq) REFERENCES change_events (tenant_id, seq)
);
CREATE UNIQUE INDEX corrections_once ON corrections (tenant_id, change_seq, kind);
CREATE INDEX corrections_agent_idx ON corrections (tenant_id, agent_id, at);

-- Bulk rollbacks: the filter, progress, and the report.
CREATE TABLE rollbacks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    filter      jsonb NOT NULL,
    filter_key  text NOT NULL,                       -- the filter's canonical text: one running job per filter
    reason      text NOT NULL DEFAULT '',
    state       text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    total       integer NOT NULL DEFAULT 0,
    reverted    integer NOT NULL DEFAULT 0,
    skipped     integer NOT NULL DEFAULT 0,
    conflicts   integer NOT NULL DEFAULT 0,
    failed      integer NOT NULL DEFAULT 0,
    max_seq     bigint NOT NULL,                     -- the log's head when it started: later events are not its business
    report      jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{seq, record, field, before, after, current, problem}]
    error       text,
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    finished_at timestamptz,
    UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX rollbacks_one_running ON rollbacks (tenant_id, filter_key) WHERE state = 'running';
CREATE INDEX rollbacks_list_idx ON rollbacks (tenant_id, created_at DESC);

-- Reconciliation: how far each connection's CRM history has been read.
CREATE TABLE reconcile_cursors (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    connection_id uuid NOT NULL,
    read_until    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, connection_id)
);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['change_events', 'change_heads', 'change_checkpoints', 'corrections', 'rollbacks', 'reconcile_cursors'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''app.tenant_id'')::uuid))', t);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'countersign_app') THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON change_events, change_checkpoints, corrections FROM countersign_app;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE reconcile_cursors;
DROP TABLE rollbacks;
DROP TABLE corrections;
DROP TABLE change_checkpoints;
DROP TABLE change_heads;
DROP TABLE change_events;
DROP FUNCTION change_log_append_only();
ALTER TABLE job_outbox DROP COLUMN scheduled_at;
DROP INDEX proposals_due_idx;
ALTER TABLE proposals DROP COLUMN final_value, DROP COLUMN apply_attempts, DROP COLUMN apply_error, DROP COLUMN applied_seq,
    DROP COLUMN write_started_at;
