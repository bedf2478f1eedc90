# Shared shell helpers for the bootstrap scripts. Source it; it defines paths and build_go_tool.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=versions.env
. "$REPO_ROOT/scripts/versions.env"
AI_NATIVE_CACHE=${AI_NATIVE_CACHE:-$HOME/.cache/ai-native}
TOOLS_DIR=$AI_NATIVE_CACHE/tools
BIN_DIR=$AI_NATIVE_CACHE/bin
mkdir -p "$TOOLS_DIR" "$BIN_DIR"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

log() { printf '[bootstrap] %s\n' "$*" >&2; }

# build_go_tool NAME VERSION LINK PACKAGE@VERSION [LDFLAGS]
# Builds PACKAGE with `go install` into $TOOLS_DIR/NAME-VERSION (once per version, under a lock)
# and links it as $BIN_DIR/LINK.
build_go_tool() {
  local name=$1 version=$2 link=$3 pkg=$4 ldflags=${5:-}
  local dest=$TOOLS_DIR/$name-$version
  local exe=$dest/$(basename "${pkg%@*}")
  if [ ! -x "$exe" ]; then
    (
      flock 9
      if [ ! -x "$exe" ]; then
        log "building $name $version (once; cached in $dest)"
        mkdir -p "$dest.tmp"
        GOBIN=$dest.tmp go install -trimpath -ldflags "-s -w $ldflags" "$pkg"
        rm -rf "$dest" && mv "$dest.tmp" "$dest"
      fi
    ) 9>"$TOOLS_DIR/.$name.lock"
  fi
  ln -sfn "$exe" "$BIN_DIR/$link"
}

# build_go_tool_in_module NAME VERSION LINK PACKAGE@VERSION [LDFLAGS]
# Like build_go_tool, for modules that `go install pkg@version` refuses (the proxy answers 403 for
# chart-testing's version list, which `go install` asks for): build inside a throwaway module
# that requires the exact version instead.
build_go_tool_in_module() {
  local name=$1 version=$2 link=$3 pkg=$4 ldflags=${5:-}
  local dest=$TOOLS_DIR/$name-$version
  local exe=$dest/$(basename "${pkg%@*}")
  if [ ! -x "$exe" ]; then
    (
      flock 9
      if [ ! -x "$exe" ]; then
        log "building $name $version in a wrapper module (once; cached in $dest)"
        local work
        work=$(mktemp -d)
        mkdir -p "$dest.tmp"
        (cd "$work" && go mod init "local.build/$name" >/dev/null 2>&1 && go get "$pkg" \
          && go build -trimpath -ldflags "-s -w $ldflags" -o "$dest.tmp/$(basename "$exe")" "${pkg%@*}")
        rm -rf "$work" "$dest" && mv "$dest.tmp" "$dest"
      fi
    ) 9>"$TOOLS_DIR/.$name.lock"
  fi
  ln -sfn "$exe" "$BIN_DIR/$link"
}
