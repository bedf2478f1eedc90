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
# The stand-in images the real node runs (mmdebstrap: mostly downloads and dpkg), built in the
# background while the Go tools compile, so a cold bootstrap pays for the slower of the two.
images_start() {
  mkdir -p "$AI_NATIVE_CACHE"
  images_log=$AI_NATIVE_CACHE/build-images.log
  bash "$REPO_ROOT/scripts/build-images.sh" >"$images_log" 2>&1 &
  images_pid=$!
}
images_wait() {
  wait "$images_pid" || { cat "$images_log" >&2; log "scripts/build-images.sh failed"; exit 1; }
  log "stand-in images ready (log: $images_log)"
}
ingress() { bash "$REPO_ROOT/scripts/build-ingress.sh"; }
volumes() { bash "$REPO_ROOT/scripts/build-volumes.sh"; }
# Traefik beside the Kubernetes build: both are Go compiles, but each spends minutes on one core
# (module downloads, the linker), which the other fills.
ingress_start() {
  mkdir -p "$AI_NATIVE_CACHE"
  ingress_log=$AI_NATIVE_CACHE/build-ingress.log
  bash "$REPO_ROOT/scripts/build-ingress.sh" >"$ingress_log" 2>&1 &
  ingress_pid=$!
}
ingress_wait() {
  wait "$ingress_pid" || { cat "$ingress_log" >&2; log "scripts/build-ingress.sh failed"; exit 1; }
  log "ingress controller ready (log: $ingress_log)"
}
control_plane() {
  if [ -x "$REPO_ROOT/scripts/build-control-plane.sh" ]; then bash "$REPO_ROOT/scripts/build-control-plane.sh"; fi
}

targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(all)
for t in "${targets[@]}"; do
  case $t in
    all) debian; python_env; images_start; ingress_start; helm_bins; peers; checkers; control_plane
      volumes; ingress_wait; images_wait ;;
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
