-- +goose Up
-- The agent gateway: agents and their keys and scopes, proposals with their
-- status history, the feedback stream, read-through logs, and alerts.

CREATE TABLE agents (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           uuid NOT NULL REFERENCES tenants (id),
    connection_id       uuid NOT NULL REFERENCES crm_connections (id),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description         text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    paused_reason       text NOT NULL DEFAULT '',
    velocity_cap        integer NOT NULL DEFAULT 50 CHECK (velocity_cap > 0),      -- distinct records per rolling hour
    hard_cap_multiplier integer NOT NULL DEFAULT 10 CHECK (hard_cap_multiplier >= 1),
    field_caps          jsonb NOT NULL DEFAULT '{}'::jsonb,                         -- "object.field" → records per hour
    breaker_open        boolean NOT NULL DEFAULT false,
    breaker_tripped_at  timestamptz,
    breaker_reset_at    timestamptz,                                                -- the velocity window starts here after a reset
    webhook_url         text NOT NULL DEFAULT '',
    webhook_secret      text NOT NULL DEFAULT '',                                   -- HMAC-SHA256 key of deliveries
    webhook_cursor      bigint NOT NULL DEFAULT 0,                                  -- last agent_feedback.seq delivered
    webhook_error       text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agents_name_key ON agents (tenant_id, lower(name));

-- Only the SHA-256 of a key is kept; the prefix identifies it in lists.
CREATE TABLE agent_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    agent_id     uuid NOT NULL REFERENCES agents (id),
    name         text NOT NULL DEFAULT '',
    prefix       text NOT NULL,
    hash         text NOT NULL,
    created_by   uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX agent_keys_hash_idx ON agent_keys (hash);
CREATE INDEX agent_keys_agent_idx ON agent_keys (tenant_id, agent_id);

-- What an agent may touch: '*' matches every object or field.
CREATE TABLE agent_scopes (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    agent_id   uuid NOT NULL REFERENCES agents (id),
    object     text NOT NULL,
    field      text NOT NULL,
    operations text[] NOT NULL CHECK (operations <@ ARRAY['set', 'clear', 'append']::text[]),
    PRIMARY KEY (tenant_id, agent_id, object, field)
);

CREATE TABLE proposals (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    agent_id        uuid NOT NULL REFERENCES agents (id),
    batch_id        uuid NOT NULL,
    idempotency_key text,
    object          text NOT NULL,
    record_id       text NOT NULL,
    field           text NOT NULL,
    field_id        uuid REFERENCES crm_fields (id),
    operation       text NOT NULL CHECK (operation IN ('set', 'clear', 'append')),
    expected_old    jsonb,
    proposed        jsonb,
    confidence      double precision NOT NULL,
    rationale       text NOT NULL DEFAULT '',
    evidence        jsonb NOT NULL DEFAULT '[]'::jsonb,
    run_id          text NOT NULL DEFAULT '',
    route           text NOT NULL CHECK (route IN ('blocked', 'review', 'two_person', 'auto')),
    reasons         jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{code, text}]
    flags           jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{code, message, bump}]
    shadow_auto     boolean NOT NULL DEFAULT false,
    status          text NOT NULL,
    superseded_by   uuid,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX proposals_idempotency_key ON proposals (tenant_id, agent_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX proposals_list_idx ON proposals (tenant_id, created_at DESC);
CREATE INDEX proposals_agent_idx ON proposals (tenant_id, agent_id, created_at DESC);
CREATE INDEX proposals_pending_idx ON proposals (tenant_id, agent_id, object, record_id, field) WHERE status = 'queued';

-- What each agent targeted and when it last did: the velocity breaker counts
-- the distinct records here, a set bounded by the caps, instead of scanning
-- every proposal of the hour.
CREATE TABLE agent_targets (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    agent_id  uuid NOT NULL REFERENCES agents (id),
    object    text NOT NULL,
    record_id text NOT NULL,
    field     text NOT NULL,
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, agent_id, object, record_id, field)
);
CREATE INDEX agent_targets_recent_idx ON agent_targets (tenant_id, agent_id, last_at);

-- Every status transition, append-only.
CREATE TABLE proposal_events (
    seq         bigserial PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    proposal_id uuid NOT NULL REFERENCES proposals (id),
    at          timestamptz NOT NULL,
    from_status text,
    to_status   text NOT NULL,
    actor_kind  text NOT NULL CHECK (actor_kind IN ('agent', 'human', 'system')),
    actor_id    text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX proposal_events_proposal_idx ON proposal_events (tenant_id, proposal_id, seq);
CREATE TRIGGER proposal_events_append_only
    BEFORE UPDATE OR DELETE ON proposal_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The override signal each agent reads back, in order; seq is the cursor.
CREATE TABLE agent_feedback (
    seq         bigserial PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    agent_id    uuid NOT NULL REFERENCES agents (id),
    proposal_id uuid NOT NULL REFERENCES proposals (id),
    at          timestamptz NOT NULL,
    outcome     text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX agent_feedback_agent_idx ON agent_feedback (tenant_id, agent_id, seq);

-- "What the AI read" belongs in the audit trail.
CREATE TABLE agent_reads (
    seq        bigserial PRIMARY KEY,
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    agent_id   uuid NOT NULL REFERENCES agents (id),
    at         timestamptz NOT NULL,
    object     text NOT NULL,
    record_ids text[] NOT NULL,
    fields     text[] NOT NULL
);
CREATE INDEX agent_reads_agent_idx ON agent_reads (tenant_id, agent_id, seq DESC);

CREATE TABLE alerts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    kind            text NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    title           text NOT NULL,
    detail          jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL,
    acknowledged_at timestamptz,
    acknowledged_by uuid REFERENCES users (id)
);
CREATE INDEX alerts_open_idx ON alerts (tenant_id, created_at DESC) WHERE acknowledged_at IS NULL;

-- +goose Down
DROP TABLE alerts;
DROP TABLE agent_reads;
DROP TABLE agent_feedback;
DROP TABLE proposal_events;
DROP TABLE agent_targets;
DROP TABLE proposals;
DROP TABLE agent_scopes;
DROP TABLE agent_keys;
DROP TABLE agents;
