#!/usr/bin/env bash
# Installs everything the tests and the demo need, idempotently (seconds when cached):
#   Debian packages (PostgreSQL and Redis servers, shellcheck, mmdebstrap and runc for the
#   stand-in images; containerd, runc, CNI plugins, iptables and conntrack for the local
#   cluster's real node), the Python venv (.venv), Helm 4 + Helm 3, chart-testing + kubeconform,
#   actionlint + promtool, the local control plane binaries (with the real node's NetworkPolicy
#   enforcer, netpol-nfqueue), the real node's ingress controller (Traefik), its volume
#   provisioner (local-path-provisioner) and the stand-in images (exporters included).
# Usage: scripts/bootstrap.sh [all|python|helm|peers|checkers|control-plane|ingress|volumes|images|debian]...
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

debian() {
  local missing=() pkg
  for pkg in $DEBIAN_PACKAGES $REAL_NODE_DEBIAN_PACKAGES; do
    [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == *"ok installed"* ]] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing Debian packages: ${missing[*]}"
  (flock 9; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) 9>/tmp/.ai-native-apt.lock
  # The packages start system services; the tests start their own servers on private ports, and
  # the real node its own containerd (own socket, root and config).
  (service postgresql stop; service redis-server stop; service containerd stop) >/dev/null 2>&1 ||
    true
}

python_env() {
  local stamp=.venv/.deps-$(sha256sum pyproject.toml | cut -c1-16)
  [ -f "$stamp" ] && return
  log "creating .venv with the Python dependencies"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  rm -f .venv/.deps-* && touch "$stamp"
}

helm_bins() { bash "$REPO_ROOT/scripts/build-helm.sh"; }
peers() { bash "$REPO_ROOT/scripts/build-peers.sh"; }
checkers() { bash "$REPO_ROOT/scripts/build-checkers.sh"; }
ingress() { bash "$REPO_ROOT/scripts/build-ingress.sh"; }
volumes() { bash "$REPO_ROOT/scripts/build-volumes.sh"; }
# Builds started in the background and awaited at the end, each logging to $AI_NATIVE_CACHE/NAME.log:
# the stand-in images (mmdebstrap: mostly downloads and dpkg) while the Go tools compile, and
# Traefik beside the Kubernetes build (each Go compile spends minutes on one core: module
# downloads, the linker; the other fills it). A cold bootstrap pays for the slowest, not the sum.
declare -A background_pids
background_start() {  # NAME: runs scripts/NAME.sh
  mkdir -p "$AI_NATIVE_CACHE"
  bash "$REPO_ROOT/scripts/$1.sh" >"$AI_NATIVE_CACHE/$1.log" 2>&1 &
  background_pids[$1]=$!
}
background_wait() {  # NAME WHAT
  local build_log=$AI_NATIVE_CACHE/$1.log
  wait "${background_pids[$1]}" || { cat "$build_log" >&2; log "scripts/$1.sh failed"; exit 1; }
  log "$2 ready (log: $build_log)"
}
control_plane() {
  if [ -x "$REPO_ROOT/scripts/build-control-plane.sh" ]; then bash "$REPO_ROOT/scripts/build-control-plane.sh"; fi
}

targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(all)
for t in "${targets[@]}"; do
  case $t in
    all) debian; python_env; background_start build-images; background_start build-ingress
      helm_bins; peers; checkers; control_plane; volumes
      background_wait build-ingress "ingress controller"; background_wait build-images "stand-in images" ;;
    images) bash "$REPO_ROOT/scripts/build-images.sh" ;;
    python) python_env ;;
    helm) helm_bins ;;
    peers) peers ;;
    checkers) checkers ;;
    control-plane) control_plane ;;
    ingress) ingress ;;
    volumes) volumes ;;
    debian) debian ;;
    *) echo "bootstrap: unknown target '$t' (expected all, python, helm, peers, checkers, control-plane, ingress, volumes, images, debian)" >&2; exit 2 ;;
  esac
done
