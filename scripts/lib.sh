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

# version_check EXPECTED CMD...: exit 1 unless CMD's output (stdout and stderr) contains EXPECTED.
# The output is captured whole before it is searched: `CMD | grep -q` under pipefail fails at
# random, because grep exits at the first match and CMD then dies of SIGPIPE.
version_check() {
  local expected=$1 out; shift
  out=$("$@" 2>&1) || { log "version check failed: $* exited non-zero"; exit 1; }
  [[ $out == *"$expected"* ]] || { log "version check failed: $* (want $expected)"; exit 1; }
}

# build_go_tool NAME VERSION LINK PACKAGE@VERSION [LDFLAGS]
# Builds PACKAGE with `go install` into $TOOLS_DIR/NAME-VERSION (once per version, under a lock)
# and links it as $BIN_DIR/LINK.
build_go_tool() { _build_once go_install "$@"; }

# build_go_tool_in_module NAME VERSION LINK PACKAGE@VERSION [LDFLAGS]
# Like build_go_tool, for modules that `go install pkg@version` refuses (the proxy answers 403 for
# chart-testing's version list, which `go install` asks for): build inside a throwaway module
# that requires the exact version instead.
build_go_tool_in_module() { _build_once go_build_in_module "$@"; }

# _build_once STRATEGY NAME VERSION LINK PACKAGE@VERSION [LDFLAGS]: the cache, lock and link
# shared by both; STRATEGY OUT_DIR NAME PACKAGE@VERSION LDFLAGS puts the binary into OUT_DIR.
_build_once() {
  local strategy=$1 name=$2 version=$3 link=$4 pkg=$5 ldflags=${6:-}
  local dest=$TOOLS_DIR/$name-$version
  local exe=$dest/$(basename "${pkg%@*}")
  if [ ! -x "$exe" ]; then
    (
      flock 9
      if [ ! -x "$exe" ]; then
        log "building $name $version (once; cached in $dest)"
        rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
        "$strategy" "$dest.tmp" "$name" "$pkg" "-s -w $ldflags"
        rm -rf "$dest" && mv "$dest.tmp" "$dest"
      fi
    ) 9>"$TOOLS_DIR/.$name.lock"
  fi
  ln -sfn "$exe" "$BIN_DIR/$link"
}

# build_go_module_source NAME VERSION LINK MODULE/cmd/PROG@VERSION [LDFLAGS]
# For modules whose go.mod has replace directives, which both `go install pkg@version` and a
# throwaway module requiring them ignore or refuse: build inside a writable copy of the module's
# own source from the module cache, so its go.mod (replaces, go.sum) is the main module's. The
# module path is the part of PACKAGE before /cmd/.
build_go_module_source() { _build_once go_build_module_source "$@"; }

# go_build_local OUT NAME DIR@KEY LDFLAGS: _build_once's strategy for a Go module of our own checked
# in at DIR (its go.mod and go.sum pin what it builds against; KEY only names the cache entry).
go_build_local() {
  local out=$1 dir=${3%@*} ldflags=$4
  (cd "$dir" && GOWORK=off go build -mod=readonly -trimpath -ldflags "$ldflags" \
    -o "$out/$(basename "$dir")" .)
}

go_install() { GOBIN=$1 go install -trimpath -ldflags "$4" "$3"; }

go_build_in_module() {
  local out=$1 name=$2 pkg=$3 ldflags=$4 work
  work=$(mktemp -d)
  (cd "$work" && go mod init "local.build/$name" >/dev/null 2>&1 && go get "$pkg" \
    && go build -trimpath -ldflags "$ldflags" -o "$out/$(basename "${pkg%@*}")" "${pkg%@*}")
  rm -rf "$work"
}

go_build_module_source() {
  local out=$1 pkg=${3%@*} version=${3##*@} mod work dir
  mod=${pkg%%/cmd/*}
  work=$(mktemp -d)
  dir=$(cd "$work" && GOWORK=off go mod download -json "$mod@$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { log "go mod download $mod@$version gave no source directory"; rm -rf "$work"; return 1; }
  cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
  (cd "$work/src" && GOWORK=off go build -mod=readonly -trimpath -ldflags "$4" \
    -o "$out/$(basename "$pkg")" "./${pkg#"$mod"/}") || { rm -rf "$work"; return 1; }
  rm -rf "$work"
}
