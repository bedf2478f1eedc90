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
