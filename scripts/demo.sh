#!/usr/bin/env bash
# make demo: the local cluster with its real node, the platform released onto it (stand-in images
# built offline, values/real-node.yaml + values/real-node-pin.yaml), what a person would check
# (pods on the real node, a health response through the Ingress, the tables the schema Job built),
# a second release,
# the revision history, a rollback with the command history printed, verify and status.
set -euo pipefail
cd "$(dirname "$0")/.."
HELMKIT=.venv/bin/helmkit
CACHE="${AI_NATIVE_CACHE:-$HOME/.cache/ai-native}"
KUBECTL="$CACHE/bin/kubectl"
ENV=local
NS=ai-native-local
STORAGE_CLASS=real-node-local
VOLUMES="$CACHE/cluster/demo-volumes"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "start the local cluster (control plane, kwok nodes, the real node with DNS, metrics and an ingress controller)"
"$HELMKIT" cluster up
eval "$("$HELMKIT" cluster env)"

step "volumes on the real node (local PVs: the kubelet gives them to the pod's fsGroup)"
# The cluster's default class (kwok's) makes root-owned hostPath volumes that PostgreSQL (uid
# 999) cannot write; local volumes pre-bound to the release's claims can. They are kept across
# demo runs (Retain), as the release's data is.
"$KUBECTL" create namespace "$NS" --dry-run=client -o yaml | "$KUBECTL" apply -f -
"$KUBECTL" label namespace "$NS" --overwrite pod-security.kubernetes.io/enforce=restricted >/dev/null
volumes_yaml() {
  printf 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: %s}\n' "$STORAGE_CLASS"
  printf 'provisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer\n'
  printf 'reclaimPolicy: Retain\n'
  for claim in data-ai-native-postgresql-0 data-ai-native-redis-0; do
    mkdir -p "$VOLUMES/$claim"
    cat <<YAML
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: demo-$claim}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $STORAGE_CLASS
  claimRef: {namespace: $NS, name: $claim}
  local: {path: $VOLUMES/$claim}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [real-node]}]
YAML
  done
}
volumes_yaml | "$KUBECTL" apply -f -

# The environment `local` with the real-node overlays, in a helmkit.yaml of the demo's own.
DEMO_DIR="$CACHE/demo"
mkdir -p "$DEMO_DIR"
printf 'global: {storageClass: %s}\n' "$STORAGE_CLASS" >"$DEMO_DIR/storage.yaml"
cat >"$DEMO_DIR/helmkit.yaml" <<YAML
chart: $PWD/charts/ai-native
environments:
  $ENV:
    release: ai-native
    namespace: $NS
    values: [$PWD/values/local.yaml, $PWD/values/real-node.yaml, $PWD/values/real-node-pin.yaml,
             $DEMO_DIR/storage.yaml]
    kubeContext: ""
    timeout: 5m
YAML
HELMKIT_CONFIG=(--config "$DEMO_DIR/helmkit.yaml")
hk() { local verb=$1; shift; "$HELMKIT" "$verb" "$@" "${HELMKIT_CONFIG[@]}"; }

step "helmkit release $ENV"
hk release "$ENV"

step "what runs: every pod on the real node, Ready by its kubelet"
"$KUBECTL" -n "$NS" get pods -o wide

step "a health response and the web app through the Ingress (Traefik at the real node's address)"
node_ip=$("$KUBECTL" get node real-node -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
"$KUBECTL" -n "$NS" get ingress
.venv/bin/python - "$node_ip" api.ai-native.localhost app.ai-native.localhost <<'PY'
import http.client, re, sys, time
address, api, app = sys.argv[1:]
for host, path in ((api, "/api/v1/health"), (app, "/")):
    for _ in range(20):  # the controller picks up a new Ingress within a second or two
        conn = http.client.HTTPConnection(address, 80, timeout=10)
        conn.request("GET", path, headers={"Host": host})
        resp = conn.getresponse()
        body = resp.read().decode()
        if resp.status == 200:
            break
        time.sleep(0.5)
    title = re.search(r"<title>(.*)</title>", body)
    print(f"GET http://{host}{path} via {address}: {resp.status} {title.group(1) if title else body}")
PY
step "the tables the schema Job built (PostgreSQL's catalog)"
# shellcheck disable=SC2016  # expanded by the pod's shell
"$KUBECTL" -n "$NS" exec ai-native-postgresql-0 -c postgresql -- sh -c \
  'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "\dt"'

step "helmkit release $ENV --set-string backend.podAnnotations.demo/revision=2 (a second revision)"
hk release "$ENV" --set-string "backend.podAnnotations.demo/revision=2" --skip-tests

step "helmkit history $ENV"
hk history "$ENV"

step "roll back with the command history printed for the previous revision"
rollback_cmd="$(hk history "$ENV" --format json | .venv/bin/python -c '
import json, sys
rows = json.load(sys.stdin)
print(rows[-2]["rollbackCommand"])')"
echo "\$ $rollback_cmd"
# history prints `helm ...`; run it with the helm helmkit uses
read -r -a argv <<<"$rollback_cmd"
"${HELMKIT_HELM:-$CACHE/bin/helm}" "${argv[@]:1}"

step "helmkit verify $ENV"
hk verify "$ENV"

step "helmkit status $ENV"
hk status "$ENV" --logs backend

step "summary"
# Safe to run again: a second run finds the release at the rolled-back revision and its volumes,
# plans "no change" (no new revision), makes revision 2's change again and rolls back again.
rows_json="$(hk history "$ENV" --format json)"
.venv/bin/python - "$ENV" "$rows_json" <<'PY'
import json, sys
env, rows = sys.argv[1], json.loads(sys.argv[2])
run = [row for row in rows if row["status"] == "deployed"][-1]
commit = run["gitCommit"][:12] + ("-dirty" if run["gitCommit"].endswith("-dirty") else "")
print(f"release {env}: revision {run['revision']} runs (chart {run['chartVersion']}, "
      f"app {run['appVersion']}, git {commit or '-'})")
for component, images in sorted(run["images"].items()):
    print(f"  {component:<11} {', '.join(images)}")
print(f"  verify it:  {run['verifyCommand']}")
print(f"  back to it: {run['rollbackCommand']}")
print(f"  every revision with its commands: helmkit history {env}")
PY

printf '\nthe demo'"'"'s environment is in %s: add --config %s to the helmkit commands above\n' "$DEMO_DIR/helmkit.yaml" "$DEMO_DIR/helmkit.yaml"
printf '\ndone. Stop the control plane with: make cluster-down\n'
