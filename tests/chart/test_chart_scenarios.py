"""Every scenario (defaults, values/*.yaml, ci/*-values.yaml) lints strictly and renders with Helm 4
and Helm 3, passes strict Kubernetes schema validation for 1.31-1.35, and every pod is
Pod Security "restricted"."""

from __future__ import annotations

from typing import Any

import pytest
from chart_env import (
    HELMS,
    KUBE_VERSIONS,
    SCENARIO_IDS,
    SCENARIOS,
    HelmRuns,
    Scenario,
    lint_args,
    template_args,
)
from kube_validation import CRD_KINDS, validate_strict

from helmkit.core.lint.pod_security import check_pod_spec, pod_specs


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIO_IDS)
def test_lint_strict(helm_runs: HelmRuns, helm: str, scenario: Scenario) -> None:
    result = helm_runs.run(helm, lint_args(scenario.values))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIO_IDS)
def test_template_renders(helm_runs: HelmRuns, helm: str, scenario: Scenario) -> None:
    objects = helm_runs.run(helm, template_args(scenario.values)).objects()
    kinds = {o["kind"] for o in objects}
    assert {"Deployment", "Service", "ConfigMap"} <= kinds
    names = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert len(names) == len(set(names)), "an object is rendered twice"


def test_helm3_and_helm4_render_the_same_objects(helm_runs: HelmRuns) -> None:
    for scenario in SCENARIOS:
        by_helm = [
            sorted((o["kind"], o["metadata"]["name"])
                   for o in helm_runs.run(helm, template_args(scenario.values)).objects())
            for helm in HELMS
        ]
        assert by_helm[0] == by_helm[1], scenario.name


@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIO_IDS)
def test_strict_kubernetes_schemas(
    rendered: dict[str, list[dict[str, Any]]], scenario: Scenario
) -> None:
    problems: list[str] = []
    unvalidated: set[str] = set()
    for obj in rendered[scenario.name]:
        if obj["kind"] in CRD_KINDS:
            unvalidated.add(obj["kind"])
            continue
        for version in KUBE_VERSIONS:
            problems += [f"{version} {p}" for p in validate_strict(obj, version)]
    assert problems == []
    assert unvalidated <= set(CRD_KINDS)


def test_strict_validation_catches_an_unknown_field() -> None:
    broken = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
              "spec": {"ports": [{"port": 80, "targetPrt": 8080}]}}
    [problem] = validate_strict(broken, "1.35")
    assert "targetPrt" in problem


@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIO_IDS)
def test_every_pod_is_restricted(
    rendered: dict[str, list[dict[str, Any]]], scenario: Scenario
) -> None:
    pods = 0
    for obj in rendered[scenario.name]:
        for path, spec, pod_annotations in pod_specs(obj):
            pods += 1
            where = f"{obj['kind']}/{obj['metadata']['name']}"
            violations = check_pod_spec(spec, pod_annotations, prefix=path)
            assert [str(v) for v in violations] == [], where
            assert spec.get("automountServiceAccountToken") is False, where
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                assert container["securityContext"].get("readOnlyRootFilesystem") is True, where
                assert container["resources"]["limits"], where
    assert pods >= 2
