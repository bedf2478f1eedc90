"""The PostgreSQL connection budget of a render, computed from the rendered objects (pure).

Every process of a workload whose env comes from a ConfigMap with DB_POOL_SIZE opens up to
DB_POOL_SIZE + DB_MAX_OVERFLOW connections (SQLAlchemy's pool). The worst case is

    pods (the HPA's maxReplicas, else spec.replicas; plus the rollout's maxSurge)
      x processes (WEB_CONCURRENCY of that ConfigMap, default 1) x (pool size + overflow)
    + one connection per database Job or CronJob (a container with PGHOST or that ConfigMap)
    + the admin reserve (annotation ADMIN_RESERVE on that ConfigMap)

against the server's max_connections: `-c max_connections=N` of a rendered postgres workload
(PostgreSQL's default 100 without it), else the annotation MAX_CONNECTIONS on the ConfigMap (an
external server; absent = unknown). The chart computes the same in templates/database/_budget.tpl
and refuses a bundled server that cannot hold it; here the same excess is an ERROR for a
rendered server and a WARNING for an external one (its limit is only declared), and an unknown
limit is an INFO with the figure to compare.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from helmkit.core.model.findings import Finding, Severity
from helmkit.core.model.manifests import K8sObject, containers, pod_spec

RULE = "connection-budget"
ADMIN_RESERVE = "ai-native.dev/db-admin-reserve"
MAX_CONNECTIONS = "ai-native.dev/db-max-connections"
POSTGRES_DEFAULT_MAX_CONNECTIONS = 100
_SERVERS = ("StatefulSet", "Deployment")
_JOBS = ("Job", "CronJob")
_MAX_CONNECTIONS_ARG = re.compile(r"^max_connections=(\d+)$")


@dataclass(frozen=True)
class Budget:
    config: K8sObject  # the ConfigMap holding the pool settings
    replicas: int
    surge: int
    processes: int
    per_process: int
    jobs: int
    reserve: int
    limit: int | None  # None: unknown
    limit_from_server: bool  # read from a rendered postgres workload

    @property
    def pods(self) -> int:
        return self.replicas + self.surge

    @property
    def total(self) -> int:
        return self.pods * self.processes * self.per_process + self.jobs + self.reserve

    def explain(self) -> str:
        return (
            f"{self.pods} backend pods ({self.replicas} + {self.surge} rollout surge) x "
            f"{self.processes} process(es) x {self.per_process} pool connections + {self.jobs} "
            f"Job connection(s) + admin reserve {self.reserve} = {self.total}"
        )


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _uses_config(obj: K8sObject, config_name: str) -> bool:
    spec = pod_spec(obj)
    if spec is None:
        return False
    for _, container in containers(spec):
        for source in container.get("envFrom") or []:
            if ((source or {}).get("configMapRef") or {}).get("name") == config_name:
                return True
    return False


def _talks_to_database(obj: K8sObject, config_name: str) -> bool:
    spec = pod_spec(obj)
    if spec is None:
        return False
    for _, container in containers(spec):
        if any((env or {}).get("name") == "PGHOST" for env in container.get("env") or []):
            return True
    return _uses_config(obj, config_name)


def _hpa_max(objects: list[K8sObject], workload: K8sObject) -> int | None:
    for hpa in objects:
        if hpa.kind != "HorizontalPodAutoscaler":
            continue
        spec = hpa.body.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        if (ref.get("kind"), ref.get("name")) == (workload.kind, workload.name):
            return _int(spec.get("maxReplicas"), 1)
    return None


def _surge(workload: K8sObject, replicas: int) -> int:
    """Extra pods a rolling update may add: maxSurge (Kubernetes' default 25%, rounded up)."""
    if workload.kind != "Deployment":
        return 0
    strategy = (workload.body.get("spec") or {}).get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0
    surge = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(replicas * _int(surge[:-1], 25) / 100)
    return _int(surge, 0)


def _server_limit(objects: list[K8sObject]) -> int | None:
    """max_connections of a rendered postgres server, None when no server is rendered."""
    for obj in objects:
        if obj.kind not in _SERVERS:
            continue
        for _, container in containers(pod_spec(obj) or {}):
            image = str(container.get("image", "")).rsplit("/", 1)[-1]
            if not image.startswith("postgres"):
                continue
            for arg in container.get("args") or []:
                found = _MAX_CONNECTIONS_ARG.match(str(arg))
                if found:
                    return int(found.group(1))
            return POSTGRES_DEFAULT_MAX_CONNECTIONS
    return None


def budgets(objects: list[K8sObject]) -> Iterator[Budget]:
    """One budget per ConfigMap with pool settings that a long-running workload uses."""
    server_limit = _server_limit(objects)
    for config in objects:
        data = config.body.get("data") or {}
        if config.kind != "ConfigMap" or "DB_POOL_SIZE" not in data:
            continue
        users = [o for o in objects if o.kind in _SERVERS and _uses_config(o, config.name)]
        if not users:
            continue
        replicas = surge = 0
        for workload in users:
            count = _hpa_max(objects, workload)
            if count is None:
                count = _int((workload.body.get("spec") or {}).get("replicas", 1), 1)
            replicas += count
            surge += _surge(workload, count)
        declared = config.annotations.get(MAX_CONNECTIONS)
        limit = server_limit if server_limit is not None else _int(declared, 0) or None
        yield Budget(
            config=config,
            replicas=replicas,
            surge=surge,
            processes=_int(data.get("WEB_CONCURRENCY"), 1),
            per_process=_int(data.get("DB_POOL_SIZE"), 0) + _int(data.get("DB_MAX_OVERFLOW"), 0),
            jobs=sum(1 for o in objects if o.kind in _JOBS and _talks_to_database(o, config.name)),
            reserve=_int(config.annotations.get(ADMIN_RESERVE), 0),
            limit=limit,
            limit_from_server=server_limit is not None,
        )


def _finding(budget: Budget, severity: Severity, message: str, hint: str) -> Finding:
    return Finding(
        rule=RULE,
        severity=severity,
        message=message,
        hint=hint,
        obj=budget.config.ref,
        field_path="data.DB_POOL_SIZE",
        file=budget.config.source,
    )


HINT = (
    "lower config.database.poolSize/maxOverflow (or the replicas, backend.processes), raise "
    "max_connections with the memory it needs (~10Mi per connection), or put a pooler "
    "(PgBouncer) in front of PostgreSQL"
)


def connection_budget(objects: list[K8sObject]) -> list[Finding]:
    findings: list[Finding] = []
    for budget in budgets(objects):
        if budget.limit is None:
            findings.append(
                _finding(
                    budget,
                    Severity.INFO,
                    f"worst case {budget.explain()} connections; the external server's "
                    "max_connections is not declared",
                    "set externalDatabase.maxConnections to have it checked",
                )
            )
        elif budget.total > budget.limit:
            where = "PostgreSQL's" if budget.limit_from_server else "the external server's"
            findings.append(
                _finding(
                    budget,
                    Severity.ERROR if budget.limit_from_server else Severity.WARNING,
                    f"{where} max_connections {budget.limit} cannot hold the worst case of "
                    f"{budget.explain()} connections",
                    HINT,
                )
            )
    return findings
