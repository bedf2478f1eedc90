"""The rules table: every emitted rule is in it, profiles and helmkit.yaml settings re-grade
findings, waivers (per object, glob, chart-level), the README rule list, removed APIs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from offline_objects import obj

from helmkit.core.config import load_config
from helmkit.core.lint import checks as lint_checks
from helmkit.core.lint import policy, rules
from helmkit.core.model.findings import Finding, Severity
from helmkit.errors import InputFileError
from helmkit.ops import docs

REPO = Path(__file__).resolve().parents[2]


def test_every_rule_id_in_the_code_is_in_the_table() -> None:
    source = "\n".join(p.read_text() for p in (REPO / "python/helmkit").rglob("*.py"))
    emitted = set(re.findall(r'rule="([a-z0-9-]+)"', source))
    emitted |= set(policy.OBJECT_RULES) | set(policy.SHARED_ENV_RULES)
    emitted |= set(re.findall(r'finding\(\s*"([a-z0-9-]+)"', source))
    emitted |= set(re.findall(r'_finding\(\s*(?:chart,\s*)?"([a-z0-9-]+)"', source))
    assert emitted - set(rules.RULES) == set()
    assert {"kube-api-removed", "quota-admit", "env-secret", "posture-tls"} <= emitted


def finding(rule: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule=rule, severity=severity, message="m", obj="Deployment/web")


def test_light_profile_softens_what_upstream_charts_do_on_purpose() -> None:
    found = [finding("probes"), finding("resources"), finding("docs-stale"), finding("render")]
    graded = {f.rule: f.severity for f in rules.regrade(found, "light", {})}
    assert graded == {
        "probes": Severity.WARNING,
        "resources": Severity.WARNING,
        "render": Severity.ERROR,
    }  # docs-stale is off in the light profile
    assert rules.regrade(found, "strict", {}) == found


def test_project_settings_regrade_or_switch_off_and_keep_info() -> None:
    settings = {
        "probes": rules.parse_setting("off", "upstream controller"),
        "helm-lint": rules.parse_setting("warning", "icon missing upstream"),
    }
    found = [finding("probes"), finding("helm-lint"), finding("helm-lint", Severity.INFO)]
    graded = [(f.rule, f.severity) for f in rules.regrade(found, "strict", settings)]
    assert graded == [("helm-lint", Severity.WARNING), ("helm-lint", Severity.INFO)]


def write_config(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "chart").mkdir()
    (tmp_path / "chart/Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 0.1.0\n")
    path = tmp_path / "helmkit.yaml"
    path.write_text(
        "chart: chart\nenvironments:\n  prod: {release: r, namespace: n}\n"
        "  local: {release: r, namespace: n}\n" + extra
    )
    return path


def test_config_rules_profile_and_scenario_names(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            "profile: light\nrules:\n  probes: {severity: 'off', reason: upstream style}\n"
            "scenarios: {release: demo-rel}\n",
        )
    )
    assert config.profile == "light"
    assert config.rules["probes"].severity is None
    assert config.scenario_release == "demo-rel"
    assert config.environments["local"].local and not config.environments["prod"].local
    from helmkit.core.render.scenarios import all_scenarios

    by_name = {s.name: s for s in all_scenarios(config)}
    assert by_name["default"].release == "demo-rel"
    assert by_name["default"].namespace == "demo"  # the chart's name
    assert by_name["env-prod"].shared and not by_name["env-local"].shared


def test_config_refuses_an_unknown_rule_with_a_suggestion(tmp_path: Path) -> None:
    path = write_config(tmp_path, "rules:\n  probe: {severity: warning, reason: a typo here}\n")
    with pytest.raises(InputFileError) as caught:
        load_config(path)
    assert "rules.probe: unknown rule 'probe'" in caught.value.message
    assert "'probes'" in (caught.value.hint or "")


def test_config_waivers_apply_by_glob_and_to_the_chart() -> None:
    waivers = [
        {"rule": "emptydir-size", "kind": "Job", "name": "db-schema-*", "reason": "hashed"},
        {"rule": "template-prefix", "kind": "Chart", "name": "demo", "reason": "upstream"},
    ]
    found = [
        Finding("emptydir-size", Severity.WARNING, "m", obj="Job/db-schema-0a1b2c"),
        Finding("emptydir-size", Severity.WARNING, "m", obj="Job/other"),
        Finding("template-prefix", Severity.ERROR, "m", obj="Chart/demo"),
    ]
    waived = [f.waived_reason for f in lint_checks.apply_config_waivers(found, waivers)]
    assert waived == ["hashed", "", "upstream"]


def test_readme_rule_list_is_generated_and_current() -> None:
    readme = (REPO / "README.md").read_text()
    assert rules.with_rule_list(readme) == readme, "run `helmkit docs`"
    assert "| `quota-admit` | error / error |" in readme
    assert "| `probes` | error / warning |" in readme
    stale = readme.replace("| `quota-admit` |", "| `quota-admitted` |")
    assert docs.rule_list(REPO)["README.md"] != stale
    assert rules.with_rule_list("no markers") is None


def versions() -> list[str]:
    return ["1.31.0", "1.35.0"]


def test_removed_api_is_an_error_naming_the_replacement() -> None:
    cron = obj({"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "c"}})
    (found,) = lint_checks.schema_findings([cron], versions())
    assert (found.rule, found.severity) == ("kube-api-removed", Severity.ERROR)
    assert "removed in Kubernetes 1.25" in found.message
    assert found.hint == "use batch/v1 CronJob"
    current = obj({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}})
    assert all(f.rule == "kube-schema" for f in lint_checks.schema_findings([current], versions()))


@pytest.mark.parametrize(
    ("api", "kind", "replacement"),
    [
        ("policy/v1beta1", "PodDisruptionBudget", "policy/v1 PodDisruptionBudget"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2"),
        ("networking.k8s.io/v1beta1", "Ingress", "networking.k8s.io/v1 Ingress"),
        ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "flowcontrol.apiserver.k8s.io/v1"),
        ("policy/v1beta1", "PodSecurityPolicy", "Pod Security admission"),
    ],
)
def test_removal_table(api: str, kind: str, replacement: str) -> None:
    (found,) = lint_checks.schema_findings([obj({"apiVersion": api, "kind": kind})], versions())
    assert found.rule == "kube-api-removed"
    assert replacement in found.hint


def test_deprecated_api_is_a_warning() -> None:
    endpoints = obj({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "e"}})
    found = lint_checks.schema_findings([endpoints], ["1.33.0"])
    assert [(f.rule, f.severity) for f in found] == [("kube-api-deprecated", Severity.WARNING)]
    assert "discovery.k8s.io/v1 EndpointSlice" in found[0].hint
    assert lint_checks.schema_findings([endpoints], ["1.32.0"]) == []


def test_unknown_kind_is_info_only_for_crd_groups() -> None:
    crd = obj({"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor"})
    gateway = obj({"apiVersion": "gateway.networking.k8s.io/v1alpha2", "kind": "TCPRoute"})
    typo = obj({"apiVersion": "apps/v1", "kind": "Deploymnet"})
    found = {
        f.obj: (f.rule, f.severity)
        for f in lint_checks.schema_findings([crd, gateway, typo], versions())
    }
    assert found["PodMonitor/x"] == ("kube-schema-missing", Severity.INFO)
    assert found["TCPRoute/x"] == ("kube-schema-missing", Severity.INFO)
    assert found["Deploymnet/x"] == ("kube-api-unknown", Severity.ERROR)
