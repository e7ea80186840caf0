-- +goose Up
-- Identity, tenancy, authorization and the admin audit trail.

CREATE TABLE tenants (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);

-- Users are global identities; what they may do lives in memberships + casbin_rule.
CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (email = lower(email) AND position('@' in email) > 1),
    name          text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE memberships (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    user_id    uuid NOT NULL REFERENCES users (id),
    status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX memberships_tenant_user_key ON memberships (tenant_id, user_id);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- Casbin policies, in the shape gorm-adapter v3 reads (we never let it AutoMigrate).
-- p, <role>, <tenant id or *>, <permission>    role grants
-- g, <user id>, <role>, <tenant id>            role assignments (the member's roles)
CREATE TABLE casbin_rule (
    id    bigserial PRIMARY KEY,
    ptype varchar(100) NOT NULL DEFAULT '',
    v0    varchar(100) NOT NULL DEFAULT '',
    v1    varchar(100) NOT NULL DEFAULT '',
    v2    varchar(100) NOT NULL DEFAULT '',
    v3    varchar(100) NOT NULL DEFAULT '',
    v4    varchar(100) NOT NULL DEFAULT '',
    v5    varchar(100) NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX idx_casbin_rule ON casbin_rule (ptype, v0, v1, v2, v3, v4, v5);

-- Bumped in the same transaction as any policy change; every app copy compares it on
-- each request and reloads its enforcer, so role changes apply on the next request.
CREATE TABLE authz_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint NOT NULL
);
INSERT INTO authz_version (version) VALUES (1);

-- Server-side sessions; the cookie holds a random token, we keep only its SHA-256.
CREATE TABLE sessions (
    id           text PRIMARY KEY, -- hex SHA-256 of the cookie token
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    csrf_token   text NOT NULL,
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Sign-in attempts, for lockout and rate limiting across app copies.
CREATE TABLE login_attempts (
    id        bigserial PRIMARY KEY,
    email     text NOT NULL,
    ip        text NOT NULL,
    succeeded boolean NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at);

CREATE TABLE invites (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    email       text NOT NULL,
    roles       text[] NOT NULL CHECK (cardinality(roles) > 0),
    token_hash  text NOT NULL, -- hex SHA-256 of the link token
    invited_by  uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id),
    revoked_at  timestamptz
);
CREATE INDEX invites_token_idx ON invites (token_hash);
CREATE INDEX invites_tenant_idx ON invites (tenant_id, created_at DESC);

-- Append-only admin audit trail: sign-ins, invites, role changes, disables.
-- tenant_id is NULL for events that belong to no tenant (a failed sign-in).
CREATE TABLE audit_log (
    seq           bigserial PRIMARY KEY,
    tenant_id     uuid REFERENCES tenants (id),
    at            timestamptz NOT NULL DEFAULT now(),
    actor_user_id uuid REFERENCES users (id),
    actor_email   text NOT NULL DEFAULT '',
    action        text NOT NULL,
    target        text NOT NULL DEFAULT '',
    detail        jsonb NOT NULL DEFAULT '{}'::jsonb,
    ip            text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, seq DESC);

-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION refuse_change();
DROP TABLE invites;
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE authz_version;
DROP TABLE casbin_rule;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE tenants;
