# Recipe of the PostgreSQL stand-in: Debian's postgresql-<major> honouring the official postgres
# image's contract (see docker-entrypoint.sh): user and group postgres = 999, PGDATA, the
# POSTGRES_* variables, first-start initialisation, /docker-entrypoint-initdb.d, the binaries on
# PATH. Sourced by scripts/build-images.sh (tests/images/README.md).
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE IMAGES_POSTGRES_MAJOR)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/add-user.sh)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  local dir=$IMAGE_RECIPE_DIR major=$IMAGES_POSTGRES_MAJOR
  # Before the packages: the postgres user and group get 999 (the official image's ids, which
  # the chart's runAsUser assumes; postgresql-common keeps an existing user), and no "main"
  # cluster is created at install time (the entrypoint initialises PGDATA on first start).
  # /run is kept: it holds the socket directory /var/run/postgresql (after-install.sh).
  debian_rootfs "$1" essential "postgresql-$major" \
    --essential-hook="sh '$dir/before-install.sh' \"\$1\"" \
    --customize-hook="sh '$dir/after-install.sh' \"\$1\" '$major' '$dir'" \
    --customize-hook="$DEBIAN_SLIM_HOOK" \
    --skip=cleanup/run
}
