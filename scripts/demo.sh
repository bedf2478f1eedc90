#!/usr/bin/env bash
# make demo: the local control plane, a release, a second release with a changed image, the
# revision history, a rollback with the command history printed, and verify.
set -euo pipefail
cd "$(dirname "$0")/.."
HELMKIT=.venv/bin/helmkit
KUBECTL="${AI_NATIVE_CACHE:-$HOME/.cache/ai-native}/bin/kubectl"
ENV=local
NEW_TAG=1.0.1-demo

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "start the local control plane (etcd, kube-apiserver, controllers, kwok nodes)"
"$HELMKIT" cluster up
eval "$("$HELMKIT" cluster env)"

step "declare the ingress class (the local control plane runs no ingress controller)"
# Preflight refuses an Ingress whose class nothing serves; locally there are no containers at all,
# so the class is declared and verify reports honestly that the Ingress has no address.
"$KUBECTL" apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
YAML

step "helmkit release $ENV"
"$HELMKIT" release "$ENV"

step "helmkit release $ENV --set backend.image.tag=$NEW_TAG (a changed image)"
"$HELMKIT" release "$ENV" --set "backend.image.tag=$NEW_TAG"

step "helmkit history $ENV"
"$HELMKIT" history "$ENV"

step "roll back with the command history printed for the previous revision"
rollback_cmd="$("$HELMKIT" history "$ENV" --format json | .venv/bin/python -c '
import json, sys
rows = json.load(sys.stdin)
print(rows[-2]["rollbackCommand"])')"
echo "\$ $rollback_cmd"
# history prints `helm ...`; run it with the helm helmkit uses
read -r -a argv <<<"$rollback_cmd"
"${HELMKIT_HELM:-${AI_NATIVE_CACHE:-$HOME/.cache/ai-native}/bin/helm}" "${argv[@]:1}"

step "helmkit verify $ENV"
"$HELMKIT" verify "$ENV"

step "helmkit status $ENV"
"$HELMKIT" status "$ENV"

step "summary"
# Safe to run again: a second run finds the release at the rolled-back revision, plans "no
# change" (no new revision), upgrades to the new image again and rolls back again.
rows_json="$("$HELMKIT" history "$ENV" --format json)"
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

printf '\ndone. Stop the control plane with: make cluster-down\n'
