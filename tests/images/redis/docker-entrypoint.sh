#!/bin/sh
# Entrypoint of the Redis stand-in image, as the official redis image's: arguments that start
# with "-" or name a *.conf file get `redis-server` prepended; started as root, redis-server
# runs as redis (999) after /data is handed to it; any other command runs as it is.
set -eu
case ${1:-} in
  -* | *.conf) set -- redis-server "$@" ;;
esac
if [ "${1:-}" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . ! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
# The official image lets redis-server create its files readable by the owner only.
umask 0077
exec "$@"
