#!/bin/sh
# add-user.sh ROOT NAME ID HOME: adds user and group NAME with uid = gid = ID to the root
# filesystem ROOT (before the packages are installed, so their maintainer scripts keep it).
set -eu
root=$1 name=$2 id=$3 home=$4
if grep -q "^$name:" "$root/etc/passwd"; then
  echo "add-user.sh: $name already exists in $root/etc/passwd" >&2
  exit 1
fi
echo "$name:x:$id:$id::$home:/usr/sbin/nologin" >>"$root/etc/passwd"
echo "$name:*:20000:0:99999:7:::" >>"$root/etc/shadow"
echo "$name:x:$id:" >>"$root/etc/group"
