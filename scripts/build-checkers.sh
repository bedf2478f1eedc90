#!/usr/bin/env bash
# The checkers of files the repo ships: actionlint (the GitHub Actions workflows), built from the
# Go module proxy, and promtool (the chart's alert rules, `promtool test rules`), taken from
# Debian's pinned prometheus package: building it from the Prometheus module took 10-26 minutes
# cold on two cores, the package takes seconds. Only the promtool binary is extracted into the
# tool cache (no prometheus server is installed or started).
. "$(dirname "$0")/lib.sh"
al=github.com/rhysd/actionlint
build_go_tool actionlint "$ACTIONLINT_VERSION" actionlint "$al/cmd/actionlint@v$ACTIONLINT_VERSION" \
  "-X $al.version=v$ACTIONLINT_VERSION"

promtool_from_debian() {
  local dest=$TOOLS_DIR/promtool-$PROMETHEUS_DEBIAN_VERSION
  if [ ! -x "$dest/promtool" ]; then
    (
      flock 9
      if [ ! -x "$dest/promtool" ]; then
        log "extracting promtool from Debian's prometheus $PROMETHEUS_DEBIAN_VERSION (once)"
        local work
        work=$(mktemp -d) && chmod 755 "$work"  # apt downloads as the _apt user
        (cd "$work" && apt-get download -q "prometheus=$PROMETHEUS_DEBIAN_VERSION" >/dev/null \
          || { apt-get update -qq && apt-get download -q "prometheus=$PROMETHEUS_DEBIAN_VERSION"; })
        dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
        rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
        cp "$work/root/usr/bin/promtool" "$dest.tmp/promtool"
        rm -rf "$work" "$dest" && mv "$dest.tmp" "$dest"
      fi
    ) 9>"$TOOLS_DIR/.promtool.lock"
  fi
  ln -sfn "$dest/promtool" "$BIN_DIR/promtool"
}
promtool_from_debian

version_check "v$ACTIONLINT_VERSION" "$BIN_DIR/actionlint" -version
version_check "version ${PROMETHEUS_DEBIAN_VERSION%%+*}" "$BIN_DIR/promtool" --version
