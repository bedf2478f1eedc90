# Recipe of the busybox stand-in: Debian's static busybox and its applet links, like the official
# busybox image (the chart's wait init containers run `sh -c` with `nc -z` and date), plus
# netcat-openbsd as nc because Debian's busybox nc has no -z, and dash as sh because busybox's sh
# would run its own nc applet instead.
# Sourced by scripts/build-images.sh.
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/busybox-links.sh)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  debian_rootfs "$1" extract busybox-static,netcat-openbsd,dash \
    --customize-hook="sh '$IMAGES_SRC/lib/busybox-links.sh' \"\$1\" --nc-z" \
    --customize-hook="$DEBIAN_SLIM_HOOK"
}
