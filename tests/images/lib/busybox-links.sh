#!/bin/sh
# busybox-links.sh ROOT [--nc-z]: links nc to netcat-openbsd when present and every busybox applet that
# ROOT lacks to /usr/bin/busybox, and gives an extracted (not installed) root the files a
# container expects: /etc/passwd and /etc/group with root and nobody, a sticky /tmp.
# --nc-z: fail unless the root's nc has -z.
set -eu
root=$1
# A real nc first: Debian's busybox nc lacks -z, which the chart's wait containers use. Its
# static busybox sh runs its own applets before any program on PATH, so with netcat-openbsd the
# shell is dash.
if [ -x "$root/usr/bin/nc.openbsd" ]; then ln -sf nc.openbsd "$root/usr/bin/nc"; fi
if [ -x "$root/usr/bin/dash" ]; then ln -sf dash "$root/usr/bin/sh"; fi
for applet in $("$root/usr/bin/busybox" --list); do
  [ -e "$root/usr/bin/$applet" ] || [ -e "$root/usr/sbin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done
if [ "${2:-}" = --nc-z ]; then
  chroot "$root" sh -c 'nc -h 2>&1' | grep -q -- '-z' || { echo "busybox-links.sh: nc lacks -z" >&2; exit 1; }
fi
mkdir -p "$root/etc" "$root/tmp" "$root/root"
chmod 1777 "$root/tmp"
[ -s "$root/etc/passwd" ] || printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
[ -s "$root/etc/group" ] || printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
