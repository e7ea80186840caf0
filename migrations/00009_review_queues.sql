-- +goose Up
-- Review queues (DESIGN.md §5): queues with match rules and SLAs, one review
-- item per queued proposal, and the append-only decisions reviewers make.

-- Who owns an agent: the member who created it. That member never approves
-- the agent's proposals.
ALTER TABLE agents ADD COLUMN created_by uuid REFERENCES users (id);

CREATE TABLE review_queues (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    position       integer NOT NULL,                               -- a new item goes to the first queue whose rules fit
    allowed_roles  text[] NOT NULL DEFAULT '{admin,reviewer}',     -- who may claim from it
    match          jsonb NOT NULL DEFAULT '{}'::jsonb,             -- {objects, fields, sensitivities, tags, agents, routes}; absent or [] = any
    accepts_new    boolean NOT NULL DEFAULT true,                  -- false: it only receives escalations
    sla_minutes    jsonb NOT NULL DEFAULT '{"critical": 240, "high": 480, "medium": 1440, "low": 2880}'::jsonb,
    escalate_to    uuid REFERENCES review_queues (id),
    expire_after_double_sla boolean NOT NULL DEFAULT true,         -- high and critical items expire (rejected) at 2× SLA
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, name),
    UNIQUE (tenant_id, id)
);

-- Reasons a reviewer gives for a rejection; each tenant edits its own list.
CREATE TABLE review_reason_codes (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    code      text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    label     text NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    position  integer NOT NULL,
    archived  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE review_items (
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    proposal_id        uuid NOT NULL,
    queue_id           uuid NOT NULL,
    agent_id           uuid NOT NULL,
    agent_owner        uuid REFERENCES users (id),        -- the agent's owner: never offered the item, never approves it
    object             text NOT NULL,
    record_id          text NOT NULL,
    field              text NOT NULL,
    sensitivity        text NOT NULL CHECK (sensitivity IN ('low', 'medium', 'high', 'critical')),
    approvals_required smallint NOT NULL CHECK (approvals_required IN (1, 2)),
    approved_by        uuid[] NOT NULL DEFAULT '{}',     -- distinct approvers so far (two-person items)
    skipped_by         uuid[] NOT NULL DEFAULT '{}',     -- reviewers who passed it on: not offered to them again
    sla_minutes        integer NOT NULL CHECK (sla_minutes > 0),
    due_at             timestamptz NOT NULL,              -- created_at + SLA
    rank_at            timestamptz NOT NULL,              -- due_at minus the priority bonus: claims take the earliest
    why                jsonb NOT NULL DEFAULT '[]'::jsonb, -- [{factor, minutes, text}]: why it ranks where it does
    state              text NOT NULL CHECK (state IN ('pending', 'decided', 'expired', 'closed')),
    escalated_at       timestamptz,
    escalated_from     uuid,
    created_at         timestamptz NOT NULL,
    decided_at         timestamptz,
    PRIMARY KEY (tenant_id, id),  -- every read names the tenant (as proposals' key, 00006)
    UNIQUE (tenant_id, proposal_id),
    -- Intake writes an item per queued proposal on its hottest path. A key to
    -- review_queues or agents would take a share lock on one of a few parent
    -- rows per item, which concurrent batches then share (multixacts): the
    -- queue comes from the tenant's own queue list (queues are never
    -- deleted) and the agent is the proposal's, so only the proposal key stays.
    FOREIGN KEY (tenant_id, proposal_id) REFERENCES proposals (tenant_id, id)
);
-- the claim: a tenant's pending items, earliest rank first (from every queue
-- a reviewer may work, or from one queue)
CREATE INDEX review_items_rank_idx ON review_items (tenant_id, rank_at, id) WHERE state = 'pending';
CREATE INDEX review_items_claim_idx ON review_items (tenant_id, queue_id, rank_at, id) WHERE state = 'pending';
-- (the SLA clock needs no index of its own: rank_at <= due_at, so the items
-- due by now are among those the rank index holds up to now)

-- Claims are leases on items, in a table of their own: taking and renewing
-- them never rewrites the (large) items table nor its indexes. A claim whose
-- lease has passed is free for anyone to take over; deciding, releasing or
-- skipping an item deletes its claim.
CREATE TABLE review_claims (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    item_id          uuid NOT NULL,
    user_id          uuid NOT NULL REFERENCES users (id),
    lease_expires_at timestamptz NOT NULL,
    claimed_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, item_id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES review_items (tenant_id, id)
);
-- what a reviewer holds now
CREATE INDEX review_claims_user_idx ON review_claims (tenant_id, user_id, lease_expires_at);

-- A record's timeline: its proposals, newest first.
CREATE INDEX proposals_record_idx ON proposals (tenant_id, object, record_id, created_at DESC);

