"""Scenario discovery and selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmkit.core.config import load_config
from helmkit.core.render import plan as render_plan
from helmkit.core.render.scenarios import all_scenarios, pick
from helmkit.errors import UsageError

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"


def test_all_scenarios() -> None:
    config = load_config(DEMO / "helmkit.yaml")
    assert [s.name for s in all_scenarios(config)] == ["default", "env-staging", "ci-ha"]


def test_pick_environment_with_set_values() -> None:
    config = load_config(DEMO / "helmkit.yaml")
    (scenario,) = pick(config, environments=["staging"], set_values=["web.replicaCount=3"])
    assert scenario.name == "env-staging"
    assert scenario.values_files == (DEMO / "values/staging.yaml",)
    assert scenario.set_values == ("web.replicaCount=3",)


def test_pick_custom_values() -> None:
    config = load_config(DEMO / "helmkit.yaml")
    (scenario,) = pick(config, values_files=[Path("x.yaml")])
    assert (scenario.name, scenario.values_files) == ("custom", (Path("x.yaml"),))


def test_unknown_scenario_lists_the_known() -> None:
    config = load_config(DEMO / "helmkit.yaml")
    with pytest.raises(
        UsageError, match=r"unknown scenario 'nope' \(known: default, env-staging, ci-ha\)"
    ):
        pick(config, names=["nope"])


def test_render_plan_one_render_per_scenario_unless_templates_use_the_kube_version(
    tmp_path: Path,
) -> None:
    config = load_config(DEMO / "helmkit.yaml")
    scenarios = all_scenarios(config)
    assert not render_plan.uses_kube_version(config.chart)
    jobs = render_plan.plan(scenarios, ["1.33.0", "1.35.0"], per_version=False)
    assert [(j.scenario.name, j.kube_version) for j in jobs] == [
        ("default", "1.35.0"),
        ("env-staging", "1.35.0"),
        ("ci-ha", "1.35.0"),
    ]
    assert len(render_plan.plan(scenarios, ["1.33.0", "1.35.0"], per_version=True)) == 6
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "x.yaml").write_text(
        '{{ if semverCompare ">=1.30" .Capabilities.KubeVersion.Version }}{{ end }}'
    )
    assert render_plan.uses_kube_version(tmp_path)


def test_cache_key_changes_with_inputs(tmp_path: Path) -> None:
    config = load_config(DEMO / "helmkit.yaml")
    job = render_plan.plan(all_scenarios(config)[:1], ["1.35.0"], per_version=False)[0]
    assert job.cache_key("a", "helm") == job.cache_key("a", "helm")
    assert job.cache_key("a", "helm") != job.cache_key("b", "helm")
    assert job.cache_key("a", "helm") != job.cache_key("a", "helm3")


def test_a_render_without_helms_values_check_is_its_own_render() -> None:
    """Its argv asks helm to skip the check, and its cache entry never answers a render that
    relies on helm's check (`helmkit render`, snapshots)."""
    config = load_config(DEMO / "helmkit.yaml")
    scenarios = all_scenarios(config)[:1]
    (checked,) = render_plan.plan(scenarios, ["1.35.0"], per_version=False)
    (skipped,) = render_plan.plan(scenarios, ["1.35.0"], False, skip_values_schema=True)
    assert "--skip-schema-validation" not in checked.argv(DEMO / "chart")
    assert skipped.argv(DEMO / "chart") == [
        *checked.argv(DEMO / "chart"),
        "--skip-schema-validation",
    ]
    assert skipped.cache_key("a", "helm") != checked.cache_key("a", "helm")
