-- +goose Up
-- Tenant isolation enforced by PostgreSQL (DESIGN.md §9): every table with a
-- tenant_id column gets ROW LEVEL SECURITY, FORCEd so the table owner is held
-- to it too, and a policy that only lets through the rows of the tenant the
-- transaction declared with set_config('app.tenant_id', <uuid>, true).
--
-- A transaction that declared no tenant does not see an empty tenant: an
-- unset app.tenant_id fails with "unrecognized configuration parameter", an
-- empty one (what a connection keeps after a transaction that set it) fails the
-- ::uuid cast. Either way the query ERRORs instead of returning nothing (as
-- soon as it meets a row: a table with no rows at all has nothing to hide).
--
-- Roles: the migrations run as the owner of the schema (the cluster's
-- superuser `postgres` in the private cluster, `countersign` in
-- docker-compose); the owner must be a superuser or have BYPASSRLS (FORCE
-- applies to a plain owner, and the lookup functions below run as it). The
-- server connects as `countersign_app`: LOGIN, NOBYPASSRLS, not the owner,
-- with only the grants below. The role is cluster-wide, so scripts/pg.sh,
-- the docker-compose db init and dbtest create it; this migration grants to
-- it when it exists.
--
-- Tables left without RLS, deliberately:
--   tenants          the directory itself (no tenant_id; slugs resolve at sign-in)
--   users            global identities shared by every tenant
--   login_attempts   keyed by email and IP, before any tenant is known
--   casbin_rule      the enforcer loads every tenant's grants at start; the
--                    tenant is a column value (v1/v2), not tenant_id
--   authz_version    one global counter
--   job_outbox       tenant-less job envelopes; each job declares its tenant
--   river_*, goose_db_version   the job queue's and goose's bookkeeping
--
-- Special cases among the tenant-owned tables:
--   memberships, sessions  are also read by user across tenants (sign-in lists a
--       user's tenants, a password change ends the user's other sessions): their
--       policy lets through the rows of app.user_id when that is set, and
--       otherwise is the strict tenant policy (so it still errors with neither).
--   audit_log  has rows with a NULL tenant (a failed sign-in). The app may insert
--       them, but reads only its tenant's rows; UPDATE, DELETE and TRUNCATE are
--       not granted at all (and the append-only triggers of 00001 stay).
--   sessions, agent_keys, invites  are found by the hash of a secret before the
--       tenant is known. Three narrow SECURITY DEFINER functions answer only
--       "whose is this hash" (session -> user, agent key -> tenant, invite ->
--       tenant); the caller then declares that user or tenant and reads the row
--       under the policy as usual. Knowing the hash is the capability.

-- +goose StatementBegin
DO $$
DECLARE
    t text;
    -- Each setting is read in a sub-SELECT: PostgreSQL then evaluates it once
    -- per statement (an InitPlan) rather than once per row checked.
    strict_tenant constant text := $q$tenant_id = (SELECT current_setting('app.tenant_id')::uuid)$q$;
    user_or_tenant constant text := $q$CASE WHEN (SELECT current_setting('app.user_id', true)) <> ''
        THEN user_id = (SELECT current_setting('app.user_id')::uuid)
             OR tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), '')::uuid)
        ELSE tenant_id = (SELECT current_setting('app.tenant_id')::uuid) END$q$;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'memberships', 'sessions', 'invites', 'audit_log',
        'crm_connections', 'crm_fields', 'crm_field_versions', 'field_policies', 'field_policy_history', 'sync_runs',
        'sandbox_fields', 'sandbox_records', 'sandbox_history',
        'agents', 'agent_keys', 'agent_scopes', 'agent_targets', 'agent_feedback', 'agent_reads',
        'proposals', 'proposal_events', 'alerts']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        IF t IN ('memberships', 'sessions') THEN
            EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (%s)', t, user_or_tenant);
        ELSIF t = 'audit_log' THEN
            EXECUTE format('CREATE POLICY tenant_read ON %I FOR SELECT USING (%s)', t, strict_tenant);
            EXECUTE format('CREATE POLICY tenant_append ON %I FOR INSERT WITH CHECK (CASE WHEN tenant_id IS NULL THEN true ELSE %s END)',
                t, strict_tenant);
        ELSE
            EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (%s)', t, strict_tenant);
        END IF;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION session_user_id(session_id text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT user_id FROM sessions WHERE id = session_id
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION agent_key_tenant(key_hash text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT tenant_id FROM agent_keys WHERE hash = key_hash AND revoked_at IS NULL
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION invite_tenant(token_hash text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT i.tenant_id FROM invites i WHERE i.token_hash = invite_tenant.token_hash
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION session_user_id(text), agent_key_tenant(text), invite_tenant(text) FROM PUBLIC;

-- The app role's grants: data access on every table, none on the schema's
-- shape; the audit trail and goose's table are insert/read-only to it.
-- Default privileges give the same to tables and sequences the owner creates
-- later (River's, the next migrations').
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'countersign_app') THEN
        RAISE NOTICE 'role countersign_app does not exist: no grants (scripts/pg.sh and docker-compose create it)';
        RETURN;
    END IF;
    IF (SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = 'countersign_app') THEN
        RAISE EXCEPTION 'role countersign_app must not be a superuser nor have BYPASSRLS';
    END IF;
    GRANT USAGE ON SCHEMA public TO countersign_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO countersign_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO countersign_app;
    REVOKE UPDATE, DELETE ON audit_log FROM countersign_app;
    REVOKE INSERT, UPDATE, DELETE ON goose_db_version FROM countersign_app;
    GRANT EXECUTE ON FUNCTION session_user_id(text), agent_key_tenant(text), invite_tenant(text) TO countersign_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO countersign_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO countersign_app;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'memberships', 'sessions', 'invites', 'audit_log',
        'crm_connections', 'crm_fields', 'crm_field_versions', 'field_policies', 'field_policy_history', 'sync_runs',
        'sandbox_fields', 'sandbox_records', 'sandbox_history',
        'agents', 'agent_keys', 'agent_scopes', 'agent_targets', 'agent_feedback', 'agent_reads',
        'proposals', 'proposal_events', 'alerts']
    LOOP
        IF t = 'audit_log' THEN
            EXECUTE 'DROP POLICY tenant_read ON audit_log';
            EXECUTE 'DROP POLICY tenant_append ON audit_log';
        ELSE
            EXECUTE format('DROP POLICY tenant_isolation ON %I', t);
        END IF;
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'countersign_app') THEN
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM countersign_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM countersign_app;
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM countersign_app;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM countersign_app;
        REVOKE USAGE ON SCHEMA public FROM countersign_app;
    END IF;
END
$$;
-- +goose StatementEnd
DROP FUNCTION invite_tenant(text);
DROP FUNCTION agent_key_tenant(text);
DROP FUNCTION session_user_id(text);
