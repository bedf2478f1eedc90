#!/bin/sh
# Essential hook (mmdebstrap): runs before postgresql is installed into the root $1.
set -eu
root=$1
sh "$(dirname "$0")/../lib/add-user.sh" "$root" postgres 999 /var/lib/postgresql
mkdir -p "$root/etc/postgresql-common/createcluster.d"
echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.d/no-main-cluster.conf"
