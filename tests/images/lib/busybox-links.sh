#!/bin/sh
# busybox-links.sh ROOT: links every busybox applet that ROOT lacks to /usr/bin/busybox, and
# gives an extracted (not installed) root the files a container expects: /etc/passwd and
# /etc/group with root and nobody, a sticky /tmp, and no package manager state.
set -eu
root=$1
for applet in $("$root/usr/bin/busybox" --list); do
  [ -e "$root/usr/bin/$applet" ] || [ -e "$root/usr/sbin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done
"$root/usr/bin/busybox" nc --help 2>&1 | grep -q -- '-z' || { echo "busybox nc lacks -z" >&2; exit 1; }
mkdir -p "$root/etc" "$root/tmp" "$root/root"
chmod 1777 "$root/tmp"
[ -s "$root/etc/passwd" ] || printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
[ -s "$root/etc/group" ] || printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
rm -rf "$root/etc/apt" "$root/etc/dpkg" "$root/var/lib/dpkg" "$root/var/cache/apt" "$root/var/lib/apt"
