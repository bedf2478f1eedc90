# Recipe of the pause (sandbox) image: our own static Go program, nothing else in the image.
# Sourced by scripts/build-images.sh; see tests/images/README.md for the recipe interface.
IMAGE_VERSIONS=()
# Repo files besides this directory that the image is made from (none).
IMAGE_INPUTS=()

# The Go toolchain decides the binary's bytes, so its version is part of the cache key.
image_fingerprint() { go version; }

build_rootfs() {
  local out=$1
  mkdir -p "$out/rootfs"
  (cd "$IMAGE_RECIPE_DIR" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$out/rootfs/pause" .)
}
