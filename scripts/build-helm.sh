#!/usr/bin/env bash
# Builds Helm 4 and Helm 3 from the Go module proxy with the version ldflags that `make` upstream
# sets, so `helm version` tells the truth and Helm 3 defaults to the Kubernetes version it was
# built against. Links: helm4, helm3, and helm (= Helm 4).
. "$(dirname "$0")/lib.sh"
h4=helm.sh/helm/v4
build_go_tool helm "$HELM4_VERSION" helm4 "$h4/cmd/helm@v$HELM4_VERSION" \
  "-X $h4/internal/version.version=v$HELM4_VERSION -X $h4/internal/version.gitTreeState=clean"
h3=helm.sh/helm/v3
# Upstream derives these from client-go v0.N -> Kubernetes 1.N; Helm 3.22 is built on client-go 0.37.
k8s_minor=37
build_go_tool helm "$HELM3_VERSION" helm3 "$h3/cmd/helm@v$HELM3_VERSION" \
  "-X $h3/internal/version.version=v$HELM3_VERSION -X $h3/internal/version.gitTreeState=clean \
   -X $h3/pkg/lint/rules.k8sVersionMajor=1 -X $h3/pkg/lint/rules.k8sVersionMinor=$k8s_minor \
   -X $h3/pkg/chartutil.k8sVersionMajor=1 -X $h3/pkg/chartutil.k8sVersionMinor=$k8s_minor"
ln -sfn helm4 "$BIN_DIR/helm"
"$BIN_DIR/helm4" version --short >&2
"$BIN_DIR/helm3" version --short >&2
