# Recipe of the curl stand-in: Debian's curl and its libraries, with a static busybox for `sh`
# (the chart's helm test runs `sh -ec "curl ..."`), like the curlimages/curl image: user
# curl_user = 100, group curl_group = 101. Sourced by scripts/build-images.sh.
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/busybox-links.sh)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  debian_rootfs "$1" extract curl,busybox-static \
    --customize-hook="sh '$IMAGES_SRC/lib/busybox-links.sh' \"\$1\"" \
    --customize-hook="sh '$IMAGE_RECIPE_DIR/after-install.sh' \"\$1\"" \
    --customize-hook="$DEBIAN_SLIM_HOOK"
}
