#!/bin/sh
# Applies the database schema: waits (bounded) until PostgreSQL accepts connections, then runs
# every *.sql file of SQL_DIR in name order with psql, stopping at the first error.
# Run by the db-schema Job (postgres image) and, unchanged, by tests/component.
#
# Environment: PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD (libpq), SQL_DIR (default /sql),
#              WAIT_TIMEOUT_SECONDS (default 300), WAIT_INTERVAL_SECONDS (default 2).
set -eu

sql_dir=${SQL_DIR:-/sql}
timeout=${WAIT_TIMEOUT_SECONDS:-300}
interval=${WAIT_INTERVAL_SECONDS:-2}

log() { printf '%s db-schema: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# The bundled PostgreSQL may still be initialising when the Job starts (both are created by the
# same helm install): wait for it here, bounded, instead of making anything wait on this Job.
waited=0
until pg_isready --quiet --timeout=5; do
  if [ "$waited" -ge "$timeout" ]; then
    log "PostgreSQL at ${PGHOST}:${PGPORT:-5432} not ready after ${timeout}s; giving up (the Job retries)"
    exit 1
  fi
  sleep "$interval"
  waited=$((waited + interval))
done
log "PostgreSQL at ${PGHOST}:${PGPORT:-5432} is ready (waited ${waited}s)"

# The database: the bundled server creates postgresql.auth.database on its first start only, and
# an external server may have the role but not yet the database. Create it when it is missing and
# the role may (CREATEDB); any other connection error stops here with psql's own message.
errors=$(mktemp)
if ! psql -X --no-password --quiet -tAc 'SELECT 1' >/dev/null 2>"$errors"; then
  if ! grep -q 'database ".*" does not exist' "$errors"; then
    cat "$errors" >&2
    exit 1
  fi
  log "database ${PGDATABASE} does not exist; creating it"
  psql -X --no-password -v ON_ERROR_STOP=1 --quiet -d postgres -v db="$PGDATABASE" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
\gexec
SQL
fi
rm -f "$errors"

found=0
for file in "$sql_dir"/*.sql; do
  [ -e "$file" ] || continue
  found=1
  log "applying $(basename "$file") to database ${PGDATABASE}"
  # -X: ignore any psqlrc; ON_ERROR_STOP: fail the Job on the first error (the file's own
  # BEGIN/COMMIT then rolls everything back).
  psql -X --no-password -v ON_ERROR_STOP=1 --quiet -f "$file"
done
if [ "$found" -eq 0 ]; then
  log "no *.sql file in ${sql_dir}"
  exit 1
fi
log "schema applied"
