-- +goose Up
-- The audit trail pages by (at, seq), newest first, per tenant.
CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at DESC, seq DESC);

-- +goose Down
DROP INDEX audit_log_tenant_at_idx;
