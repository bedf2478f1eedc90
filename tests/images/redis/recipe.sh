# Recipe of the Redis stand-in: Debian's redis-server and redis-tools (redis-cli) honouring the
# official redis image's contract: user and group redis = 999, WORKDIR /data owned by it,
# `docker-entrypoint.sh redis-server ...`, and `redis-server <config file> ...` as the chart runs
# it (its command replaces the entrypoint). Sourced by scripts/build-images.sh.
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/add-user.sh)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  local dir=$IMAGE_RECIPE_DIR
  debian_rootfs "$1" essential redis-server,redis-tools \
    --essential-hook="sh '$IMAGES_SRC/lib/add-user.sh' \"\$1\" redis 999 /data" \
    --customize-hook="sh '$dir/after-install.sh' \"\$1\" '$dir'" \
    --customize-hook="$DEBIAN_SLIM_HOOK"
}
