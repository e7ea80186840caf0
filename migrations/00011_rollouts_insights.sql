-- +goose Up
-- Canary rollouts (DESIGN.md §6) and the insights read model: a rollout per
-- agent × field set, its stage history, each proposal's arm, and the daily
-- aggregates the Rollouts and Insights pages read.

CREATE TABLE rollouts (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    agent_id      uuid NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    stage         text NOT NULL DEFAULT 'off' CHECK (stage IN ('off', 'shadow', 'canary', 'full')),
    percent_bps   integer NOT NULL DEFAULT 0 CHECK (percent_bps BETWEEN 0 AND 10000),
    salt          text NOT NULL,                        -- the cohort's hash salt: fixed for the rollout's life
    threshold_bps integer NOT NULL DEFAULT 300 CHECK (threshold_bps BETWEEN 1 AND 10000),  -- correction-rate guardrail
    min_sample    integer NOT NULL DEFAULT 50 CHECK (min_sample BETWEEN 1 AND 100000),
    stage_since   timestamptz NOT NULL,                 -- when the rollout entered its stage
    canary_since  timestamptz,                          -- when the current (or last) canary began
    verdict       jsonb NOT NULL DEFAULT '{}'::jsonb,   -- the guardrail's last judgement
    halted_at     timestamptz,
    halt_reason   text,
    created_by    uuid REFERENCES users (id),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id)
);
CREATE INDEX rollouts_agent_idx ON rollouts (tenant_id, agent_id);

-- A field belongs to at most one rollout per agent.
CREATE TABLE rollout_fields (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    rollout_id uuid NOT NULL,
    agent_id   uuid NOT NULL,
    object     text NOT NULL,
    field      text NOT NULL,
    PRIMARY KEY (tenant_id, agent_id, object, field),
    FOREIGN KEY (tenant_id, rollout_id) REFERENCES rollouts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX rollout_fields_rollout_idx ON rollout_fields (tenant_id, rollout_id);

-- Every stage change: who (a person, or the guardrail), when, why.
CREATE TABLE rollout_stages (
    seq         bigserial PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    rollout_id  uuid NOT NULL,
    from_stage  text,
    from_bps    integer,
    to_stage    text NOT NULL,
    to_bps      integer NOT NULL,
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    actor_kind  text NOT NULL CHECK (actor_kind IN ('human', 'system')),
    user_id     uuid REFERENCES users (id),
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    at          timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, rollout_id) REFERENCES rollouts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX rollout_stages_rollout_idx ON rollout_stages (tenant_id, rollout_id, seq DESC);

-- The rollout and arm a proposal was routed under (NULL: no rollout, or it
-- failed an auto gate and is reviewed whatever the rollout).
ALTER TABLE proposals ADD COLUMN rollout_id uuid, ADD COLUMN arm text CHECK (arm IN ('canary', 'control', 'shadow'));
CREATE INDEX proposals_rollout_idx ON proposals (tenant_id, rollout_id, created_at) WHERE rollout_id IS NOT NULL;
CREATE INDEX corrections_proposal_idx ON corrections (tenant_id, proposal_id);
CREATE INDEX review_items_decided_idx ON review_items (tenant_id, decided_at) WHERE decided_at IS NOT NULL;

-- Outcomes per day of proposal, agent × field × arm: how many reached an
-- outcome (decided by a reviewer, or applied when auto-applied), how many of
-- those were corrected, and time to update. The fold recomputes the last 31
-- days from the proposals; older days stay as they were.
CREATE TABLE outcome_daily (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    day        date NOT NULL,
    agent_id   uuid NOT NULL,
    object     text NOT NULL,
    field      text NOT NULL,
    arm        text NOT NULL CHECK (arm IN ('canary', 'control', 'shadow', 'review')),
    decided    integer NOT NULL,
    corrected  integer NOT NULL,
    applied    integer NOT NULL,
    ttu_ms_sum bigint NOT NULL,                      -- Σ proposal → applied, over the applied ones
    PRIMARY KEY (tenant_id, day, agent_id, object, field, arm)
);

-- The same outcomes by confidence bin (all arms), for trust calibration.
CREATE TABLE confidence_daily (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    agent_id  uuid NOT NULL,
    object    text NOT NULL,
    field     text NOT NULL,
    conf_bin  smallint NOT NULL,                     -- the bin's lower edge, in hundredths
    decided   integer NOT NULL,
    corrected integer NOT NULL,
    PRIMARY KEY (tenant_id, day, agent_id, object, field, conf_bin)
);

-- Corrections per day, agent, kind and reason (rollbacks by reason code).
CREATE TABLE correction_daily (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    agent_id  uuid NOT NULL,
    kind      text NOT NULL,
    reason    text NOT NULL,
    n         integer NOT NULL,
    PRIMARY KEY (tenant_id, day, agent_id, kind, reason)
);

-- Review decisions per day, queue and sensitivity, and how many met their SLA.
CREATE TABLE sla_daily (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    day         date NOT NULL,
    queue_id    uuid NOT NULL,
    sensitivity text NOT NULL,
    decided     integer NOT NULL,
    met         integer NOT NULL,
    PRIMARY KEY (tenant_id, day, queue_id, sensitivity)
);

-- Queue depth, sampled by each fold (at most one sample per queue per hour).
CREATE TABLE queue_depth (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    at        timestamptz NOT NULL,
    queue_id  uuid NOT NULL,
    pending   integer NOT NULL,
    breached  integer NOT NULL,
    PRIMARY KEY (tenant_id, at, queue_id)
);

-- When each tenant's insights were last folded, and how long it took.
CREATE TABLE insight_folds (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    folded_at timestamptz NOT NULL,
    took_ms   integer NOT NULL
);

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['rollouts', 'rollout_fields', 'rollout_stages', 'outcome_daily', 'confidence_daily', 'correction_daily', 'sla_daily',
                             'queue_depth', 'insight_folds'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''app.tenant_id'')::uuid))', t);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'countersign_app') THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON rollout_stages FROM countersign_app;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE insight_folds, queue_depth, sla_daily, correction_daily, confidence_daily, outcome_daily, rollout_stages, rollout_fields, rollouts;
DROP INDEX review_items_decided_idx;
DROP INDEX corrections_proposal_idx;
ALTER TABLE proposals DROP COLUMN arm, DROP COLUMN rollout_id;
