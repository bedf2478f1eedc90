#!/bin/sh
# exporter-root.sh ROOT PROGRAM ENTRYPOINT USER UID: shapes an extracted (not installed) Debian
# root ROOT like an upstream exporter image: ENTRYPOINT (the upstream image's path) links to the
# Debian PROGRAM, /etc/passwd and /etc/group name USER = UID (the upstream image's user), the
# program runs, and /usr/share/doc/stand-in-packages.txt lists the extracted packages' versions
# (no dpkg database in an extracted root: see below).
set -eu
root=$1 program=$2 entrypoint=$3 user=$4 id=$5
test -x "$root$program" || { echo "exporter-root.sh: $program missing in the root" >&2; exit 1; }
mkdir -p "$root$(dirname "$entrypoint")"
ln -sf "$program" "$root$entrypoint"
mkdir -p "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
[ -s "$root/etc/passwd" ] || echo 'root:x:0:0:root:/root:/sbin/nologin' >"$root/etc/passwd"
[ -s "$root/etc/group" ] || echo 'root:x:0:' >"$root/etc/group"
grep -q "^$user:" "$root/etc/passwd" || echo "$user:x:$id:$id:$user:/nonexistent:/sbin/nologin" >>"$root/etc/passwd"
cut -d: -f3 "$root/etc/group" | grep -qx "$id" || echo "$user:x:$id:" >>"$root/etc/group"
# The program must start without ldconfig or maintainer scripts having run.
chroot "$root" "$entrypoint" --version >/dev/null 2>&1 ||
  { echo "exporter-root.sh: $entrypoint --version failed in the root" >&2; chroot "$root" "$entrypoint" --version; exit 1; }
# The extracted packages are those whose copyright file is in the root (debian.sh keeps only
# those docs); their versions are the candidates of the same apt configuration that fetched them.
mkdir -p "$root/usr/share/doc"
for copyright in "$root"/usr/share/doc/*/copyright; do
  package=$(basename "$(dirname "$copyright")")
  version=$(APT_CONFIG=${MMDEBSTRAP_APT_CONFIG:?run as an mmdebstrap hook} apt-cache show --no-all-versions "$package" |
    sed -n 's/^Version: //p' | head -n 1)
  printf '%s\t%s\n' "$package" "${version:?no version of $package in the apt lists}"
done >"$root/usr/share/doc/stand-in-packages.txt"
