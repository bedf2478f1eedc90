#!/usr/bin/env bash
# Builds the local cluster's ingress controller, Traefik (one Go binary serving both Ingress, with
# ingress-nginx's class and annotations, and the Gateway API), from the Go module proxy into the
# tool cache (never the repo) and links it as $BIN_DIR/traefik. Beside the binary it writes
# gateway-api-crds.yaml: the Gateway API CRDs (standard channel) at the version Traefik's go.mod
# requires, which `helmkit cluster up` installs. Rebuilt only when TRAEFIK_VERSION in
# scripts/versions.env changes, so a warm run takes well under a second. Traefik's go.mod has
# replace directives, so it is built inside a copy of its own module source
# (lib.sh build_go_module_source).
# Usage: scripts/build-ingress.sh
. "$(dirname "$0")/lib.sh"
module=github.com/traefik/traefik/v3
ld="-X $module/pkg/version.Version=$TRAEFIK_VERSION -X $module/pkg/version.BuildDate=1970-01-01T00:00:00Z"
build_go_module_source traefik "$TRAEFIK_VERSION" traefik "$module/cmd/traefik@v$TRAEFIK_VERSION" "$ld"
version_check "$TRAEFIK_VERSION" "$BIN_DIR/traefik" version

# mod_field MODULE@VERSION FIELD: a field (Dir, GoMod) of `go mod download -json`.
mod_field() {
  (cd / && GOWORK=off go mod download -json "$1") |
    sed -n "s/^[[:space:]]*\"$2\": \"\\(.*\\)\",\$/\\1/p"
}
crds=$TOOLS_DIR/traefik-$TRAEFIK_VERSION/gateway-api-crds.yaml
if [ ! -f "$crds" ]; then
  gomod=$(mod_field "$module@v$TRAEFIK_VERSION" GoMod)
  gateway_version=$(awk '$1 == "sigs.k8s.io/gateway-api" {print $2; exit}' "$gomod")
  [ -n "$gateway_version" ] || { log "no sigs.k8s.io/gateway-api in $gomod"; exit 1; }
  dir=$(mod_field "sigs.k8s.io/gateway-api@$gateway_version" Dir)
  for f in "$dir"/config/crd/standard/*.yaml; do printf -- '---\n'; cat "$f"; done >"$crds.tmp"
  mv "$crds.tmp" "$crds"
  log "Gateway API CRDs $gateway_version (standard channel) in $crds"
fi
log "ingress controller ready: $BIN_DIR/traefik (Traefik $TRAEFIK_VERSION)"
