# Recipe of the postgres_exporter stand-in: Debian's prometheus-postgres-exporter shaped like the
# upstream image (quay.io/prometheuscommunity/postgres-exporter, busybox-based): entrypoint
# /bin/postgres_exporter, user nobody = 65534, metrics on :9187, the connection from
# DATA_SOURCE_NAME or DATA_SOURCE_URI + DATA_SOURCE_USER + DATA_SOURCE_PASS (each also *_FILE),
# plus busybox for a shell like the upstream base. Sourced by scripts/build-images.sh.
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/busybox-links.sh tests/images/lib/exporter-root.sh)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  debian_rootfs "$1" extract prometheus-postgres-exporter,busybox-static \
    --customize-hook="sh '$IMAGES_SRC/lib/busybox-links.sh' \"\$1\"" \
    --customize-hook="sh '$IMAGES_SRC/lib/exporter-root.sh' \"\$1\" /usr/bin/prometheus-postgres-exporter /usr/bin/postgres_exporter nobody 65534" \
    --customize-hook="$DEBIAN_SLIM_HOOK"
}
