-- +goose Up
-- The intake write path, lightened. Since 00005 every gateway child row carries
-- a tenant-safe composite foreign key; the single-column keys beside them are
-- implied by those (the parent of a composite key has its own tenant key), yet
-- each one is a lookup per inserted row. Intake writes a proposal, its
-- transition and often a feedback row per item, so they go. The proposals
-- primary key becomes (tenant_id, id): every read names the tenant, and the
-- composite keys already point at that pair, so a separate index on id alone
-- was one more index to maintain per insert.

ALTER TABLE proposals DROP CONSTRAINT proposals_tenant_id_fkey;
ALTER TABLE proposals DROP CONSTRAINT proposals_agent_id_fkey;
ALTER TABLE proposals DROP CONSTRAINT proposals_field_id_fkey;
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_tenant_id_fkey;
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_proposal_id_fkey;
ALTER TABLE agent_feedback DROP CONSTRAINT agent_feedback_tenant_id_fkey;
ALTER TABLE agent_feedback DROP CONSTRAINT agent_feedback_agent_id_fkey;
ALTER TABLE agent_feedback DROP CONSTRAINT agent_feedback_proposal_id_fkey;
ALTER TABLE agent_targets DROP CONSTRAINT agent_targets_tenant_id_fkey;
ALTER TABLE agent_targets DROP CONSTRAINT agent_targets_agent_id_fkey;
ALTER TABLE agent_reads DROP CONSTRAINT agent_reads_tenant_id_fkey;
ALTER TABLE agent_reads DROP CONSTRAINT agent_reads_agent_id_fkey;

-- Three composite keys go too, each checked once per row on the hottest path
-- (a lookup and a row lock per proposal): proposals → crm_fields, whose few
-- rows every agent of a connection shares (field_id is informational: intake
-- takes it from the tenant's own catalog, and the proposal names its object
-- and field); proposal_events → proposals, written in the same transaction
-- as the proposal under the same tenant (proposals are never deleted); and
-- agent_targets → agents, the velocity window, written only by intake under
-- the same agent. proposals → agents
-- stays: it is what makes a proposal belong to an agent of its tenant.
ALTER TABLE proposals DROP CONSTRAINT proposals_field_id_tenant_fk;
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_proposal_id_tenant_fk;
ALTER TABLE agent_targets DROP CONSTRAINT agent_targets_agent_id_tenant_fk;

ALTER TABLE proposals DROP CONSTRAINT proposals_pkey;
ALTER TABLE proposals ADD CONSTRAINT proposals_pkey PRIMARY KEY USING INDEX proposals_tenant_id_key;

-- The velocity window: a row per record an agent targeted (field '') and, for
-- fields with their own cap, a row per record field. Counting the window is
-- then a count(*) over one index range, not a DISTINCT over every field row.
-- prev_at is the time before the last: the upsert returns it, so intake
-- knows which targets of a batch enter the window without joining them, and
-- which records the agent targeted before — only their fields can have an
-- older proposal to supersede. Rows are never deleted (intake relies on it).
INSERT INTO agent_targets (tenant_id, agent_id, object, record_id, field, last_at)
SELECT tenant_id, agent_id, object, record_id, '', max(last_at) FROM agent_targets GROUP BY 1, 2, 3, 4
ON CONFLICT DO NOTHING;
ALTER TABLE agent_targets ADD COLUMN prev_at timestamptz;
DROP INDEX agent_targets_recent_idx;
CREATE INDEX agent_targets_window_idx ON agent_targets (tenant_id, agent_id, field, last_at);

-- Proposals by agent, newest first, without tenant_id in front: with it, an
-- index on (tenant_id, agent_id) looks as good as the idempotency and pending
-- indexes to a planner without statistics (a fresh table says one row per
-- agent), and intake's key and supersede lookups scanned an agent's every
-- proposal. Queries still name the tenant; agent ids are unique.
DROP INDEX proposals_agent_idx;
CREATE INDEX proposals_agent_idx ON proposals (agent_id, created_at DESC);

-- +goose Down
DROP INDEX proposals_agent_idx;
CREATE INDEX proposals_agent_idx ON proposals (tenant_id, agent_id, created_at DESC);
-- the record rows stay: the old count reads the same records through them
ALTER TABLE agent_targets DROP COLUMN prev_at;
DROP INDEX agent_targets_window_idx;
CREATE INDEX agent_targets_recent_idx ON agent_targets (tenant_id, agent_id, last_at);

ALTER TABLE proposals DROP CONSTRAINT proposals_pkey CASCADE;
ALTER TABLE proposals ADD CONSTRAINT proposals_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX proposals_tenant_id_key ON proposals (tenant_id, id);
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_proposal_id_tenant_fk FOREIGN KEY (tenant_id, proposal_id) REFERENCES proposals (tenant_id, id);
ALTER TABLE agent_feedback ADD CONSTRAINT agent_feedback_proposal_id_tenant_fk FOREIGN KEY (tenant_id, proposal_id) REFERENCES proposals (tenant_id, id);
ALTER TABLE proposals ADD CONSTRAINT proposals_field_id_tenant_fk FOREIGN KEY (tenant_id, field_id) REFERENCES crm_fields (tenant_id, id);
ALTER TABLE agent_targets ADD CONSTRAINT agent_targets_agent_id_tenant_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id);

ALTER TABLE proposals ADD CONSTRAINT proposals_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE proposals ADD CONSTRAINT proposals_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
ALTER TABLE proposals ADD CONSTRAINT proposals_field_id_fkey FOREIGN KEY (field_id) REFERENCES crm_fields (id);
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id);
ALTER TABLE agent_feedback ADD CONSTRAINT agent_feedback_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE agent_feedback ADD CONSTRAINT agent_feedback_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
ALTER TABLE agent_feedback ADD CONSTRAINT agent_feedback_proposal_id_fkey FOREIGN KEY (proposal_id) REFERENCES proposals (id);
ALTER TABLE agent_targets ADD CONSTRAINT agent_targets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE agent_targets ADD CONSTRAINT agent_targets_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
ALTER TABLE agent_reads ADD CONSTRAINT agent_reads_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE agent_reads ADD CONSTRAINT agent_reads_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id);
