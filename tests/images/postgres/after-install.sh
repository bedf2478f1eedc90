#!/bin/sh
# Customize hook (mmdebstrap): shapes the installed root $1 like the official image.
set -eu
root=$1 major=$2 recipe=$3
uid=$(chroot "$root" id -u postgres)
[ "$uid" = 999 ] || { echo "postgres has uid $uid, want 999" >&2; exit 1; }
# The server listens on every address when started for real (the init phase overrides it).
sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$root/usr/share/postgresql/$major/postgresql.conf.sample"
grep -q "^listen_addresses = '\*'" "$root/usr/share/postgresql/$major/postgresql.conf.sample"
# JIT is optional and its LLVM runtime is most of the image: without llvmjit.so the server
# simply runs without JIT.
rm -rf "$root/usr/lib/postgresql/$major/lib/llvmjit.so" "$root/usr/lib/postgresql/$major/lib/bitcode"
for pkg in $(chroot "$root" dpkg-query -W -f '${Package}\n' 'libllvm*' 'libz3-*' 2>/dev/null); do
  chroot "$root" dpkg-query -W -f '${db:Status-Abbrev}' "$pkg" | grep -q '^ii' || continue
  chroot "$root" dpkg --purge --force-depends "$pkg" >/dev/null 2>&1
done
install -d -o 999 -g 999 -m 0755 "$root/var/lib/postgresql" "$root/var/lib/postgresql/data"
# The socket directory, as in the official image (mmdebstrap's /run cleanup is skipped for it).
find "$root/run" -mindepth 1 -maxdepth 1 ! -name lock ! -name postgresql -exec rm -rf '{}' +
install -d -o 999 -g 999 -m 3777 "$root/run/postgresql"
install -d -m 0755 "$root/docker-entrypoint-initdb.d"
install -m 0755 "$recipe/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
ln -sf usr/local/bin/docker-entrypoint.sh "$root/docker-entrypoint.sh"
# image.json puts the server's bin directory on PATH: it must name this major.
grep -q "/usr/lib/postgresql/$major/bin" "$recipe/image.json" ||
  { echo "tests/images/postgres/image.json: PATH and PG_MAJOR must name PostgreSQL $major" >&2; exit 1; }
test -x "$root/usr/lib/postgresql/$major/bin/initdb"
chroot "$root" dpkg-query -W >"$root/usr/share/doc/stand-in-packages.txt"
