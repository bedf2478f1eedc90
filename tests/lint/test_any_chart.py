"""helmkit on a chart written elsewhere (tests/fixtures/upstream: a controller without probes or
resources, helpers without the chart's prefix, a vendored library, an unpacked dependency, two
ci files that render identically), with the real helm: green under the light profile, an
injected error still caught, no finding lost to the cache, usable with no helmkit.yaml."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from helmkit.cli.main import cli
from helmkit.core.config import load_config
from helmkit.core.model.findings import Severity
from helmkit.ops.lint import LintOptions, lint
from helmkit.ops.test import run_tests

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upstream"


@pytest.fixture
def upstream(tmp_path: Path, use_helm: Callable[[str], Path]) -> Path:
    use_helm("helm4")
    target = tmp_path / "upstream"
    shutil.copytree(FIXTURE, target)
    return target


def keys(report_findings: list, severity: Severity) -> set[tuple[str, str, str]]:  # type: ignore[type-arg]
    return {
        (f.rule, f.scenario, f.obj)
        for f in report_findings
        if f.severity is severity and not f.waived
    }


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
def test_light_profile_goes_green_and_strict_names_what_it_softens(
    upstream: Path, helm: str, use_helm: Callable[[str], Path]
) -> None:
    use_helm(helm)
    config = load_config(upstream / "helmkit.yaml")
    assert run_tests(config, update_snapshots=True).ok
    result = run_tests(config)
    assert result.ok, [f for f in result.lint.findings if f.blocking]
    assert result.snapshots.ok
    warnings = keys(result.lint.findings, Severity.WARNING)
    assert ("probes", "default", "Deployment/controller-controller") in warnings
    assert ("resources", "default", "Deployment/controller-controller") in warnings
    assert ("template-prefix", "", "Chart/controller") in warnings
    # the unpacked dependency and the vendored library are accepted, as helm accepts them
    assert not any(f.rule == "chart-dependencies" for f in result.lint.findings)
    # the production environment is not local: its posture is checked, the ci files' is not
    posture = {f.scenario for f in result.lint.findings if f.rule == "posture-network-policy"}
    assert posture == {"env-production"}

    strict = (upstream / "helmkit.yaml").read_text().replace("profile: light", "profile: strict")
    (upstream / "helmkit.yaml").write_text(strict)
    report = lint(load_config(upstream / "helmkit.yaml"))
    errors = keys(report.findings, Severity.ERROR)
    assert ("probes", "default", "Deployment/controller-controller") in errors
    assert ("template-prefix", "", "Chart/controller") in errors


def test_injected_nil_pointer_is_caught_under_the_light_profile(upstream: Path) -> None:
    deployment = upstream / "chart" / "templates" / "deployment.yaml"
    text = deployment.read_text()
    deployment.write_text(
        text.replace("{{ .Values.replicaCount }}", "{{ .Values.scale.replicas }}")
    )
    report = lint(load_config(upstream / "helmkit.yaml"))
    assert not report.ok
    render = [f for f in report.findings if f.rule == "render" and f.blocking]
    assert {f.scenario for f in render} == {"default", "env-production", "ci-leader", "ci-plain"}
    assert all(f.file.endswith("templates/deployment.yaml") and f.line == 7 for f in render)


def test_identical_scenarios_keep_their_own_findings_through_the_cache(upstream: Path) -> None:
    config = load_config(upstream / "helmkit.yaml")
    cold = lint(config)
    warm = lint(config)
    assert {r.cached for r in warm.renders} == {True}

    def per_scenario(findings: list) -> dict[str, int]:  # type: ignore[type-arg]
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.scenario] = counts.get(f.scenario, 0) + 1
        return counts

    assert per_scenario(warm.findings) == per_scenario(cold.findings)
    assert per_scenario(cold.findings)["ci-plain"] == per_scenario(cold.findings)["ci-leader"] > 0
    assert warm.findings == cold.findings


def test_prefix_hints_propose_free_distinct_names(upstream: Path) -> None:
    report = lint(load_config(upstream / "helmkit.yaml"), LintOptions(scenarios=["default"]))
    hints = [f.hint for f in report.findings if f.rule == "template-prefix"]
    proposed = [h.split("rename it to ")[1].split(" ")[0] for h in hints]
    assert sorted(proposed) == [
        "controller.fullname",
        "controller.labels",
        "controller.selector.labels",
    ]


def test_lint_chart_without_any_helmkit_yaml(upstream: Path, tmp_path: Path) -> None:
    chart = tmp_path / "alone" / "controller"
    shutil.copytree(upstream / "chart", chart)
    result = CliRunner().invoke(cli, ["lint", str(chart)])
    assert result.exit_code == 0, result.output
    assert "in 3 scenario(s) (default, ci-leader, ci-plain)" in result.output
    assert not (chart / ".helmkit-cache").exists()  # a cache inside would change the chart
    # the light profile still fails what cannot work
    values = chart / "values.yaml"
    values.write_text(values.read_text().replace("replicaCount: 1", "replicaCount: many"))
    broken = CliRunner().invoke(cli, ["lint", str(chart)])
    assert broken.exit_code == 1
    assert "ERROR [kube-schema]" in broken.output
