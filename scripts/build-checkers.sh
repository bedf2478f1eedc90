#!/usr/bin/env bash
# Builds the checkers of files the repo ships: actionlint (the GitHub Actions workflows) and
# promtool (the chart's alert rules, `promtool test rules`). Both from the Go module proxy.
. "$(dirname "$0")/lib.sh"
al=github.com/rhysd/actionlint
build_go_tool actionlint "$ACTIONLINT_VERSION" actionlint "$al/cmd/actionlint@v$ACTIONLINT_VERSION" \
  "-X $al.version=v$ACTIONLINT_VERSION"
# Prometheus publishes its Go module as v0.<major*100+minor>.<patch>: 3.16.0 -> v0.316.0.
IFS=. read -r prom_major prom_minor prom_patch <<<"$PROMETHEUS_VERSION"
prom_module=v0.$((prom_major * 100 + prom_minor)).$prom_patch
pv=github.com/prometheus/common/version
build_go_tool promtool "$PROMETHEUS_VERSION" promtool \
  "github.com/prometheus/prometheus/cmd/promtool@$prom_module" \
  "-X $pv.Version=$PROMETHEUS_VERSION -X $pv.Branch=HEAD -X $pv.BuildUser=ai-native"
version_check "v$ACTIONLINT_VERSION" "$BIN_DIR/actionlint" -version
version_check "version $PROMETHEUS_VERSION" "$BIN_DIR/promtool" --version
