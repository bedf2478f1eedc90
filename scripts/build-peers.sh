#!/usr/bin/env bash
# Builds the peer tools helmkit is compared with and checked by: chart-testing (ct) and kubeconform.
. "$(dirname "$0")/lib.sh"
ct=github.com/helm/chart-testing/v3
build_go_tool_in_module ct "$CHART_TESTING_VERSION" ct "$ct/ct@v$CHART_TESTING_VERSION" \
  "-X $ct/ct/cmd.Version=v$CHART_TESTING_VERSION"
build_go_tool kubeconform "$KUBECONFORM_VERSION" kubeconform \
  "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION" \
  "-X main.version=v$KUBECONFORM_VERSION"
