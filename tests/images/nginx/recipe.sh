# Recipe of the frontend stand-in: Debian's nginx shaped like the nginx-unprivileged image the
# chart's frontend expects: user and group nginx = 101, listening on 8080, every file it writes
# (pid, temp files) under /tmp, which the chart mounts as an emptyDir on a read-only root. It
# serves a static page at / for the probes. Sourced by scripts/build-images.sh.
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/add-user.sh)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  local dir=$IMAGE_RECIPE_DIR
  debian_rootfs "$1" essential nginx \
    --essential-hook="sh '$IMAGES_SRC/lib/add-user.sh' \"\$1\" nginx 101 /nonexistent" \
    --customize-hook="sh '$dir/after-install.sh' \"\$1\" '$dir'" \
    --customize-hook="$DEBIAN_SLIM_HOOK"
}
