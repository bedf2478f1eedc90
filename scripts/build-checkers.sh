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

# deb_extract OUT NAME DEB_PACKAGE/BINARY@DEBIAN_VERSION: _build_once's strategy for one binary of
# a pinned Debian package (downloaded, unpacked in a scratch dir, the binary copied to OUT).
deb_extract() {
  local out=$1 spec=${3%@*} version=${3#*@} work
  work=$(mktemp -d) && chmod 755 "$work"  # apt downloads as the _apt user
  (cd "$work" && { apt-get download -q "${spec%/*}=$version" >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get download -q "${spec%/*}=$version"; }; })
  dpkg-deb -x "$work"/*.deb "$work/root"
  cp "$work/root/usr/bin/${spec#*/}" "$out/"
  rm -rf "$work"
}
_build_once deb_extract promtool "$PROMETHEUS_DEBIAN_VERSION" promtool \
  "prometheus/promtool@$PROMETHEUS_DEBIAN_VERSION"

version_check "v$ACTIONLINT_VERSION" "$BIN_DIR/actionlint" -version
version_check "version ${PROMETHEUS_DEBIAN_VERSION%%+*}" "$BIN_DIR/promtool" --version
