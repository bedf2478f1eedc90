"""A chart without a values schema lets any value through to the objects: an object of the wrong
shape (replicas "three", a list, a map) is a kube-schema error naming the field, and the rules
that read that field say they could not check it; helmkit never ends in a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helmkit_run import helmkit, no_traceback

CASES = [
    ("web.autoscaling.enabled=false", "web.replicaCount=three"),
    ("web.autoscaling.enabled=false", "web.replicaCount={1,2}"),
    ("web.autoscaling.minReplicas=two",),
    ("web.autoscaling.maxReplicas=many",),
]


@pytest.mark.parametrize("set_values", CASES, ids=[" ".join(c) for c in CASES])
def test_a_malformed_object_is_a_finding_not_a_traceback(
    project: Path, set_values: tuple[str, ...]
) -> None:
    (project / "chart" / "values.schema.json").unlink()
    flags = [part for item in set_values for part in ("--set", item)]
    result = helmkit("lint", "--no-cache", "--format", "json", *flags, cwd=project)
    no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    errors = [f for f in findings if f["severity"] == "error"]
    assert errors and {f["rule"] for f in errors} == {"kube-schema"}, errors
    assert any("replicas" in (f.get("field") or "").lower() for f in errors), errors
    not_checked = [f for f in findings if f["rule"] == "not-checked"]
    assert not_checked and all(f["severity"] == "info" for f in not_checked), findings
    assert not any(value in result.stdout for value in ("'three'", "'two'", "'many'"))


def test_a_rule_that_never_ran_fails_the_run_once_the_schema_error_is_regraded(
    project: Path,
) -> None:
    """With kube-schema set to a warning, nothing else would fail the run: the rules that
    could not read the object do."""
    (project / "chart" / "values.schema.json").unlink()
    with (project / "helmkit.yaml").open("a") as config:
        config.write("rules:\n  kube-schema: {severity: warning, reason: a test of the rule}\n")
    flags = ["--set", "web.autoscaling.enabled=false", "--set", "web.replicaCount=three"]
    result = helmkit("lint", "--no-cache", "--format", "json", *flags, cwd=project)
    no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    failed = [f for f in findings if f["rule"] == "rule-failed"]
    assert failed and all(f["severity"] == "error" for f in failed), findings
    assert not [f for f in findings if f["rule"] == "not-checked"]
