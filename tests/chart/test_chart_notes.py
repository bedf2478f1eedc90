"""NOTES.txt: the URLs, how to verify and how to roll back, per scenario.

`helm template` never renders NOTES.txt, so these render it with Helm 4's client-side
`install --dry-run=client`, which needs no cluster (Helm 3's contacts the API server even in its
client dry run). KUBECONFIG points at nothing, so no cluster is ever asked.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from chart_env import CHART, NAMESPACE, RELEASE, REPO, helm_binary


def notes(tmp_path: Path, *values: Path, sets: dict[str, object] | None = None) -> str:
    args = [str(helm_binary("helm4")), "install", RELEASE, str(CHART), "-n", NAMESPACE,
            "--dry-run=client"]
    for path in values:
        args += ["-f", str(path)]
    if sets:
        extra = tmp_path / "extra.yaml"
        extra.write_text(yaml.safe_dump(sets))
        args += ["-f", str(extra)]
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "no-kubeconfig")}
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "NOTES:" in proc.stdout, proc.stdout[-500:]
    return proc.stdout.split("NOTES:", 1)[1]


def test_staging_notes_give_urls_verify_and_rollback(tmp_path: Path) -> None:
    text = notes(tmp_path, REPO / "values" / "staging.yaml")
    ns = NAMESPACE
    for line in (
        "API:      https://api-staging.ai-native.example.edu",
        "Frontend: https://app-staging.ai-native.example.edu",
        f"kubectl -n {ns} get certificate",
        'global-allowed-response-headers: "Referrer-Policy,Strict-Transport-Security,'
        'X-Content-Type-Options,X-Frame-Options,X-XSS-Protection"',
        f"helm test {RELEASE} -n {ns}",
        f"kubectl -n {ns} rollout status deployment/ai-native-backend",
        "curl -fsS https://api-staging.ai-native.example.edu/api/v1/health",
        f"helm history {RELEASE} -n {ns}",
        f"helm rollback {RELEASE} <REVISION> -n {ns} --wait",
        f"kubectl -n {ns} get secret ai-native-secrets -o yaml > ai-native-secrets.backup.yaml",
    ):
        assert line in text, text


def test_local_notes_use_plain_http(tmp_path: Path) -> None:
    text = notes(tmp_path, REPO / "values" / "local.yaml")
    assert "API:      http://api.ai-native.localhost" in text
    assert "https://" not in text and "get certificate" not in text


def test_gateway_notes_say_where_tls_ends(tmp_path: Path) -> None:
    text = notes(tmp_path, CHART / "ci" / "gateway-monitoring-values.yaml")
    assert "TLS: terminated by the HTTPS listener of gateway.parentRefs" in text
    assert "plain HTTP on gateway.httpParentRefs redirects to HTTPS" in text
    assert "global-allowed-response-headers" not in text  # no Ingress here


@pytest.mark.parametrize(("sets", "absent", "present"), [
    ({"ingress": {"enabled": False}}, "https://",
     "port-forward svc/ai-native-backend 8000:8000"),
    ({"ingress": {"enabled": False}, "backend": {"enabled": False}}, "ai-native-backend",
     "No public route"),
    ({"ingress": {"securityHeaders": {"enabled": False}}}, "global-allowed-response-headers",
     "https://api-staging"),
])
def test_notes_follow_the_switches(
    tmp_path: Path, sets: dict[str, object], absent: str, present: str
) -> None:
    text = notes(tmp_path, sets=sets)
    assert absent not in text and present in text, text
