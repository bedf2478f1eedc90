# Recipe of the busybox stand-in: Debian's static busybox and its applet links, nothing else,
# like the official busybox image (the chart's wait init containers run `sh -c` with nc and date).
# Sourced by scripts/build-images.sh.
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/busybox-links.sh)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  debian_rootfs "$1" extract busybox-static \
    --customize-hook="sh '$IMAGES_SRC/lib/busybox-links.sh' \"\$1\"" \
    --customize-hook="$DEBIAN_SLIM_HOOK"
}
