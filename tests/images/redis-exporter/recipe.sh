# Recipe of the redis_exporter stand-in: Debian's prometheus-redis-exporter shaped like the
# upstream image (oliver006/redis_exporter, from scratch): entrypoint /redis_exporter, user and
# group 59000, metrics on :9121, the server from REDIS_ADDR with REDIS_USER / REDIS_PASSWORD (or
# REDIS_PASSWORD_FILE). No shell, as upstream. Sourced by scripts/build-images.sh.
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/exporter-root.sh)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  debian_rootfs "$1" extract prometheus-redis-exporter \
    --customize-hook="sh '$IMAGES_SRC/lib/exporter-root.sh' \"\$1\" /usr/bin/prometheus-redis-exporter /redis_exporter redis_exporter 59000" \
    --customize-hook="$DEBIAN_SLIM_HOOK"
}
