# Recipe of the backend stand-in: the application contract (docs/images.md) served by uvicorn on
# 8000 from Debian's Python packages (FastAPI, uvicorn, SQLAlchemy, psycopg2, redis), as uid
# 1000 like the chart's backend.runAsUser, on a read-only root filesystem. The models are
# tests/contract/app_models.py, copied in at build time (one source for tests and image).
# Sourced by scripts/build-images.sh.
IMAGE_VERSIONS=(IMAGES_DEBIAN_SUITE)
IMAGE_INPUTS=(tests/images/lib/debian.sh tests/images/lib/add-user.sh tests/contract/app_models.py)

build_rootfs() {
  . "$IMAGES_SRC/lib/debian.sh"
  local dir=$IMAGE_RECIPE_DIR
  debian_rootfs "$1" essential \
    python3-minimal,python3-fastapi,python3-uvicorn,python3-sqlalchemy,python3-psycopg2,python3-redis \
    --essential-hook="sh '$IMAGES_SRC/lib/add-user.sh' \"\$1\" app 1000 /app" \
    --customize-hook="sh '$dir/after-install.sh' \"\$1\" '$dir' '$REPO_ROOT/tests/contract/app_models.py'" \
    --customize-hook="$DEBIAN_SLIM_HOOK"
}
