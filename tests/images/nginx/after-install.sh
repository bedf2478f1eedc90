#!/bin/sh
# Customize hook (mmdebstrap): our nginx.conf and site replace Debian's.
set -eu
root=$1 recipe=$2
uid=$(chroot "$root" id -u nginx)
[ "$uid" = 101 ] || { echo "nginx has uid $uid, want 101" >&2; exit 1; }
rm -rf "$root/etc/nginx/sites-enabled" "$root/etc/nginx/sites-available" "$root/var/www/html"
install -m 0644 "$recipe/nginx.conf" "$root/etc/nginx/nginx.conf"
install -d -m 0755 "$root/etc/nginx/conf.d" "$root/usr/share/nginx/html"
install -m 0644 "$recipe/default.conf" "$root/etc/nginx/conf.d/default.conf"
install -m 0644 "$recipe/index.html" "$root/usr/share/nginx/html/index.html"
# Logs go to the container's output, as in the official image (also the compiled-in error log
# that nginx opens before it reads nginx.conf).
ln -sf /dev/stdout "$root/var/log/nginx/access.log"
ln -sf /dev/stderr "$root/var/log/nginx/error.log"
chroot "$root" nginx -t -q
chroot "$root" dpkg-query -W >"$root/usr/share/doc/stand-in-packages.txt"
