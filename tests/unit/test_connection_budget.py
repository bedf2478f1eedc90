"""The connection-budget lint rule on hand-built objects (pure logic; tests/chart proves it agrees
with the chart's own computation under the real Helm 4 and Helm 3)."""

from __future__ import annotations

from typing import Any

from helmkit.core.lint.checks import object_findings
from helmkit.core.lint.connection_budget import (
    ADMIN_RESERVE,
    MAX_CONNECTIONS,
    budgets,
    connection_budget,
)
from helmkit.core.model.findings import Severity
from helmkit.core.model.manifests import K8sObject


def obj(kind: str, name: str, body: dict[str, Any]) -> K8sObject:
    api = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}.get(kind, "v1")
    full = {"apiVersion": api, "kind": kind, "metadata": {"name": name}, **body}
    return K8sObject(api, kind, name, "ns", f"templates/{name}.yaml", full)


def config(pool: int, overflow: int, **extra: Any) -> K8sObject:
    annotations = extra.pop("annotations", {})
    data = {"DB_POOL_SIZE": str(pool), "DB_MAX_OVERFLOW": str(overflow), **extra}
    return obj("ConfigMap", "app-config", {"metadata": {"name": "app-config",
                                                        "annotations": annotations},
                                           "data": data})  # fmt: skip


def pod(containers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"template": {"spec": {"containers": containers}}}


def backend(replicas: int | None = None, strategy: dict[str, Any] | None = None) -> K8sObject:
    spec = pod([{"name": "app", "envFrom": [{"configMapRef": {"name": "app-config"}}]}])
    if replicas is not None:
        spec["replicas"] = replicas
    if strategy is not None:
        spec["strategy"] = strategy
    return obj("Deployment", "backend", {"spec": spec})


def postgres(max_connections: int | None) -> K8sObject:
    args = [] if max_connections is None else ["-c", f"max_connections={max_connections}"]
    return obj("StatefulSet", "db", {"spec": pod([{"name": "pg", "image": "postgres:17.6",
                                                   "args": args}])})  # fmt: skip


def hpa(maximum: int) -> K8sObject:
    ref = {"kind": "Deployment", "name": "backend"}
    return obj(
        "HorizontalPodAutoscaler",
        "backend",
        {"spec": {"scaleTargetRef": ref, "maxReplicas": maximum}},
    )


def job(name: str) -> K8sObject:
    return obj(
        "Job", name, {"spec": pod([{"name": "j", "env": [{"name": "PGHOST", "value": "db"}]}])}
    )


def test_hpa_maximum_surge_processes_jobs_and_reserve() -> None:
    objects = [
        config(5, 10, WEB_CONCURRENCY="2", annotations={ADMIN_RESERVE: "5"}),
        backend(replicas=3), hpa(10), postgres(400), job("schema"), job("other"),
    ]  # fmt: skip
    (budget,) = budgets(objects)
    assert (budget.replicas, budget.surge, budget.processes, budget.jobs) == (10, 3, 2, 2)
    assert budget.total == 13 * 2 * 15 + 2 + 5 == 397
    assert connection_budget(objects) == []
    objects[3] = postgres(396)
    (finding,) = connection_budget(objects)
    assert finding.severity is Severity.ERROR and finding.obj == "ConfigMap/app-config"
    assert "max_connections 396 cannot hold" in finding.message and "= 397" in finding.message


def test_surge_forms_and_the_servers_default() -> None:
    fixed = [config(1, 0), backend(4, {"rollingUpdate": {"maxSurge": 2}}), postgres(None)]
    (budget,) = budgets(fixed)
    assert (budget.pods, budget.limit) == (6, 100)
    recreate = [config(1, 0), backend(4, {"type": "Recreate"}), postgres(None)]
    assert next(budgets(recreate)).pods == 4
    percent = [config(1, 0), backend(5, {"rollingUpdate": {"maxSurge": "50%"}})]
    assert next(budgets(percent)).pods == 8  # 2.5 rounds up


def test_an_external_limit_warns_and_an_unknown_one_informs() -> None:
    declared = [config(10, 10, annotations={MAX_CONNECTIONS: "50"}), backend(3)]
    (warning,) = connection_budget(declared)
    assert warning.severity is Severity.WARNING
    assert "the external server's max_connections 50" in warning.message
    (info,) = connection_budget([config(10, 10), backend(3)])
    assert info.severity is Severity.INFO and "= 80 connections" in info.message


def test_no_budget_without_a_workload_using_the_pool_settings() -> None:
    assert list(budgets([config(5, 10), postgres(10)])) == []


def test_lint_reports_the_rule_with_the_other_object_rules() -> None:
    objects = [config(50, 50), backend(3), postgres(100)]
    rules = {f.rule for f in object_findings(objects, ())}
    assert "connection-budget" in rules


def test_unusual_values_acme_without_email_and_aof_on_emptydir() -> None:
    from helmkit.core.values.unusual import unusual_values

    issuer = obj("ClusterIssuer", "le", {"spec": {"acme": {"server": "https://acme.example"}}})
    conf = obj("ConfigMap", "redis", {"data": {"redis.conf": "dir /data\nappendonly yes\n"}})
    spec = pod([{"name": "redis", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}])
    spec["template"]["spec"]["volumes"] = [
        {"name": "config", "configMap": {"name": "redis"}},
        {"name": "data", "emptyDir": {}},
    ]
    redis = obj("StatefulSet", "redis", {"spec": spec})
    assert {f.rule for f in unusual_values([issuer, conf, redis])} == {
        "acme-email", "redis-aof-emptydir",
    }  # fmt: skip
    spec["template"]["spec"]["volumes"][1] = {"name": "data", "persistentVolumeClaim": {}}
    issuer.body["spec"]["acme"]["email"] = "ops@example.edu"
    assert unusual_values([issuer, conf, redis]) == []
