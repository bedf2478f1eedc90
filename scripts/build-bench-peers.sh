#!/usr/bin/env bash
# Builds the linters bench/bench_peers.py compares `helmkit lint` with: kube-score (Go module)
# and checkov (Python package, in its own virtualenv). Not part of bootstrap: only the bench
# needs them. Cached by version in ~/.cache/ai-native like every other tool.
. "$(dirname "$0")/lib.sh"
build_go_tool kube-score "$KUBE_SCORE_VERSION" kube-score \
  "github.com/zegl/kube-score/cmd/kube-score@v$KUBE_SCORE_VERSION" \
  "-X main.version=$KUBE_SCORE_VERSION"

checkov_dir=$TOOLS_DIR/checkov-$CHECKOV_VERSION
# a virtualenv cannot move (its scripts name their interpreter by path): it is built in place,
# and a marker written last says it is complete
if [ ! -f "$checkov_dir/.complete" ]; then
  (
    flock 9
    if [ ! -f "$checkov_dir/.complete" ]; then
      log "installing checkov $CHECKOV_VERSION (once; cached in $checkov_dir)"
      rm -rf "$checkov_dir" "$checkov_dir.tmp"
      python3 -m venv "$checkov_dir"
      "$checkov_dir/bin/pip" install -q "checkov==$CHECKOV_VERSION"
      touch "$checkov_dir/.complete"
    fi
  ) 9>"$TOOLS_DIR/.checkov.lock"
fi
ln -sf "$checkov_dir/bin/checkov" "$BIN_DIR/checkov"
version_check "$CHECKOV_VERSION" "$BIN_DIR/checkov" --version
