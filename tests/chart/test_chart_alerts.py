"""The chart's alerts, tested by Prometheus' own `promtool test rules` (pinned in
scripts/versions.env, built by scripts/build-checkers.sh) on series written here: every alert
fires on a failing series and stays silent on a healthy one. The rules are the chart's own
render (`--api-versions monitoring.coreos.com/v1`), and every metric they use is one a real
exporter emits (kube-state-metrics v2, postgres_exporter, redis_exporter, cert-manager)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_env import BIN, CHART, HELMS, NAMESPACE, RELEASE, helm_binary
from exporter_metrics import EXPORTER_METRICS, used_metrics

NS = NAMESPACE
RUNBOOKS = Path(__file__).resolve().parents[2] / "docs" / "runbooks.md"
VALUES = {
    "metrics": {"prometheusRule": {"enabled": True, "labels": {"release": "prom"},
                                   "runbookBaseUrl": "https://runbooks.example.org/ai-native/"}},
    "postgresql": {"backup": {"enabled": True}},
}
def _promtool() -> Path:
    exe = BIN / "promtool"
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is missing: run `bash scripts/build-checkers.sh` (or `make setup`)")
    return exe


def _render(helm: str, tmp_path: Path, values: dict[str, Any], *apis: str) -> list[dict[str, Any]]:
    path = tmp_path / f"values-{helm}.yaml"
    path.write_text(yaml.safe_dump(values))
    argv = [str(helm_binary(helm)), "template", RELEASE, str(CHART), "--namespace", NS, "-f",
            str(path), *[f"--api-versions={api}" for api in apis]]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def _rules(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == "PrometheusRule"]


@pytest.fixture(scope="module")
def rule(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("rules")
    found = _rules(_render("helm4", tmp, VALUES, "monitoring.coreos.com/v1"))
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def rules_file(rule: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PrometheusRule's groups as a Prometheus rule file, checked by `promtool check rules`."""
    path = tmp_path_factory.mktemp("promtool") / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    proc = subprocess.run([str(_promtool()), "check", "rules", str(path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS: 10 rules found" in proc.stdout, proc.stdout
    return path


def _alerts(rule: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"]}


def test_rule_is_off_by_default_and_gated_on_the_operator_api(tmp_path: Path) -> None:
    assert _rules(_render("helm4", tmp_path, {}, "monitoring.coreos.com/v1")) == []
    assert _rules(_render("helm4", tmp_path, VALUES)) == []  # no CRD API: nothing to apply


@pytest.mark.parametrize("helm", HELMS)
def test_both_helms_render_the_same_rule(helm: str, rule: dict[str, Any], tmp_path: Path) -> None:
    other = _rules(_render(helm, tmp_path, VALUES, "monitoring.coreos.com/v1"))
    assert [r["spec"] for r in other] == [rule["spec"]]
    assert other[0]["metadata"]["labels"]["release"] == "prom"


def test_every_alert_has_a_runbook_and_real_exporter_metrics(rule: dict[str, Any]) -> None:
    runbooks = RUNBOOKS.read_text()
    for name, alert in _alerts(rule).items():
        notes = alert["annotations"]
        anchor = name.lower()
        assert notes["runbook"].endswith(f"(docs/runbooks.md#{anchor})"), name
        assert notes["runbook_url"] == f"https://runbooks.example.org/ai-native#{anchor}", name
        assert f"\n## {name}\n" in runbooks, f"docs/runbooks.md has no section for {name}"
        assert f"| {name} |" in runbooks, f"docs/runbooks.md's table does not list {name}"
        assert alert["labels"]["severity"] in {"warning", "critical"}, name
        metrics = used_metrics(alert["expr"])
        assert metrics, name
        unknown = metrics - set(EXPORTER_METRICS)
        assert not unknown, f"{name} uses metrics no known exporter emits: {unknown}"


def test_optional_groups_follow_the_features(tmp_path: Path) -> None:
    values = {**VALUES, "postgresql": {"backup": {"enabled": False}},
              "backend": {"autoscaling": {"enabled": False}}, "ingress": {"enabled": False}}
    found = _rules(_render("helm4", tmp_path, values, "monitoring.coreos.com/v1"))
    names = set(_alerts(found[0]))
    assert not {"AiNativeBackupFailed", "AiNativeBackupTooOld", "AiNativeBackendHpaAtMax",
                "AiNativeCertificateExpiring"} & names
    assert "AiNativeBackendUnavailable" in names


def test_selectors_are_configurable(tmp_path: Path) -> None:
    prom = {**VALUES["metrics"]["prometheusRule"], "postgresqlSelector": 'job="external-pg"',
            "certificateSelector": f'exported_namespace="{NS}"'}
    found = _rules(_render("helm4", tmp_path, {**VALUES, "metrics": {"prometheusRule": prom}},
                           "monitoring.coreos.com/v1"))
    alerts = _alerts(found[0])
    assert 'pg_stat_activity_count{job="external-pg"}' in alerts[
        "AiNativePostgresqlConnectionsNearMax"]["expr"]
    assert f'{{name="ai-native-tls", exported_namespace="{NS}"}}' in alerts[
        "AiNativeCertificateExpiring"]["expr"]


# --- promtool test rules ------------------------------------------------------------------------

BACKEND_POD = "ai-native-backend-5d9f7c8b6-x2x4z"
JOB = "ai-native-db-backup-29400000"


def _series(name: str, labels: dict[str, str], values: str) -> dict[str, str]:
    matchers = ", ".join(f'{k}="{v}"' for k, v in {"namespace": NS, **labels}.items())
    return {"series": f"{name}{{{matchers}}}", "values": values}


def _case(alert: str, eval_time: str, series: list[dict[str, str]],
          expected: list[tuple[dict[str, str], str]], interval: str = "1m") -> dict[str, Any]:
    """One promtool test: `expected` holds (labels, summary) of each firing alert, [] = silent."""
    return {
        "interval": interval,
        "input_series": series,
        "alert_rule_test": [{
            "eval_time": eval_time,
            "alertname": alert,
            "exp_alerts": [{"exp_labels": labels, "exp_annotations": {"summary": summary}}
                           for labels, summary in expected],
        }],
    }


def _cases() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """alert -> (failing case, healthy case)."""
    warn, crit = {"severity": "warning"}, {"severity": "critical"}
    ready = "kube_pod_status_ready"
    deploy = {"deployment": "ai-native-backend"}
    hpa = {"horizontalpodautoscaler": "ai-native-backend"}
    pg = {"instance": "pg:9187"}
    redis = {"instance": "redis:9121"}
    owner = {"job_name": JOB, "owner_kind": "CronJob", "owner_name": "ai-native-db-backup",
             "owner_is_controller": "true"}
    other_owner = {**owner, "job_name": "nightly-report-1", "owner_name": "nightly-report"}
    cron = {"cronjob": "ai-native-db-backup"}
    cert = {"name": "ai-native-tls", "issuer_name": "letsencrypt-staging",
            "issuer_kind": "ClusterIssuer", "issuer_group": "cert-manager.io"}
    return {
        "AiNativeBackendPodNotReady": (
            _case("AiNativeBackendPodNotReady", "15m", [
                _series(ready, {"pod": BACKEND_POD, "condition": "false"}, "1x20"),
                _series(ready, {"pod": BACKEND_POD, "condition": "true"}, "0x20"),
            ], [({**warn, "namespace": NS, "pod": BACKEND_POD},
                 f"Backend pod {BACKEND_POD} has not been ready for 10 minutes.")]),
            _case("AiNativeBackendPodNotReady", "15m", [
                _series(ready, {"pod": BACKEND_POD, "condition": "false"}, "0x20"),
                _series(ready, {"pod": BACKEND_POD, "condition": "true"}, "1x20"),
                # not a backend pod: another alert's business
                _series(ready, {"pod": "ai-native-frontend-6c4b9d7f5-abcde", "condition": "false"},
                        "1x20"),
            ], []),
        ),
        "AiNativeBackendUnavailable": (
            _case("AiNativeBackendUnavailable", "5m", [
                _series("kube_deployment_status_replicas_available", deploy, "0x10")],
                [({**crit, "namespace": NS, **deploy},
                  "No backend pod is available; the API answers 503.")]),
            _case("AiNativeBackendUnavailable", "5m", [
                _series("kube_deployment_status_replicas_available", deploy, "3x10")], []),
        ),
        "AiNativeBackendHpaAtMax": (
            _case("AiNativeBackendHpaAtMax", "20m", [
                _series("kube_horizontalpodautoscaler_status_current_replicas", hpa, "10x25"),
                _series("kube_horizontalpodautoscaler_spec_max_replicas", hpa, "10x25"),
            ], [({**warn, "namespace": NS, **hpa},
                 "The backend HPA has run at its maximum replicas for 15m.")]),
            _case("AiNativeBackendHpaAtMax", "20m", [
                # at the maximum for 10 minutes only, then back to 6
                _series("kube_horizontalpodautoscaler_status_current_replicas", hpa,
                        "10x10 6x15"),
                _series("kube_horizontalpodautoscaler_spec_max_replicas", hpa, "10x25"),
            ], []),
        ),
        "AiNativeContainerRestarting": (
            _case("AiNativeContainerRestarting", "30m", [
                _series("kube_pod_container_status_restarts_total",
                        {"pod": "ai-native-redis-0", "container": "redis"}, "0 0+1x35")],
                [({**warn, "namespace": NS, "pod": "ai-native-redis-0", "container": "redis"},
                  "redis in ai-native-redis-0 restarted 3 times or more in 30 minutes.")]),
            _case("AiNativeContainerRestarting", "30m", [
                # restarted twice long ago, stable since
                _series("kube_pod_container_status_restarts_total",
                        {"pod": "ai-native-redis-0", "container": "redis"}, "2x40")], []),
        ),
        "AiNativePostgresqlConnectionsNearMax": (
            _case("AiNativePostgresqlConnectionsNearMax", "10m", [
                _series("pg_stat_activity_count",
                        {**pg, "datname": "ai_native", "state": "active"}, "85x15"),
                _series("pg_stat_activity_count",
                        {**pg, "datname": "ai_native", "state": "idle"}, "10x15"),
                _series("pg_settings_max_connections", pg, "100x15"),
            ], [({**warn, **pg},
                 "PostgreSQL pg:9187 uses 95% of max_connections (alert above 80%).")]),
            _case("AiNativePostgresqlConnectionsNearMax", "10m", [
                _series("pg_stat_activity_count",
                        {**pg, "datname": "ai_native", "state": "active"}, "20x15"),
                _series("pg_stat_activity_count",
                        {**pg, "datname": "ai_native", "state": "idle"}, "10x15"),
                _series("pg_settings_max_connections", pg, "100x15"),
            ], []),
        ),
        "AiNativeRedisMemoryNearMax": (
            _case("AiNativeRedisMemoryNearMax", "15m", [
                _series("redis_memory_used_bytes", redis, f"{480 * 2**20}x20"),
                _series("redis_memory_max_bytes", redis, f"{512 * 2**20}x20"),
            ], [({**warn, **redis},
                 "Redis redis:9121 uses 93.75% of maxmemory (alert above 90%).")]),
            _case("AiNativeRedisMemoryNearMax", "15m", [
                _series("redis_memory_used_bytes", redis, f"{100 * 2**20}x20"),
                _series("redis_memory_max_bytes", redis, f"{512 * 2**20}x20"),
                # no maxmemory set (0): not "near" anything, whatever is used
                _series("redis_memory_used_bytes", {"instance": "other:9121"}, f"{2**30}x20"),
                _series("redis_memory_max_bytes", {"instance": "other:9121"}, "0x20"),
            ], []),
        ),
        "AiNativeRedisEvicting": (
            _case("AiNativeRedisEvicting", "25m", [
                _series("redis_evicted_keys_total", redis, "0+10x30")],
                [({**warn, **redis},
                  "Redis redis:9121 has evicted keys for 15 minutes: the cache is too small.")]),
            _case("AiNativeRedisEvicting", "25m", [
                _series("redis_evicted_keys_total", redis, "7x30")], []),
        ),
        "AiNativeBackupFailed": (
            _case("AiNativeBackupFailed", "10m", [
                _series("kube_job_owner", owner, "1x15"),
                _series("kube_job_status_failed",
                        {"job_name": JOB, "reason": "BackoffLimitExceeded"}, "1x15"),
                _series("kube_job_status_start_time", {"job_name": JOB}, "1000x15"),
                _series("kube_cronjob_status_last_successful_time", cron, "500x15"),
                _series("kube_cronjob_created", cron, "100x15"),
            ], [({**warn, "namespace": NS, "job_name": JOB},
                 f"Backup Job {JOB} failed after the last successful backup.")]),
            _case("AiNativeBackupFailed", "10m", [
                # a failed Job kept by failedJobsHistoryLimit, older than the last success
                _series("kube_job_owner", owner, "1x15"),
                _series("kube_job_status_failed", {"job_name": JOB}, "1x15"),
                _series("kube_job_status_start_time", {"job_name": JOB}, "500x15"),
                _series("kube_cronjob_status_last_successful_time", cron, "1000x15"),
                _series("kube_cronjob_created", cron, "100x15"),
                # a failed Job of another CronJob
                _series("kube_job_owner", other_owner, "1x15"),
                _series("kube_job_status_failed", {"job_name": "nightly-report-1"}, "1x15"),
                _series("kube_job_status_start_time", {"job_name": "nightly-report-1"}, "2000x15"),
            ], []),
        ),
        "AiNativeBackupTooOld": (
            _case("AiNativeBackupTooOld", "27h", [
                _series("kube_cronjob_status_last_successful_time", cron, "0x30"),
                _series("kube_cronjob_created", cron, "0x30"),
            ], [({**crit, "namespace": NS, **cron},
                 "No successful database backup for more than 26 hours.")], interval="1h"),
            _case("AiNativeBackupTooOld", "27h", [
                # a success every hour: the value follows the clock
                _series("kube_cronjob_status_last_successful_time", cron, "0+3600x30"),
                _series("kube_cronjob_created", cron, "0x30"),
            ], [], interval="1h"),
        ),
        "AiNativeCertificateExpiring": (
            _case("AiNativeCertificateExpiring", "2h", [
                _series("certmanager_certificate_expiration_timestamp_seconds", cert,
                        f"{7 * 86400}x180")],
                [({**warn, "name": "ai-native-tls"}, "TLS certificate ai-native-tls expires in "
                  "less than 14 days (in 6d 22h 0m 0s).")]),
            _case("AiNativeCertificateExpiring", "2h", [
                _series("certmanager_certificate_expiration_timestamp_seconds", cert,
                        f"{60 * 86400}x180"),
                # another namespace's certificate of the same name
                {"series": "certmanager_certificate_expiration_timestamp_seconds"
                           '{namespace="other", name="ai-native-tls"}', "values": "0x180"},
            ], []),
        ),
    }


def _promtool_test(rules_file: Path, rule: dict[str, Any], name: str,
                   case: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """Runs one case; the static annotations (runbook lines) are taken from the render."""
    notes = {k: v for k, v in _alerts(rule)[name]["annotations"].items() if k != "summary"}
    for test in case["alert_rule_test"]:
        for expected in test["exp_alerts"]:
            expected["exp_annotations"].update(notes)
    path = rules_file.parent / f"test-{name}.yaml"
    path.write_text(yaml.safe_dump({"rule_files": [rules_file.name], "evaluation_interval": "1m",
                                    "tests": [case]}))
    return subprocess.run([str(_promtool()), "test", "rules", path.name], cwd=path.parent,
                          capture_output=True, text=True, timeout=120, check=False)


def test_every_alert_has_cases(rule: dict[str, Any]) -> None:
    assert set(_cases()) == set(_alerts(rule))


@pytest.mark.parametrize("name", sorted(_cases()))
def test_alert_fires_on_failing_series_and_not_on_healthy(
    name: str, rule: dict[str, Any], rules_file: Path
) -> None:
    failing, healthy = _cases()[name]
    fired = _promtool_test(rules_file, rule, name, failing)
    assert fired.returncode == 0, f"failing series:\n{fired.stdout}{fired.stderr}"
    silent = _promtool_test(rules_file, rule, name, healthy)
    assert silent.returncode == 0, f"healthy series:\n{silent.stdout}{silent.stderr}"


def test_promtool_reports_a_missed_alert(rule: dict[str, Any], rules_file: Path) -> None:
    """The check can fail: a healthy series claimed to fire is reported by promtool."""
    _, healthy = _cases()["AiNativeBackendUnavailable"]
    healthy["alert_rule_test"][0]["exp_alerts"] = [
        {"exp_labels": {"severity": "critical"}, "exp_annotations": {}}]
    proc = _promtool_test(rules_file, rule, "AiNativeBackendUnavailable", healthy)
    assert proc.returncode == 1
    assert "AiNativeBackendUnavailable" in proc.stdout + proc.stderr


def _never_succeeded_cases() -> dict[str, tuple[str, dict[str, Any]]]:
    """The backup alerts' second branch: a CronJob without any success yet."""
    cron = {"cronjob": "ai-native-db-backup"}
    owner = {"job_name": JOB, "owner_kind": "CronJob", "owner_name": "ai-native-db-backup"}
    return {
        "failed-first-run": ("AiNativeBackupFailed", _case("AiNativeBackupFailed", "10m", [
            _series("kube_job_owner", owner, "1x15"),
            _series("kube_job_status_failed", {"job_name": JOB}, "1x15"),
            _series("kube_job_status_start_time", {"job_name": JOB}, "60x15"),
            _series("kube_cronjob_created", cron, "0x15"),
        ], [({"severity": "warning", "namespace": NS, "job_name": JOB},
             f"Backup Job {JOB} failed after the last successful backup.")])),
        "none-since-creation": ("AiNativeBackupTooOld", _case("AiNativeBackupTooOld", "27h", [
            _series("kube_cronjob_created", cron, "0x30")],
            [({"severity": "critical", "namespace": NS, **cron},
              "No successful database backup for more than 26 hours.")], interval="1h")),
        "new-cronjob": ("AiNativeBackupTooOld", _case("AiNativeBackupTooOld", "2h", [
            _series("kube_cronjob_created", cron, "0x30")], [], interval="1h")),
    }


@pytest.mark.parametrize("case_id", sorted(_never_succeeded_cases()))
def test_backup_alerts_without_any_success(
    case_id: str, rule: dict[str, Any], rules_file: Path
) -> None:
    name, case = _never_succeeded_cases()[case_id]
    proc = _promtool_test(rules_file, rule, name, case)
    assert proc.returncode == 0, proc.stdout + proc.stderr
