"""The chart-layout refactor renders what the base rendered: every scenario under Helm 4 and
Helm 3, object by object, with only the listed differences (tests/chart/render_parity.py)."""

from __future__ import annotations

import subprocess

import pytest
import render_parity
import yaml
from chart_env import HELMS, REPO, helm_binary


def test_every_scenario_renders_the_same_objects_as_the_base() -> None:
    known = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", render_parity.BASE],
                           capture_output=True, check=False)
    if known.returncode != 0:
        pytest.fail(f"commit {render_parity.BASE} (the base of the comparison) is not in this "
                    "clone: fetch the full history (git fetch --unshallow)")
    results = render_parity.run({helm: helm_binary(helm) for helm in HELMS})
    report = render_parity.report(results)
    assert {r.helm for r in results} == set(HELMS)
    scenarios = {r.scenario for r in results}
    assert {"defaults", "values/production.yaml", "ci/hardened-values.yaml"} <= scenarios
    assert all(r.objects > 10 for r in results), report
    assert [p for r in results for p in r.problems] == [], report
    assert "STALE" not in report, report
    assert any(r.notes_checked for r in results)


def test_the_listed_versions_are_the_charts() -> None:
    chart = yaml.safe_load((REPO / "charts/ai-native/Chart.yaml").read_text())
    assert chart["version"] == render_parity.UMBRELLA_VERSIONS[1]
    for name, (label, app_version) in render_parity.SUBCHARTS.items():
        sub = yaml.safe_load((REPO / f"charts/ai-native/charts/{name}/Chart.yaml").read_text())
        assert label == f"{name}-{sub['version']}" and app_version == sub["appVersion"]


def test_a_real_difference_is_reported(tmp_path: object) -> None:
    base = [{"kind": "Service", "metadata": {"name": "s", "labels": {}}, "spec": {"port": 1}}]
    tree = [{"kind": "Service", "metadata": {"name": "s", "labels": {}}, "spec": {"port": 2}}]
    result = render_parity.compare(base, tree, "x", "helm4")
    (problem,) = result.problems
    assert "Service//s differs" in problem and "-  port: 1" in problem and "+  port: 2" in problem
