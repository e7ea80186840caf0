-- docker-compose's db runs this once, when it initializes its data volume:
-- the role the server connects as (see scripts/pg.sh app_role). It owns
-- nothing and has no BYPASSRLS; `countersign migrate` (as the owner,
-- `countersign`) grants it its rights.
CREATE ROLE countersign_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD 'countersign';
