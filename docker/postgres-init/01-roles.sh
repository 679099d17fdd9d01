#!/usr/bin/env bash
# Creates the scimflow database and its two roles. Run by the postgres image's entrypoint on the first
# start (empty data directory), from /docker-entrypoint-initdb.d.
#
#   scimflow_owner  owns the database and its public schema; the hub runs Flyway migrations as this role
#                   (SPRING_FLYWAY_USER).
#   scimflow_app    the hub's runtime role (SPRING_DATASOURCE_USERNAME): may connect and use schema public;
#                   the migrations grant it its table privileges (append-only on the audit tables).
#
# Passwords come from SCIMFLOW_OWNER_PASSWORD and SCIMFLOW_APP_PASSWORD; psql reads them from the environment
# (\getenv, psql 15+), so they never appear on a command line. Names and passwords reach SQL only as psql
# variables quoted by format() (%I identifiers, %L literals) or :"var", never pasted into SQL text.
#
# Also usable against an existing server, as a superuser, with psql 15 or later:
#   PGHOST=db.example PGUSER=postgres SCIMFLOW_OWNER_PASSWORD=... SCIMFLOW_APP_PASSWORD=... \
#     bash docker/postgres-init/01-roles.sh
# It is idempotent: existing roles get the given passwords, an existing database is handed to the owner role.
# Other names: SCIMFLOW_DB_NAME, SCIMFLOW_DB_OWNER_ROLE, SCIMFLOW_DB_APP_ROLE (defaults as above).
#
# No "exit" and no "set -u" here: the entrypoint sources *.sh files that are not executable.
set -eo pipefail

: "${SCIMFLOW_OWNER_PASSWORD:?SCIMFLOW_OWNER_PASSWORD must be set}"
: "${SCIMFLOW_APP_PASSWORD:?SCIMFLOW_APP_PASSWORD must be set}"

scimflow_psql() {
    psql --no-psqlrc -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-${PGUSER:-postgres}}" \
        -v db_name="${SCIMFLOW_DB_NAME:-scimflow}" \
        -v owner_role="${SCIMFLOW_DB_OWNER_ROLE:-scimflow_owner}" \
        -v app_role="${SCIMFLOW_DB_APP_ROLE:-scimflow_app}" \
        "$@"
}

# Roles and database, from the maintenance database. CREATE DATABASE cannot run inside a DO block,
# so each statement is built with format() (%I quotes identifiers, %L literals) and run by \gexec.
scimflow_psql --dbname "${POSTGRES_DB:-postgres}" <<'SQL'
\getenv owner_password SCIMFLOW_OWNER_PASSWORD
\getenv app_password SCIMFLOW_APP_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'owner_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'owner_role', :'owner_password') \gexec

SELECT format('CREATE ROLE %I LOGIN', :'app_role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'app_role', :'app_password') \gexec

SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db_name', :'owner_role', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db_name') \gexec
-- Also when the database already existed (e.g. created by POSTGRES_DB): the owner role must own it.
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db_name', :'owner_role') \gexec

-- Only the owner, the application role (and superusers) may connect.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db_name') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db_name', :'app_role') \gexec
SQL

# Inside the new database: the owner role owns schema public (on PostgreSQL 15+ it already does through
# pg_database_owner; older servers give it to the bootstrap superuser), so only it may create tables there.
scimflow_psql --dbname "${SCIMFLOW_DB_NAME:-scimflow}" <<'SQL'
ALTER SCHEMA public OWNER TO :"owner_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app_role";
SQL