-- Decisions are append-only: an undo is a decision of its own that names the
-- one it undoes.
CREATE TABLE review_decisions (
    seq         bigserial PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    item_id     uuid NOT NULL,
    proposal_id uuid NOT NULL,
    user_id     uuid REFERENCES users (id),                 -- NULL: the system (expiry)
    verdict     text NOT NULL CHECK (verdict IN ('approve', 'edit', 'reject', 'escalate', 'skip', 'expire', 'undo')),
    value       jsonb,                                       -- the edited value
    reason_code text,
    comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    undoes      bigint REFERENCES review_decisions (seq),
    at          timestamptz NOT NULL,
    latency_ms  bigint,                                      -- since the item was created: time to decision
    FOREIGN KEY (tenant_id, item_id) REFERENCES review_items (tenant_id, id),
    FOREIGN KEY (tenant_id, proposal_id) REFERENCES proposals (tenant_id, id)
);
CREATE INDEX review_decisions_item_idx ON review_decisions (tenant_id, item_id, seq);
CREATE INDEX review_decisions_at_idx ON review_decisions (tenant_id, at);

-- +goose StatementBegin
CREATE FUNCTION review_decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'review_decisions is append-only: % is not allowed', TG_OP;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER review_decisions_no_update BEFORE UPDATE OR DELETE ON review_decisions
    FOR EACH ROW EXECUTE FUNCTION review_decisions_append_only();
CREATE TRIGGER review_decisions_no_truncate BEFORE TRUNCATE ON review_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION review_decisions_append_only();

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['review_queues', 'review_reason_codes', 'review_items', 'review_claims', 'review_decisions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''app.tenant_id'')::uuid))', t);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'countersign_app') THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON review_decisions FROM countersign_app;
    END IF;
END
$$;
-- +goose StatementEnd

-- Tenants that exist before this migration get the default queues and reason
-- codes (new tenants get them from the review service, review/defaults.go,
-- which these rows mirror), and every proposal already queued gets its item,
-- in the first queue whose rules fit, ordered by its SLA alone.
INSERT INTO review_queues (tenant_id, name, position, allowed_roles, match, accepts_new, escalate_to, created_at, updated_at)
SELECT t.id, q.name, q.position, q.roles, q.match::jsonb, q.accepts_new, NULL, now(), now()
FROM tenants t CROSS JOIN (VALUES
    ('PII and identifiers', 1, '{admin,reviewer}'::text[], '{"tags": ["pii", "identifier", "consent"]}', true),
    ('Pipeline changes',    2, '{admin,reviewer}'::text[], '{"tags": ["pipeline", "forecast", "commission"]}', true),
    ('Everything else',     3, '{admin,reviewer}'::text[], '{}', true),
    ('Escalations',         4, '{admin}'::text[], '{}', false)) AS q(name, position, roles, match, accepts_new);
UPDATE review_queues q SET escalate_to = e.id FROM review_queues e
WHERE e.tenant_id = q.tenant_id AND e.name = 'Escalations' AND q.name <> 'Escalations';

INSERT INTO review_reason_codes (tenant_id, code, label, position)
SELECT t.id, r.code, r.label, r.position FROM tenants t CROSS JOIN (VALUES
    ('wrong_value', 'Wrong value', 1), ('stale_source', 'Stale source', 2), ('weak_evidence', 'Weak evidence', 3),
    ('policy', 'Against policy', 4), ('duplicate', 'Duplicate', 5), ('other', 'Other', 6)) AS r(code, label, position);

INSERT INTO review_items (tenant_id, proposal_id, queue_id, agent_id, object, record_id, field, sensitivity,
    approvals_required, sla_minutes, due_at, rank_at, why, state, created_at)
SELECT p.tenant_id, p.id, q.id, p.agent_id, p.object, p.record_id, p.field, s.sensitivity,
       CASE WHEN p.route = 'two_person' THEN 2 ELSE 1 END, s.sla,
       p.created_at + make_interval(mins => s.sla), p.created_at + make_interval(mins => s.sla),
       jsonb_build_array(jsonb_build_object('factor', 'sla', 'minutes', 0,
           'text', 'queued before review queues existed: ordered by its SLA alone')),
       'pending', p.created_at
FROM proposals p
LEFT JOIN field_policies fp ON fp.tenant_id = p.tenant_id AND fp.field_id = p.field_id
CROSS JOIN LATERAL (SELECT COALESCE(fp.sensitivity, 'medium') AS sensitivity, COALESCE(fp.tags, '{}') AS tags) f
CROSS JOIN LATERAL (
    SELECT id, sla_minutes FROM review_queues q
    WHERE q.tenant_id = p.tenant_id AND q.accepts_new
      AND (COALESCE(jsonb_array_length(q.match->'tags'), 0) = 0
           OR f.tags && ARRAY(SELECT jsonb_array_elements_text(q.match->'tags')))
    ORDER BY q.position LIMIT 1) q
CROSS JOIN LATERAL (SELECT f.sensitivity, COALESCE(fp.sla_minutes, (q.sla_minutes->>f.sensitivity)::int) AS sla) s
WHERE p.status = 'queued';

-- +goose Down
DROP INDEX proposals_record_idx;
DROP TABLE review_decisions;
DROP FUNCTION review_decisions_append_only();
DROP TABLE review_claims;
DROP TABLE review_items;
DROP TABLE review_reason_codes;
DROP TABLE review_queues;
ALTER TABLE agents DROP COLUMN created_by;
