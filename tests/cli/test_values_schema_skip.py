"""Lint renders skip helm's values-schema check only where helmkit's own check covers it, and a
scenario helmkit refuses is rendered again with helm's check: the verdict and the findings stay
helm's. Real helm (Helm 4 and Helm 3) behind a wrapper that logs each argv."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_support import helm_path
from helmkit_run import helmkit, no_traceback

WRAPPER = """#!/bin/sh
echo "$*" >> "$HELM_WRAPPER_LOG"
exec {helm} "$@"
"""
SKIP = "--skip-schema-validation"
SUB_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "sidecar values",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "port": {"type": "integer", "maximum": 9000},
        "global": {"type": "object"},
    },
}


def _wrapped(tmp_path: Path, helm: str) -> tuple[dict[str, str], Path]:
    wrapper, log = tmp_path / "helm", tmp_path / "helm.log"
    wrapper.write_text(WRAPPER.format(helm=helm_path(helm)))
    wrapper.chmod(0o755)
    return {"HELMKIT_HELM": str(wrapper), "HELM_WRAPPER_LOG": str(log)}, log


def _templates(log: Path, verb: str = "template") -> list[str]:
    return [line for line in log.read_text().splitlines() if line.startswith(f"{verb} ")]


def _add_subchart(project: Path, umbrella_copy: dict[str, Any]) -> None:
    """A subchart `sidecar` with its own schema; the umbrella schema holds `umbrella_copy`."""
    sub = project / "chart" / "charts" / "sidecar"
    sub.mkdir(parents=True)
    (sub / "Chart.yaml").write_text("apiVersion: v2\nname: sidecar\nversion: 0.1.0\n")
    (sub / "values.yaml").write_text("port: 8080\n")
    (sub / "values.schema.json").write_text(json.dumps(SUB_SCHEMA))
    with (project / "chart" / "Chart.yaml").open("a") as meta:
        meta.write("dependencies:\n  - {name: sidecar, version: 0.1.0}\n")
    schema_path = project / "chart" / "values.schema.json"
    schema = json.loads(schema_path.read_text())
    schema["properties"]["sidecar"] = umbrella_copy
    schema_path.write_text(json.dumps(schema))


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
def test_valid_values_render_once_without_helms_repeat_of_the_check(
    project: Path, tmp_path: Path, helm: str
) -> None:
    env, log = _wrapped(tmp_path, helm)
    result = helmkit("lint", "--no-cache", cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    templates = _templates(log) + _templates(log, "lint")
    assert len(templates) == 4 and all(SKIP in argv for argv in templates), templates


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
def test_refused_values_are_rendered_again_with_helms_check(
    project: Path, tmp_path: Path, helm: str
) -> None:
    """Rendered without the check, replicas "three" would reach the Deployment and the
    Kubernetes schema; helm refuses the values, so only the values finding may be reported."""
    env, log = _wrapped(tmp_path, helm)
    result = helmkit(
        "lint", "--no-cache", "--format", "json", "--env", "staging",
        "--set", "web.autoscaling.enabled=false", "--set", "web.replicaCount=three",
        cwd=project, env=env,
    )  # fmt: skip
    no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"}
    assert rules == {"values-schema"}, result.stdout
    templates = _templates(log)
    assert [SKIP in argv for argv in templates] == [True, False], templates
    lints = _templates(log, "lint")
    assert [SKIP in argv for argv in lints] == [True, False], lints


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
def test_a_subchart_schema_the_umbrella_holds_is_checked_by_helmkit(
    project: Path, tmp_path: Path, helm: str
) -> None:
    _add_subchart(project, {k: v for k, v in SUB_SCHEMA.items() if k not in ("$schema", "title")})
    env, log = _wrapped(tmp_path, helm)
    result = helmkit("lint", "--no-cache", "--set", "sidecar.port=9999", cwd=project, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[values-schema]" in result.stdout and "sidecar.port" in result.stdout, result.stdout
    assert SKIP in _templates(log)[0]


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
def test_a_subchart_schema_the_umbrella_does_not_hold_stays_helms_to_check(
    project: Path, tmp_path: Path, helm: str
) -> None:
    """The umbrella's copy lacks the subchart's `maximum`: helmkit's check passes 9999, helm's
    check of the subchart refuses it, and must still run."""
    loose = json.loads(json.dumps(SUB_SCHEMA))
    del loose["properties"]["port"]["maximum"], loose["$schema"]
    _add_subchart(project, loose)
    env, log = _wrapped(tmp_path, helm)
    result = helmkit("lint", "--no-cache", "--set", "sidecar.port=9999", cwd=project, env=env)
    no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[render]" in result.stdout and "maximum" in result.stdout, result.stdout
    assert "[values-schema]" not in result.stdout
    templates = _templates(log) + _templates(log, "lint")
    assert len(templates) == 2 and not any(SKIP in argv for argv in templates), templates
    valid = helmkit("lint", "--no-cache", cwd=project, env=env)
    assert valid.returncode == 0, valid.stdout + yaml.safe_dump(loose)
