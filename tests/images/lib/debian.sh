# Shared builder of the Debian-based stand-in images; sourced by their recipe.sh.
# debian_rootfs OUT VARIANT PACKAGES [MMDEBSTRAP_ARG...] writes OUT/rootfs.tar with mmdebstrap:
# suite IMAGES_DEBIAN_SUITE (scripts/versions.env), the mirror of mmdebstrap's default or
# IMAGES_DEBIAN_MIRROR, no documentation, man pages or translations (copyright files stay),
# downloaded packages kept in $AI_NATIVE_CACHE/images/debs (apt checks every one against the
# signed indexes before use, so a stale or broken file there is fetched again, never trusted).

debian_rootfs() {
  local out=$1 variant=$2 packages=$3
  shift 3
  if ! command -v mmdebstrap >/dev/null; then
    echo "build-images: mmdebstrap is missing; install it with: scripts/bootstrap.sh debian" >&2
    return 1
  fi
  local debs=$AI_NATIVE_CACHE/images/debs
  mkdir -p "$debs"
  local args=(
    --variant="$variant" --include="$packages" --skip=essential/unlink --quiet
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives/'
    --setup-hook="sync-in $debs /var/cache/apt/archives/"
    --customize-hook="sync-out /var/cache/apt/archives $debs"
    # A throwaway root needs no fsync per file (it halves the install time).
    --dpkgopt=force-unsafe-io
    --dpkgopt='path-exclude=/usr/share/man/*'
    --dpkgopt='path-exclude=/usr/share/info/*'
    --dpkgopt='path-exclude=/usr/share/locale/*'
    --dpkgopt='path-exclude=/usr/share/lintian/*'
    --dpkgopt='path-exclude=/usr/share/doc/*'
    --dpkgopt='path-include=/usr/share/doc/*/copyright'
  )
  local extra=("$@")
  if [ "$variant" = extract ]; then
    # Extracted (not installed) packages get no usr-merge links from a maintainer script, and
    # mmdebstrap runs no essential or customize hooks for them: those become extract hooks.
    args+=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
    args=("${args[@]/#--customize-hook=/--extract-hook=}")
    extra=("${extra[@]/#--customize-hook=/--extract-hook=}")
  fi
  local mirrors=()
  [ -n "${IMAGES_DEBIAN_MIRROR:-}" ] && mirrors=("$IMAGES_DEBIAN_MIRROR")
  # One Debian build at a time: they share the package cache, and the 2-core machine gains
  # nothing from running two.
  (
    flock 8
    mmdebstrap "${args[@]}" "${extra[@]}" "$IMAGES_DEBIAN_SUITE" "$out/rootfs.tar" "${mirrors[@]}"
  ) 8>"$AI_NATIVE_CACHE/images/.debian.lock"
}

# A customize hook for every image: drop what only a package manager run needs.
# shellcheck disable=SC2016
DEBIAN_SLIM_HOOK='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/debconf/*-old "$1"/var/log/* "$1"/usr/share/doc-base'
