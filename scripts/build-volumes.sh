#!/usr/bin/env bash
# Builds the local cluster's volume provisioner, rancher's local-path-provisioner, from the Go
# module proxy into the tool cache (never the repo) and links it as $BIN_DIR/local-path-provisioner.
# `helmkit cluster up` runs it beside the real node, so claims of the StorageClass `local-path` bind
# to directories on the node. Rebuilt only when LOCAL_PATH_PROVISIONER_VERSION changes.
# Usage: scripts/build-volumes.sh
. "$(dirname "$0")/lib.sh"
build_go_tool local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" local-path-provisioner \
  "github.com/rancher/local-path-provisioner@v$LOCAL_PATH_PROVISIONER_VERSION" \
  "-X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION"
version_check "$LOCAL_PATH_PROVISIONER_VERSION" "$BIN_DIR/local-path-provisioner" --version
log "volume provisioner ready: $BIN_DIR/local-path-provisioner ($LOCAL_PATH_PROVISIONER_VERSION)"
