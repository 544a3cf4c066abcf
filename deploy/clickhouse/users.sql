-- vigia's ClickHouse users for servers with SQL-driven access control
-- (ClickHouse 24–26). 18.16 has no CREATE USER: there deploy/clickhouse/
-- start.sh defines the same users in users.xml (see README.md).
--
-- Passwords are never written here; fill the placeholders from the
-- environment and pipe the result straight into the client, e.g.
--
--   export VIGIA_CLICKHOUSE_WRITER_PASSWORD=$(cat /run/secrets/ch-writer)
--   export VIGIA_CLICKHOUSE_ANALYST_PASSWORD=$(cat /run/secrets/ch-analyst)
--   envsubst '$VIGIA_CLICKHOUSE_WRITER_PASSWORD $VIGIA_CLICKHOUSE_ANALYST_PASSWORD' \
--       <deploy/clickhouse/users.sql | clickhouse client --multiquery
--
-- Run it as an administrator (a user with access_management = 1). It is
-- idempotent; re-running it rotates the passwords. The database is `vigia`
-- (VIGIA_CLICKHOUSE_DATABASE's default): change it below if yours differs.

-- Roles: what each kind of client may do.
CREATE ROLE IF NOT EXISTS vigia_write;
-- The writer service inserts rows and reads its schema version.
GRANT SELECT, INSERT ON vigia.* TO vigia_write;

CREATE ROLE IF NOT EXISTS vigia_read;
GRANT SELECT ON vigia.* TO vigia_read;

-- Analysts also cannot change settings that would lift limits.
CREATE SETTINGS PROFILE IF NOT EXISTS vigia_readonly SETTINGS readonly = 1 CONST;

-- Users.
CREATE USER IF NOT EXISTS vigia_writer
    IDENTIFIED WITH sha256_password BY '${VIGIA_CLICKHOUSE_WRITER_PASSWORD}'
    DEFAULT DATABASE vigia;
ALTER USER vigia_writer IDENTIFIED WITH sha256_password BY '${VIGIA_CLICKHOUSE_WRITER_PASSWORD}';
GRANT vigia_write TO vigia_writer;
ALTER USER vigia_writer DEFAULT ROLE vigia_write;

CREATE USER IF NOT EXISTS vigia_analyst
    IDENTIFIED WITH sha256_password BY '${VIGIA_CLICKHOUSE_ANALYST_PASSWORD}'
    DEFAULT DATABASE vigia
    SETTINGS PROFILE 'vigia_readonly';
ALTER USER vigia_analyst IDENTIFIED WITH sha256_password BY '${VIGIA_CLICKHOUSE_ANALYST_PASSWORD}';
GRANT vigia_read TO vigia_analyst;
ALTER USER vigia_analyst DEFAULT ROLE vigia_read SETTINGS PROFILE 'vigia_readonly';

-- `vigia migrate` creates and alters the tables: run it as an administrator,
-- or as a user with this role.
CREATE ROLE IF NOT EXISTS vigia_migrate;
GRANT CREATE DATABASE ON vigia.*, CREATE TABLE ON vigia.*, ALTER ON vigia.*, DROP TABLE ON vigia.*,
    SELECT ON vigia.*, INSERT ON vigia.* TO vigia_migrate;
