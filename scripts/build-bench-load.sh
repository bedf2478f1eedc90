#!/usr/bin/env bash
# Builds the HTTP load generator bench/bench_load.py drives against the backend on the real node:
# hey (Apache-2.0, Go module proxy; k6 is AGPL, so not that one). Not part of bootstrap: only the
# load bench needs it. Cached by version in the tool cache like every other tool.
. "$(dirname "$0")/lib.sh"
build_go_tool hey "$HEY_VERSION" hey "github.com/rakyll/hey@v$HEY_VERSION"
# hey has no --version: its usage text names its flags; a build that runs prints it and exits 2
[ -x "$BIN_DIR/hey" ] || { log "hey missing after build"; exit 1; }
