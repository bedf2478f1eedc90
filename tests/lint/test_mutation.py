"""Mutation test: break a template in a copy of the real chart; lint and snapshot must notice.

The comparison is before/after, so the test holds while the chart evolves: whatever the chart's
own state, the mutation adds exactly the expected findings and snapshot diffs.
"""

from __future__ import annotations

from pathlib import Path

from helmkit.core.config import load_config
from helmkit.ops.lint import LintOptions, lint
from helmkit.ops.snapshot import SnapshotOptions, snapshot

DEPLOYMENT = Path("charts/ai-native/templates/backend/deployment.yaml")
CONFIGMAP = Path("charts/ai-native/templates/config/configmap.yaml")


def blocking(repo: Path, scenario: str = "default") -> set[tuple[str, str, str]]:
    report = lint(load_config(repo / "helmkit.yaml"), LintOptions(scenarios=[scenario]))
    return {(f.rule, f.obj, f.field_path) for f in report.findings if f.blocking}


def mutate(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer contains {old!r}: update the mutation test"
    path.write_text(text.replace(old, new, 1))


def test_removed_readiness_probe_is_caught_by_lint_and_snapshot(chart_copy: Path) -> None:
    config = load_config(chart_copy / "helmkit.yaml")
    assert snapshot(config, SnapshotOptions(update=True, scenarios=["default"])).ok
    before = blocking(chart_copy)

    mutate(chart_copy / DEPLOYMENT, "readinessProbe:", "readinessProbes:")

    new = blocking(chart_copy) - before
    path = "spec.template.spec.containers[0]"
    assert ("probes", "Deployment/ai-native-backend", path) in new
    assert ("kube-schema", "Deployment/ai-native-backend", f"{path}.readinessProbes") in new
    report = snapshot(config, SnapshotOptions(scenarios=["default"]))
    (result,) = report.results
    assert result.status == "changed"
    assert "changed: Deployment/ai-native/ai-native-backend;" in result.message
    diff = "\n".join(result.diffs)
    assert "-        readinessProbe:" in diff
    assert "+        readinessProbes:" in diff


def test_secret_in_configmap_is_caught(chart_copy: Path) -> None:
    before = blocking(chart_copy)
    # `{{-` eats the newline before it, nindent brings it back: the key lands in `data`
    mutate(chart_copy / CONFIGMAP, "data: {{-", "data:\n  ADMIN_PASSWORD: hunter2\n  {{-")
    new = blocking(chart_copy) - before
    assert ("configmap-secret", "ConfigMap/ai-native-config", "data.ADMIN_PASSWORD") in new


def test_version_label_in_selector_is_caught(chart_copy: Path) -> None:
    before = blocking(chart_copy)
    labels = chart_copy / "charts/ai-native/charts/ai-native-lib/templates/_labels.tpl"
    text = labels.read_text()
    start = text.index('define "ai-native-lib.labels.selector"')
    end = text.index("{{- end", start)
    body = text[start:end]
    assert "app.kubernetes.io/instance:" in body
    version_label = "app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}\n"
    mutated = body.replace(
        "app.kubernetes.io/instance:", version_label + "app.kubernetes.io/instance:", 1
    )
    labels.write_text(text[:start] + mutated + text[end:])
    new = blocking(chart_copy) - before
    selectors = {(obj, field) for rule, obj, field in new if rule == "selector-version"}
    assert ("Deployment/ai-native-backend", "spec.selector.matchLabels") in selectors
    assert ("Service/ai-native-backend", "spec.selector") in selectors


SERVICE_MONITOR = Path("charts/ai-native/templates/backend/servicemonitor.yaml")


def test_nil_pointer_behind_an_api_check_is_caught(chart_copy: Path) -> None:
    """The ServiceMonitor renders only where the Prometheus Operator API exists: the ci
    scenarios announce it, so a broken template there fails lint."""
    scenario = "ci-gateway-monitoring"
    assert not any(rule == "render" for rule, _, _ in blocking(chart_copy, scenario))
    mutate(chart_copy / SERVICE_MONITOR, "{{ $sm.interval }}", "{{ $sm.scrape.interval }}")
    report = lint(load_config(chart_copy / "helmkit.yaml"), LintOptions(scenarios=[scenario]))
    (error,) = [f for f in report.findings if f.blocking]
    assert error.rule == "render"
    assert "nil pointer" in error.message
    assert error.file.endswith("templates/backend/servicemonitor.yaml")
    assert "servicemonitor.yaml" in error.message


def test_unknown_field_in_a_crd_object_is_caught(chart_copy: Path) -> None:
    scenario = "ci-gateway-monitoring"
    before = blocking(chart_copy, scenario)
    mutate(chart_copy / SERVICE_MONITOR, "scrapeTimeout:", "scrapeTimeOut:")
    new = blocking(chart_copy, scenario) - before
    assert new == {
        ("kube-schema", "ServiceMonitor/ai-native-backend", "spec.endpoints[0].scrapeTimeOut")
    }


def test_removed_api_version_is_caught_naming_the_replacement(chart_copy: Path) -> None:
    cronjob = chart_copy / "charts/ai-native/templates/database/backup-cronjob.yaml"
    mutate(cronjob, "apiVersion: batch/v1", "apiVersion: batch/v1beta1")
    report = lint(
        load_config(chart_copy / "helmkit.yaml"), LintOptions(scenarios=["env-production"])
    )
    (removed,) = [f for f in report.findings if f.rule == "kube-api-removed"]
    assert removed.blocking
    assert removed.obj == "CronJob/ai-native-db-backup"
    assert removed.hint == "use batch/v1 CronJob"


def test_posture_off_outside_local_names_the_key(chart_copy: Path) -> None:
    config = load_config(chart_copy / "helmkit.yaml")
    off = ["networkPolicy.enabled=false", "ingress.tls.enabled=false"]
    report = lint(config, LintOptions(environments=["production"], set_values=off))
    hints = {f.rule: f.hint for f in report.findings if f.rule.startswith("posture-")}
    assert hints == {
        "posture-network-policy": "set `networkPolicy.enabled: true`",
        "posture-tls": "set `ingress.tls.enabled: true`",
    }
    assert report.ok  # warnings: merely unwise
    local = lint(config, LintOptions(environments=["local"], set_values=off))
    assert not any(f.rule.startswith("posture-") for f in local.findings)
