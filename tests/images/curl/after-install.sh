#!/bin/sh
# Customize hook (mmdebstrap): the curlimages/curl user, and a check that curl finds its
# libraries without ldconfig having run (extracted packages run no maintainer scripts).
set -eu
root=$1
echo 'curl_user:x:100:101::/home/curl_user:/bin/sh' >>"$root/etc/passwd"
echo 'curl_group:x:101:' >>"$root/etc/group"
install -d -o 100 -g 101 "$root/home/curl_user"
chroot "$root" /usr/bin/curl --version >/dev/null
