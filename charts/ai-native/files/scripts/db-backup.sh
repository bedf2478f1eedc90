#!/bin/sh
# Dumps the database with pg_dump (custom format, compressed) into BACKUP_DIR and keeps only the
# newest BACKUP_RETENTION dumps. Run by the db-backup CronJob (postgres image) and, unchanged,
# by tests/component.
#
# Environment: PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD (libpq), BACKUP_DIR (default /backups),
#              BACKUP_RETENTION (default 7).
# Files: BACKUP_DIR/<database>-<UTC timestamp with milliseconds>.dump; names sort by time.
set -eu

backup_dir=${BACKUP_DIR:-/backups}
retention=${BACKUP_RETENTION:-7}

log() { printf '%s db-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

case $retention in
  ''|*[!0-9]*|0) log "BACKUP_RETENTION must be a positive integer, got '${retention}'"; exit 2 ;;
esac

prefix="${PGDATABASE}-"
stamp=$(date -u +%Y%m%dT%H%M%S%3NZ)
final="${backup_dir}/${prefix}${stamp}.dump"
partial="${backup_dir}/.${prefix}${stamp}.dump.partial"

# Write to a hidden partial file and rename only after pg_dump succeeded and pg_restore can read
# the archive's table of contents: a failed or interrupted run never counts as a backup and so
# never pushes a good dump out of the retention window.
trap 'rm -f "$partial"' EXIT
log "dumping ${PGDATABASE} from ${PGHOST}:${PGPORT:-5432}"
pg_dump --no-password --format=custom --compress=6 --file="$partial"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$final"
trap - EXIT
log "wrote $(basename "$final") ($(wc -c <"$final") bytes)"

# Retention: keep the newest $retention dumps of this database, delete the older ones. Only
# files of our own naming scheme are considered; anything else in the volume is left alone.
count=$(find "$backup_dir" -maxdepth 1 -type f -name "${prefix}*.dump" | wc -l)
excess=$((count - retention))
if [ "$excess" -gt 0 ]; then
  find "$backup_dir" -maxdepth 1 -type f -name "${prefix}*.dump" | sort | head -n "$excess" |
    while IFS= read -r old; do
      log "retention ${retention}: deleting $(basename "$old")"
      rm -f -- "$old"
    done
fi
log "$(find "$backup_dir" -maxdepth 1 -type f -name "${prefix}*.dump" | wc -l) dump(s) kept in ${backup_dir}"
