"""The CI gate on the repository itself: `helmkit test` passes on charts/ai-native with
Helm 4 and Helm 3 (lint without blocking findings, snapshots in tests/snapshots up to date)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from cli_support import REPO


def test_helmkit_test_passes_on_the_repository(helm_binary: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "helmkit", "test", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HELMKIT_HELM": helm_binary},
    )
    assert proc.returncode in (0, 1), proc.stderr
    payload = json.loads(proc.stdout)
    blocking = [
        f for f in payload["lint"]["findings"] if f["severity"] == "error" and not f["waived"]
    ]
    failed = [r for r in payload["snapshot"]["results"] if r["status"] != "ok"]
    assert not blocking, f"lint findings (run `helmkit lint`): {json.dumps(blocking, indent=2)}"
    assert not failed and not payload["snapshot"]["stale"], (
        "snapshots differ from the chart; review `helmkit snapshot` and, if intended, run "
        f"`helmkit snapshot --update`: {[(r['scenario'], r['status']) for r in failed]}"
    )
    assert proc.returncode == 0
