#!/usr/bin/env bash
# Builds the stand-in container images of tests/images/<name>/ (no registry, no Docker) into
# $AI_NATIVE_CACHE/images/<name>-<hash>.tar, docker-archives that `ctr images import` loads.
# Each image is built once per content hash of its recipe (recipe files, shared builders, pinned
# versions, toolchain fingerprint) and rebuilt only when that changes; results appear only when
# complete. index.json maps every image reference to its archive; references.env lists them.
# Usage: scripts/build-images.sh [NAME...]   (default: every recipe)
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

IMAGES_SRC=$REPO_ROOT/tests/images
IMAGES_CACHE=$AI_NATIVE_CACHE/images
# The references: a content-hash tag (changes with the recipe) and a fixed tag (for overlays).
IMAGE_REGISTRY=localhost/ai-native
IMAGE_FIXED_TAG=stand-in
# Bump when this script changes what it produces from the same recipe.
IMAGES_FORMAT=1
mkdir -p "$IMAGES_CACHE"

all_recipes() {
  local recipe
  for recipe in "$IMAGES_SRC"/*/recipe.sh; do basename "$(dirname "$recipe")"; done
}

# recipe_hash NAME: sha256 of everything the image is made from; runs in the recipe's subshell.
recipe_hash() {
  local name=$1 file var
  {
    echo "format $IMAGES_FORMAT"
    (cd "$IMAGES_SRC" && find "$name" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    (cd "$REPO_ROOT" && sha256sum tests/images/pack_image.py "${IMAGE_INPUTS[@]}")
    for var in "${IMAGE_VERSIONS[@]}"; do echo "$var=${!var:?$var is not set in scripts/versions.env}"; done
    if declare -F image_fingerprint >/dev/null; then image_fingerprint; fi
  } | sha256sum | cut -c1-16
}

# build_one NAME: prints "NAME ARCHIVE REF..." once the archive exists (built now or cached).
build_one() (
  set -euo pipefail
  local name=$1
  export IMAGE_RECIPE_DIR=$IMAGES_SRC/$name IMAGES_SRC
  # shellcheck source=/dev/null
  . "$IMAGE_RECIPE_DIR/recipe.sh"
  local hash archive refs
  hash=$(recipe_hash "$name")
  archive=$IMAGES_CACHE/$name-$hash.tar
  refs=("$IMAGE_REGISTRY/$name:$hash" "$IMAGE_REGISTRY/$name:$IMAGE_FIXED_TAG")
  if [ ! -f "$archive" ]; then
    exec 9>"$IMAGES_CACHE/.$name.lock"
    flock 9
    [ -f "$archive" ] || build_archive "$name" "$archive" "${refs[@]}" >&2
  fi
  echo "$name $archive ${refs[*]}"
)

build_archive() {
  local name=$1 archive=$2 refs=("${@:3}") start tags=() ref
  log "building image $name (once per recipe change; cached as $archive)"
  start=$(date +%s)
  # Global, not local: the EXIT trap of build_one's subshell removes it.
  work=$(mktemp -d "$IMAGES_CACHE/.build-$name.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  build_rootfs "$work"
  local rootfs=$work/rootfs.tar
  [ -e "$rootfs" ] || rootfs=$work/rootfs
  for ref in "${refs[@]}"; do tags+=(--tag "$ref"); done
  python3 "$IMAGES_SRC/pack_image.py" --rootfs "$rootfs" --config "$IMAGE_RECIPE_DIR/image.json" \
    "${tags[@]}" --output "$archive" >/dev/null
  # Older builds are superseded; the newest two stay, so two worktrees sharing the cache with
  # different recipes of this image do not rebuild each other's archive on every run.
  ls -t "$IMAGES_CACHE/$name"-????????????????.tar | tail -n +3 | xargs -r rm -f --
  log "built image $name in $(($(date +%s) - start)) s, $(du -m "$archive" | cut -f1) MB"
}

record() {
  local name=$1 archive=$2 refs=("${@:3}") var
  python3 "$IMAGES_SRC/image_index.py" "$IMAGES_CACHE/index.json" "$archive" "${refs[@]}"
  var=AI_NATIVE_IMAGE_$(echo "$name" | tr '[:lower:]-' '[:upper:]_')
  # references.env: shell- and Python-readable NAME=reference lines, content-hash tags.
  touch "$IMAGES_CACHE/references.env"
  { grep -v "^$var=" "$IMAGES_CACHE/references.env" || true; echo "$var=${refs[0]}"; } \
    | LC_ALL=C sort >"$IMAGES_CACHE/.references.env.tmp"
  mv "$IMAGES_CACHE/.references.env.tmp" "$IMAGES_CACHE/references.env"
}

names=("$@")
[ ${#names[@]} -eq 0 ] && mapfile -t names < <(all_recipes)
for name in "${names[@]}"; do
  if [ ! -f "$IMAGES_SRC/$name/recipe.sh" ]; then
    echo "build-images: no recipe tests/images/$name/recipe.sh (known: $(all_recipes | tr '\n' ' '))" >&2
    exit 2
  fi
done
for name in "${names[@]}"; do
  read -r -a built < <(build_one "$name")
  [ ${#built[@]} -ge 3 ] || { echo "build-images: building $name failed" >&2; exit 1; }
  (flock 9; record "${built[@]}") 9>"$IMAGES_CACHE/.index.lock"
done
