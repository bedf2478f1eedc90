#!/bin/sh
# Entrypoint of the PostgreSQL stand-in image, honouring the official postgres image's contract:
# - `docker-entrypoint.sh postgres [ARG...]`; arguments starting with "-" get `postgres` prepended
#   (the chart passes only `-c name=value` args); any other command is run as it is.
# - PGDATA (default /var/lib/postgresql/data) is created with mode 0700; when it holds no
#   cluster, it is initialised with POSTGRES_USER (default postgres) as superuser,
#   POSTGRES_PASSWORD, POSTGRES_DB (default the user), POSTGRES_INITDB_ARGS,
#   POSTGRES_INITDB_WALDIR and POSTGRES_HOST_AUTH_METHOD (default scram-sha-256 for remote
#   hosts; local connections trust, as initdb sets them); each may come from a NAME_FILE.
#   Then /docker-entrypoint-initdb.d/*.sh (run if executable, else sourced), *.sql, *.sql.gz,
#   *.sql.xz and *.sql.zst run against a server that listens on the socket only.
# - Started as root, it hands PGDATA to postgres (uid 999) and re-executes itself as that user.
set -eu

log() { printf '%s\n' "$*" >&2; }

# file_env NAME [DEFAULT]: NAME from its value or from the file named by NAME_FILE (not both).
file_env() {
  name=$1 default=${2:-}
  eval "value=\${$name:-} file=\${${name}_FILE:-}"
  if [ -n "$value" ] && [ -n "$file" ]; then
    log "error: both $name and ${name}_FILE are set (but are exclusive)"
    exit 1
  fi
  if [ -n "$file" ]; then
    value=$(cat "$file")
  elif [ -z "$value" ]; then
    value=$default
  fi
  export "$name=$value"
  unset "${name}_FILE"
}

# quote ARG...: the arguments as one string that pg_ctl's shell splits back into the same words.
quote() {
  out=''
  for arg; do
    out="$out '$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")'"
  done
  printf '%s' "$out"
}

psql_init() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" "$@"
}

run_init_scripts() {
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case $f in
      *.sh)
        if [ -x "$f" ]; then log "running $f"; "$f"; else log "sourcing $f"; . "$f"; fi ;;
      *.sql) log "running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) log "running $f"; gzip -dc "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *.sql.xz) log "running $f"; xz -dc "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *.sql.zst) log "running $f"; zstd -dc "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *) log "ignoring $f" ;;
    esac
  done
}

init_database() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
    log "error: Database is uninitialized and superuser password is not specified."
    log "       Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty value, or"
    log "       POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without a password."
    exit 1
  fi
  waldir=''
  [ -n "${POSTGRES_INITDB_WALDIR:-}" ] && waldir="--waldir=$(quote "$POSTGRES_INITDB_WALDIR")"
  # The password goes through a pipe, never onto a command line or into a file.
  printf '%s\n' "$POSTGRES_PASSWORD" |
    eval "initdb --username=\"\$POSTGRES_USER\" --pwfile=/dev/stdin $waldir $POSTGRES_INITDB_ARGS"
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  # A server for the init phase only: no TCP listener, same settings as the real start.
  options="$(quote "$@") -c listen_addresses='' -p ${PGPORT:-5432}"
  pg_ctl -D "$PGDATA" -o "$options" -w start
  export PGPORT="${PGPORT:-5432}"
  if [ "$POSTGRES_DB" != postgres ]; then
    # Through stdin: psql interpolates :'db' there, not in -c.
    exists=$(printf "SELECT 1 FROM pg_database WHERE datname = :'db';\n" |
      psql_init --dbname postgres --tuples-only --no-align --set db="$POSTGRES_DB")
    if [ -z "$exists" ]; then
      printf 'CREATE DATABASE :"db";\n' | psql_init --dbname postgres --set db="$POSTGRES_DB"
    fi
  fi
  run_init_scripts
  pg_ctl -D "$PGDATA" -m fast -w stop
  log "PostgreSQL init process complete; ready for start up."
}

if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ]; then
  export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    find "$PGDATA" ! -user postgres -exec chown postgres:postgres '{}' +
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
  fi
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    shift
    init_database "$@"
    set -- postgres "$@"
  else
    log "PostgreSQL Database directory appears to contain a database; Skipping initialization"
  fi
fi

exec "$@"
