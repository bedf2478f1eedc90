"""`helmkit lint` on the repository's production environment warns `anti-affinity-nodes` for the
backend (hard anti-affinity, HPA maximum 10, surge 3, maxUnavailable 0: 13 nodes), rendered by
the real helm; soft anti-affinity silences it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from cli_support import REPO


def lint(helm_binary: str, *args: str) -> list[dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, "-m", "helmkit", "lint", "--env", "production", "--format", "json", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HELMKIT_HELM": helm_binary},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr  # a warning never fails lint
    return [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "anti-affinity-nodes"]


def test_production_backend_needs_thirteen_nodes(helm_binary: str) -> None:
    (found,) = lint(helm_binary)
    assert found["severity"] == "warning"
    assert found["object"] == "Deployment/ai-native-backend"
    assert "the HPA may scale to 10 and a rollout adds 3 surge pod(s)" in found["message"]
    assert "it needs 13 nodes that can take its pods" in found["message"]
    assert lint(helm_binary, "--set", "backend.podAntiAffinityPreset=soft") == []
