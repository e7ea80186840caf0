-- +goose Up
-- Tenant-safe foreign keys: a child row can only point at a parent row of its own
-- tenant, enforced by the database itself (services already check; this makes a
-- mistake impossible, and is what a tenant-distributed schema needs).

CREATE UNIQUE INDEX agents_tenant_id_key ON agents (tenant_id, id);
CREATE UNIQUE INDEX crm_connections_tenant_id_key ON crm_connections (tenant_id, id);
CREATE UNIQUE INDEX crm_fields_tenant_id_key ON crm_fields (tenant_id, id);
CREATE UNIQUE INDEX proposals_tenant_id_key ON proposals (tenant_id, id);

ALTER TABLE crm_fields ADD CONSTRAINT crm_fields_connection_id_tenant_fk FOREIGN KEY (tenant_id, connection_id) REFERENCES crm_connections (tenant_id, id);
ALTER TABLE crm_field_versions ADD CONSTRAINT crm_field_versions_field_id_tenant_fk FOREIGN KEY (tenant_id, field_id) REFERENCES crm_fields (tenant_id, id);
ALTER TABLE field_policies ADD CONSTRAINT field_policies_field_id_tenant_fk FOREIGN KEY (tenant_id, field_id) REFERENCES crm_fields (tenant_id, id);
ALTER TABLE field_policy_history ADD CONSTRAINT field_policy_history_field_id_tenant_fk FOREIGN KEY (tenant_id, field_id) REFERENCES crm_fields (tenant_id, id);
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_connection_id_tenant_fk FOREIGN KEY (tenant_id, connection_id) REFERENCES crm_connections (tenant_id, id);
ALTER TABLE sandbox_fields ADD CONSTRAINT sandbox_fields_connection_id_tenant_fk FOREIGN KEY (tenant_id, connection_id) REFERENCES crm_connections (tenant_id, id);
ALTER TABLE sandbox_records ADD CONSTRAINT sandbox_records_connection_id_tenant_fk FOREIGN KEY (tenant_id, connection_id) REFERENCES crm_connections (tenant_id, id);
ALTER TABLE sandbox_history ADD CONSTRAINT sandbox_history_connection_id_tenant_fk FOREIGN KEY (tenant_id, connection_id) REFERENCES crm_connections (tenant_id, id);
ALTER TABLE agents ADD CONSTRAINT agents_connection_id_tenant_fk FOREIGN KEY (tenant_id, connection_id) REFERENCES crm_connections (tenant_id, id);
ALTER TABLE agent_keys ADD CONSTRAINT agent_keys_agent_id_tenant_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id);
ALTER TABLE agent_scopes ADD CONSTRAINT agent_scopes_agent_id_tenant_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id);
ALTER TABLE proposals ADD CONSTRAINT proposals_agent_id_tenant_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id);
ALTER TABLE proposals ADD CONSTRAINT proposals_field_id_tenant_fk FOREIGN KEY (tenant_id, field_id) REFERENCES crm_fields (tenant_id, id);
ALTER TABLE agent_targets ADD CONSTRAINT agent_targets_agent_id_tenant_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id);
ALTER TABLE proposal_events ADD CONSTRAINT proposal_events_proposal_id_tenant_fk FOREIGN KEY (tenant_id, proposal_id) REFERENCES proposals (tenant_id, id);
ALTER TABLE agent_feedback ADD CONSTRAINT agent_feedback_agent_id_tenant_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id);
ALTER TABLE agent_feedback ADD CONSTRAINT agent_feedback_proposal_id_tenant_fk FOREIGN KEY (tenant_id, proposal_id) REFERENCES proposals (tenant_id, id);
ALTER TABLE agent_reads ADD CONSTRAINT agent_reads_agent_id_tenant_fk FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id);

-- +goose Down
ALTER TABLE crm_fields DROP CONSTRAINT crm_fields_connection_id_tenant_fk;
ALTER TABLE crm_field_versions DROP CONSTRAINT crm_field_versions_field_id_tenant_fk;
ALTER TABLE field_policies DROP CONSTRAINT field_policies_field_id_tenant_fk;
ALTER TABLE field_policy_history DROP CONSTRAINT field_policy_history_field_id_tenant_fk;
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_connection_id_tenant_fk;
ALTER TABLE sandbox_fields DROP CONSTRAINT sandbox_fields_connection_id_tenant_fk;
ALTER TABLE sandbox_records DROP CONSTRAINT sandbox_records_connection_id_tenant_fk;
ALTER TABLE sandbox_history DROP CONSTRAINT sandbox_history_connection_id_tenant_fk;
ALTER TABLE agents DROP CONSTRAINT agents_connection_id_tenant_fk;
ALTER TABLE agent_keys DROP CONSTRAINT agent_keys_agent_id_tenant_fk;
ALTER TABLE agent_scopes DROP CONSTRAINT agent_scopes_agent_id_tenant_fk;
ALTER TABLE proposals DROP CONSTRAINT proposals_agent_id_tenant_fk;
ALTER TABLE proposals DROP CONSTRAINT proposals_field_id_tenant_fk;
ALTER TABLE agent_targets DROP CONSTRAINT agent_targets_agent_id_tenant_fk;
ALTER TABLE proposal_events DROP CONSTRAINT proposal_events_proposal_id_tenant_fk;
ALTER TABLE agent_feedback DROP CONSTRAINT agent_feedback_agent_id_tenant_fk;
ALTER TABLE agent_feedback DROP CONSTRAINT agent_feedback_proposal_id_tenant_fk;
ALTER TABLE agent_reads DROP CONSTRAINT agent_reads_agent_id_tenant_fk;
DROP INDEX agents_tenant_id_key;
DROP INDEX crm_connections_tenant_id_key;
DROP INDEX crm_fields_tenant_id_key;
DROP INDEX proposals_tenant_id_key;
