"""GitOps safety: under a client-side render (Argo CD renders with `helm template`, so `lookup`
sees nothing) the chart must not generate secret values, or they would rotate on every sync.
With secrets.clientSideRender the chart renders byte for byte the same twice (Helm 4 and Helm 3),
and without a source for a value it would generate it refuses, naming the key and the fix."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_env import CHART, HELMS, NAMESPACE, RELEASE, helm_binary

EXTERNAL_DB = {
    "postgresql": {"enabled": False},
    "externalDatabase": {"host": "db.example.org", "existingSecret": "db", "passwordKey": "pw"},
}


def _render(helm: str, tmp_path: Path, values: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """One fresh `helm template` process, as Argo CD runs it on every sync (no memoising)."""
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    argv = [str(helm_binary(helm)), "template", RELEASE, str(CHART), "--namespace", NAMESPACE,
            "-f", str(path)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)


def _twice(helm: str, tmp_path: Path, values: dict[str, Any]) -> tuple[str, str]:
    first, second = _render(helm, tmp_path, values), _render(helm, tmp_path, values)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    return first.stdout, second.stdout


def _secrets(rendered: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(rendered) if d and d.get("kind") == "Secret"]


@pytest.mark.parametrize("helm", HELMS)
def test_a_default_render_rotates_secrets_which_is_what_the_switch_prevents(
    helm: str, tmp_path: Path
) -> None:
    """The comparison below can fail: without the switch two renders differ in the Secret."""
    first, second = _twice(helm, tmp_path, {})
    assert first != second
    assert _secrets(first)[0]["data"]["JWT_SECRET_KEY"] != _secrets(second)[0]["data"][
        "JWT_SECRET_KEY"]


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"secrets": {"existingSecret": "app-secrets"}}, id="existing-secret"),
        pytest.param({"secrets": {"existingSecret": "app-secrets"}, **EXTERNAL_DB},
                     id="existing-secret-external-db"),
        pytest.param({"secrets": {"jwtSecretKey": "k" * 64},
                      "postgresql": {"auth": {"password": "given"}}}, id="given-values"),
    ],
)
def test_nothing_rotates_between_two_client_side_renders(
    helm: str, values: dict[str, Any], tmp_path: Path
) -> None:
    values = {**values, "secrets": {**values["secrets"], "clientSideRender": True}}
    first, second = _twice(helm, tmp_path, values)
    assert first == second
    secrets = _secrets(first)
    if "existingSecret" in values["secrets"]:
        assert secrets == []  # the pods read the Secret the team manages
        backend = next(d for d in yaml.safe_load_all(first) if d and d["kind"] == "Deployment"
                       and d["metadata"]["name"].endswith("-backend"))
        assert {"secretRef": {"name": "app-secrets"}} in backend["spec"]["template"]["spec"][
            "containers"][0]["envFrom"]
    else:
        assert [s["metadata"]["name"] for s in secrets] == [f"{RELEASE}-secrets"]


@pytest.mark.parametrize("helm", HELMS)
def test_refusal_names_each_generated_key_and_the_fix(helm: str, tmp_path: Path) -> None:
    proc = _render(helm, tmp_path, {"secrets": {"clientSideRender": True}})
    assert proc.returncode != 0 and proc.stdout == ""
    message = proc.stderr
    assert "secrets.clientSideRender is true" in message
    assert "secrets.jwtSecretKey is empty" in message
    assert "postgresql.auth.password is empty" in message
    assert "set secrets.existingSecret=<its name>" in message
    assert f"create a Secret in namespace {NAMESPACE}" in message
    assert ("--set-string secrets.jwtSecretKey=<key> --set-string postgresql.auth.password="
            in message)
    assert "Traceback" not in message and "panic" not in message


@pytest.mark.parametrize("helm", HELMS)
def test_refusal_with_an_external_database_names_only_the_jwt_key(
    helm: str, tmp_path: Path
) -> None:
    proc = _render(helm, tmp_path, {"secrets": {"clientSideRender": True}, **EXTERNAL_DB})
    assert proc.returncode != 0
    assert "secrets.jwtSecretKey is empty" in proc.stderr
    assert "postgresql.auth.password" not in proc.stderr
    assert "externalDatabase.existingSecret" in proc.stderr
