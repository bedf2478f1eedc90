#!/usr/bin/env bash
# Builds the local control plane from the Go module proxy into the tool cache (never the repo):
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, the real node's kubelet and
# kube-proxy (wrapper module scripts/go/k8s-bins), etcd (wrapper scripts/go/etcd-bin), kwok,
# kwokctl, CoreDNS, metrics-server and the NetworkPolicy enforcer (our module
# scripts/go/netpol-nfqueue); links them into $BIN_DIR. Each tool is rebuilt only when
# its pinned version in scripts/versions.env changes, so a warm run takes seconds.
# Usage: scripts/build-control-plane.sh
. "$(dirname "$0")/lib.sh"
k8s_mod=$REPO_ROOT/scripts/go/k8s-bins
etcd_mod=$REPO_ROOT/scripts/go/etcd-bin
k8s_cmds="kube-apiserver kube-controller-manager kube-scheduler kubectl"
k8s_node_cmds="kubelet kube-proxy"

# The wrapper go.mod files are checked in; regenerate them only if versions.env moved on.
if ! grep -Eq "k8s\.io/kubernetes v$KUBERNETES_VERSION( |\$)" "$k8s_mod/go.mod" ||
   ! grep -q "go.etcd.io/etcd/server/v3 v$ETCD_VERSION\$" "$etcd_mod/go.mod"; then
  log "wrapper modules do not match versions.env; regenerating"
  "$REPO_ROOT/scripts/go/gen-wrappers.sh"
fi

# build_wrapper NAME VERSION MODULE_DIR OUT LDFLAGS PKG... : `go build` the packages of a
# checked-in wrapper module into $TOOLS_DIR/NAME-VERSION/OUT (OUT ends in / for several packages)
# once, under the same lock scheme as build_go_tool.
build_wrapper() {
  local name=$1 version=$2 dir=$3 out=$4 ldflags=$5; shift 5
  local dest=$TOOLS_DIR/$name-$version
  [ -f "$dest/.complete" ] && return 0
  (
    flock 9
    [ -f "$dest/.complete" ] && exit 0
    log "building $name $version (once; cached in $dest; the first Kubernetes build takes 15-30 min)"
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
    (cd "$dir" && GOWORK=off go build -mod=readonly -trimpath -ldflags "-s -w $ldflags" -o "$dest.tmp/$out" "$@")
    touch "$dest.tmp/.complete"
    rm -rf "$dest" && mv "$dest.tmp" "$dest"
  ) 9>"$TOOLS_DIR/.$name.lock"
}

kwok_ld="-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$KUBERNETES_VERSION"
build_go_tool kwok "$KWOK_VERSION" kwok "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION" "$kwok_ld"
build_go_tool kwokctl "$KWOK_VERSION" kwokctl "sigs.k8s.io/kwok/cmd/kwokctl@v$KWOK_VERSION" "$kwok_ld"

build_go_tool coredns "$COREDNS_VERSION" coredns "github.com/coredns/coredns@v$COREDNS_VERSION"
ms_ld="-X k8s.io/client-go/pkg/version.gitVersion=v$METRICS_SERVER_VERSION"
build_go_tool_in_module metrics-server "$METRICS_SERVER_VERSION" metrics-server \
  "sigs.k8s.io/metrics-server/cmd/metrics-server@v$METRICS_SERVER_VERSION" "$ms_ld"

# The enforcer is our own main around the pinned library: its cache entry is named by the pin and
# the hash of its sources, so editing main.go rebuilds it.
netpol_mod=$REPO_ROOT/scripts/go/netpol-nfqueue
grep -q "sigs.k8s.io/kube-network-policies v$KUBE_NETWORK_POLICIES_VERSION\$" "$netpol_mod/go.mod" || {
  log "$netpol_mod/go.mod does not require kube-network-policies v$KUBE_NETWORK_POLICIES_VERSION:"
  log "  (cd $netpol_mod && go get sigs.k8s.io/kube-network-policies@v$KUBE_NETWORK_POLICIES_VERSION && go mod tidy)"
  exit 1
}
netpol_src=$(cat "$netpol_mod"/go.mod "$netpol_mod"/go.sum "$netpol_mod"/*.go | sha256sum | cut -c1-12)
_build_once go_build_local netpol-nfqueue "$KUBE_NETWORK_POLICIES_VERSION-$netpol_src" \
  netpol-nfqueue "$netpol_mod@local"

build_wrapper etcd "$ETCD_VERSION" "$etcd_mod" etcd "" .
ln -sfn "$TOOLS_DIR/etcd-$ETCD_VERSION/etcd" "$BIN_DIR/etcd"

# The same version stamps as upstream's hack/lib/version.sh, so `kube-apiserver --version`,
# `kubectl version` and Helm's .Capabilities.KubeVersion report the real release.
minor=${KUBERNETES_VERSION#*.}; minor=${minor%%.*}
k8s_ld=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ld+=" -X $p.gitVersion=v$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  k8s_ld+=" -X $p.gitTreeState=clean -X $p.gitCommit=0000000000000000000000000000000000000000"
  k8s_ld+=" -X $p.buildDate=1970-01-01T00:00:00Z"
done
pkgs=()
for c in $k8s_cmds; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
build_wrapper kubernetes "$KUBERNETES_VERSION" "$k8s_mod" / "$k8s_ld" "${pkgs[@]}"
for c in $k8s_cmds; do ln -sfn "$TOOLS_DIR/kubernetes-$KUBERNETES_VERSION/$c" "$BIN_DIR/$c"; done
# The real node's binaries: a cache entry of their own, so a control plane built before they were
# added is kept, and they reuse its warm Go build cache.
pkgs=()
for c in $k8s_node_cmds; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
build_wrapper kubernetes-node "$KUBERNETES_VERSION" "$k8s_mod" / "$k8s_ld" "${pkgs[@]}"
for c in $k8s_node_cmds; do ln -sfn "$TOOLS_DIR/kubernetes-node-$KUBERNETES_VERSION/$c" "$BIN_DIR/$c"; done

# Fail here, not in the e2e suite, if a binary does not report the pinned version.
version_check "Kubernetes v$KUBERNETES_VERSION" "$BIN_DIR/kube-apiserver" --version
version_check "Kubernetes v$KUBERNETES_VERSION" "$BIN_DIR/kubelet" --version
version_check "Kubernetes v$KUBERNETES_VERSION" "$BIN_DIR/kube-proxy" --version
version_check "etcd Version: $ETCD_VERSION" "$BIN_DIR/etcd" --version
version_check "$KWOK_VERSION" "$BIN_DIR/kwokctl" --version
version_check "CoreDNS-$COREDNS_VERSION" "$BIN_DIR/coredns" -version
version_check "v$METRICS_SERVER_VERSION" "$BIN_DIR/metrics-server" --version
version_check "kube-network-policies v$KUBE_NETWORK_POLICIES_VERSION" "$BIN_DIR/netpol-nfqueue" -version
log "control plane ready in $BIN_DIR (kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION)"
