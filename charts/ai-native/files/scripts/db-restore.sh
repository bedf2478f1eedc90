#!/bin/sh
# Restores a dump written by db-backup.sh into PGDATABASE. The procedure around it (stop the
# writers, run this in a pod that mounts the backup volume, start the writers) is in
# docs/backup-restore.md; tests/component runs this very script against a real server.
#
# Usage: db-restore.sh [--replace] DUMP
#   DUMP       a .dump file, or "latest" for the newest dump of BACKUP_DATABASE in BACKUP_DIR
#   --replace  drop and re-create PGDATABASE first (DESTROYS its current content; needs a role
#              allowed to create databases). Without it the target must hold no tables, so a
#              restore never mixes with or overwrites live data by accident.
# Environment: PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD (libpq), BACKUP_DIR (default /backups),
#              BACKUP_DATABASE (whose dumps "latest" picks; default PGDATABASE, set it to restore
#              into a database of another name), MAINTENANCE_DB (default postgres; for --replace).
set -eu

log() { printf '%s db-restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
usage() { log "usage: db-restore.sh [--replace] DUMP|latest"; exit 2; }

replace=0
if [ "${1:-}" = "--replace" ]; then replace=1; shift; fi
[ $# -eq 1 ] || usage
dump=$1
backup_dir=${BACKUP_DIR:-/backups}
source_db=${BACKUP_DATABASE:-$PGDATABASE}

if [ "$dump" = latest ]; then
  # Names carry a sortable UTC timestamp: the last in name order is the newest.
  dump=$(find "$backup_dir" -maxdepth 1 -type f -name "${source_db}-*.dump" | sort | tail -n 1)
  [ -n "$dump" ] || { log "no ${source_db}-*.dump in ${backup_dir}"; exit 1; }
fi
[ -r "$dump" ] || { log "cannot read dump file ${dump}"; exit 1; }
pg_restore --list "$dump" >/dev/null || { log "${dump} is not a readable pg_dump archive"; exit 1; }

psql_q() { psql -X --no-password -v ON_ERROR_STOP=1 --quiet --tuples-only --no-align "$@"; }

if [ "$replace" -eq 1 ]; then
  log "dropping and re-creating database ${PGDATABASE} (--replace)"
  # Identifiers go through psql's :"var" quoting, never through string concatenation.
  psql_q -d "${MAINTENANCE_DB:-postgres}" -v db="$PGDATABASE" <<'SQL'
DROP DATABASE IF EXISTS :"db" WITH (FORCE);
CREATE DATABASE :"db";
SQL
fi

tables=$(psql_q -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                      AND n.nspname NOT LIKE 'pg_toast%'")
if [ "$tables" -ne 0 ]; then
  log "database ${PGDATABASE} already holds ${tables} table(s); restore into an empty database, or re-run with --replace to drop it first (see docs/backup-restore.md)"
  exit 1
fi

log "restoring $(basename "$dump") into ${PGDATABASE} on ${PGHOST}:${PGPORT:-5432}"
# One transaction: a failed restore leaves the database empty, not half restored. --no-owner and
# --no-acl make the restoring role own everything, so a dump restores into any database.
pg_restore --no-password --exit-on-error --single-transaction --no-owner --no-acl \
  --dbname="$PGDATABASE" "$dump"
log "restored $(psql_q -c "SELECT count(*) FROM pg_stat_user_tables") table(s) into ${PGDATABASE}"
