-- +goose Up
-- The built-in sandbox CRM: a HubSpot-shaped CRM kept in our own database, the
-- default connection of the demo and the tests. Every row belongs to one
-- sandbox connection of one tenant.

-- Field definitions, per connection, so one can change between two syncs.
CREATE TABLE sandbox_fields (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    connection_id uuid NOT NULL REFERENCES crm_connections (id),
    object        text NOT NULL,
    name          text NOT NULL,
    position      integer NOT NULL, -- display order within the object
    label         text NOT NULL,
    type          text NOT NULL,            -- crm.FieldType
    raw_type      text NOT NULL DEFAULT '', -- HubSpot type/fieldType, e.g. enumeration/select
    options       jsonb NOT NULL DEFAULT '[]'::jsonb,
    read_only     boolean NOT NULL DEFAULT false,
    sensitivity   text NOT NULL DEFAULT 'non_sensitive'
                  CHECK (sensitivity IN ('non_sensitive', 'sensitive', 'highly_sensitive')),
    archived      boolean NOT NULL DEFAULT false,
    custom        boolean NOT NULL DEFAULT false,
    description   text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX sandbox_fields_key ON sandbox_fields (tenant_id, connection_id, object, name);

CREATE TABLE sandbox_records (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    connection_id uuid NOT NULL REFERENCES crm_connections (id),
    object        text NOT NULL,
    id            text NOT NULL CHECK (id ~ '^[0-9]{1,18}$'), -- HubSpot-like numeric ids
    values        jsonb NOT NULL DEFAULT '{}'::jsonb,        -- field name → JSON scalar
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX sandbox_records_key ON sandbox_records (tenant_id, connection_id, object, id);
-- Pages walk ids in numeric order: (length, text) sorts numeric strings numerically.
CREATE INDEX sandbox_records_page_idx ON sandbox_records (tenant_id, connection_id, object, length(id), id);

-- Every value a field of a record has held, with who or what set it.
CREATE TABLE sandbox_history (
    seq           bigserial PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    connection_id uuid NOT NULL REFERENCES crm_connections (id),
    object        text NOT NULL,
    record_id     text NOT NULL,
    field         text NOT NULL,
    value         jsonb, -- NULL = cleared
    at            timestamptz NOT NULL,
    source        text NOT NULL CHECK (source IN ('human', 'api', 'import', 'system')),
    actor         text NOT NULL DEFAULT ''
);
CREATE INDEX sandbox_history_record_idx ON sandbox_history (tenant_id, connection_id, object, record_id, at);
CREATE INDEX sandbox_history_since_idx ON sandbox_history (tenant_id, connection_id, object, at);

-- +goose Down
DROP TABLE sandbox_history;
DROP TABLE sandbox_records;
DROP TABLE sandbox_fields;
