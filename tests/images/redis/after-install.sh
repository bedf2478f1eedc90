#!/bin/sh
# Customize hook (mmdebstrap): shapes the installed root $1 like the official image.
set -eu
root=$1 recipe=$2
uid=$(chroot "$root" id -u redis)
[ "$uid" = 999 ] || { echo "redis has uid $uid, want 999" >&2; exit 1; }
test -x "$root/usr/bin/redis-server" && test -x "$root/usr/bin/redis-cli"
install -d -o 999 -g 999 -m 0755 "$root/data"
# Where the chart mounts its redis.conf.
install -d -m 0755 "$root/usr/local/etc/redis"
install -m 0755 "$recipe/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
chroot "$root" dpkg-query -W >"$root/usr/share/doc/stand-in-packages.txt"
