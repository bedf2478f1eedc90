"""Capacity across objects (pure): does the namespace's ResourceQuota admit the pods the release
starts, and its autoscaled maximum with rollout surge; do PodDisruptionBudgets protect anything.

Pod requests follow the API server: a container without a request takes its limit, else the
LimitRange default; a pod counts the larger of its containers' sum and its largest init
container. DaemonSets are left out (their pod count is the node count, unknown offline).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from helmkit.core.lint.policy_findings import finding
from helmkit.core.model.findings import Finding
from helmkit.core.model.manifests import K8sObject, pod_spec

_SUFFIX = {
    "m": 1e-3, "": 1.0,
    "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60,
}  # fmt: skip
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
RESOURCES = ("cpu", "memory")
# quota keys this rule understands, and the pod figure each caps
_QUOTA_KEYS = {
    "requests.cpu": ("requests", "cpu"),
    "cpu": ("requests", "cpu"),
    "requests.memory": ("requests", "memory"),
    "memory": ("requests", "memory"),
    "limits.cpu": ("limits", "cpu"),
    "limits.memory": ("limits", "memory"),
    "pods": ("pods", ""),
}
_POD_MAKERS = ("Deployment", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Pod")


def quantity(value: Any) -> float | None:
    """A Kubernetes quantity as a number (cores, bytes); None when it is not one."""
    match = _QUANTITY.match(str(value).strip())
    if not match:
        return None
    return float(match.group(1)) * _SUFFIX[match.group(2) or ""]


def _show(key: str, amount: float) -> str:
    if key.endswith("cpu"):
        return f"{round(amount * 1000)}m"
    if key.endswith("memory"):
        return f"{amount / 2**20:.0f}Mi"
    return f"{amount:g}"


@dataclass
class _Defaults:
    """The LimitRange's per-container defaults: section -> resource -> amount."""

    amounts: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def of(cls, objects: list[K8sObject]) -> _Defaults:
        found = cls()
        for obj in objects:
            if obj.kind != "LimitRange":
                continue
            for limit in (obj.body.get("spec") or {}).get("limits") or []:
                if limit.get("type") != "Container":
                    continue
                for section, key in (("requests", "defaultRequest"), ("limits", "default")):
                    for name, value in (limit.get(key) or {}).items():
                        amount = quantity(value)
                        if amount is not None:
                            found.amounts.setdefault(section, {})[name] = amount
        return found


def _container_amount(
    container: dict[str, Any], section: str, name: str, defaults: _Defaults
) -> float | None:
    resources = container.get("resources") or {}
    value = (resources.get(section) or {}).get(name)
    if value is None and section == "requests":
        value = (resources.get("limits") or {}).get(name)  # the API server defaults it so
        if value is None:
            return defaults.amounts.get("requests", {}).get(name) or defaults.amounts.get(
                "limits", {}
            ).get(name)
    if value is None:
        return defaults.amounts.get(section, {}).get(name)
    return quantity(value)


@dataclass(frozen=True)
class _PodNeed:
    """What one pod of a workload asks for, and what it lacks that a quota needs."""

    amounts: dict[str, float]  # "requests.cpu" ... -> amount per pod
    missing: tuple[str, ...]  # "requests.cpu" ... a container leaves unset (no default)


def _pod_need(spec: dict[str, Any], defaults: _Defaults) -> _PodNeed:
    amounts: dict[str, float] = {"pods": 1.0}
    missing: list[str] = []
    for section in ("requests", "limits"):
        for name in RESOURCES:
            key = f"{section}.{name}"
            regular = [
                _container_amount(c, section, name, defaults) for c in spec.get("containers") or []
            ]
            init = [
                _container_amount(c, section, name, defaults)
                for c in spec.get("initContainers") or []
            ]
            if any(a is None for a in regular + init):
                missing.append(key)
            total = sum(a or 0.0 for a in regular)
            amounts[key] = max([total, *(a or 0.0 for a in init)])
    return _PodNeed(amounts, tuple(missing))


@dataclass(frozen=True)
class _Workload:
    obj: K8sObject
    need: _PodNeed
    minimum: int
    maximum: int  # autoscaled maximum plus rollout surge


def _surge(obj: K8sObject, replicas: int) -> int:
    if obj.kind != "Deployment":
        return 0
    strategy = (obj.body.get("spec") or {}).get("strategy") or {}
    if strategy.get("type") == "Recreate":
        return 0
    value = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
    if isinstance(value, str) and value.endswith("%"):
        return math.ceil(replicas * float(value[:-1]) / 100)
    return int(value)


def _hpas(objects: list[K8sObject]) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for hpa in objects:
        if hpa.kind == "HorizontalPodAutoscaler":
            spec = hpa.body.get("spec") or {}
            ref = spec.get("scaleTargetRef") or {}
            found[(str(ref.get("kind")), str(ref.get("name")))] = spec
    return found


def _replicas(obj: K8sObject, hpas: dict[tuple[str, str], dict[str, Any]]) -> tuple[int, int]:
    spec = obj.body.get("spec") or {}
    if obj.kind == "Job":
        parallel = int(spec.get("parallelism", 1))
        return parallel, parallel
    if obj.kind == "CronJob":
        job = (spec.get("jobTemplate") or {}).get("spec") or {}
        parallel = int(job.get("parallelism", 1))
        return parallel, parallel
    if obj.kind == "Pod":
        return 1, 1
    hpa = hpas.get((obj.kind, obj.name))
    if hpa is not None:
        return int(hpa.get("minReplicas", 1)), int(hpa.get("maxReplicas", 1))
    replicas = int(spec.get("replicas", 1))
    return replicas, replicas


def _workloads(objects: list[K8sObject]) -> list[_Workload]:
    defaults = _Defaults.of(objects)
    hpas = _hpas(objects)
    found = []
    for obj in objects:
        spec = pod_spec(obj) if obj.kind in _POD_MAKERS else None
        if spec is None:
            continue
        low, high = _replicas(obj, hpas)
        found.append(_Workload(obj, _pod_need(spec, defaults), low, high + _surge(obj, high)))
    return found


def _quotas(objects: list[K8sObject]) -> Iterator[tuple[K8sObject, str, float]]:
    """(quota, key, hard amount) for the quota keys this rule understands; scoped quotas
    (which count only some pods) are left out."""
    for obj in objects:
        if obj.kind != "ResourceQuota":
            continue
        spec = obj.body.get("spec") or {}
        if spec.get("scopes") or spec.get("scopeSelector"):
            continue
        for key, value in (spec.get("hard") or {}).items():
            amount = quantity(value)
            if key in _QUOTA_KEYS and amount is not None:
                yield obj, key, amount


def _figure(key: str) -> str:
    section, name = _QUOTA_KEYS[key]
    return "pods" if section == "pods" else f"{section}.{name}"


def _largest(workloads: list[_Workload], figure: str, maximum: bool) -> str:
    shares = sorted(
        ((w.maximum if maximum else w.minimum) * w.need.amounts[figure], w.obj.ref)
        for w in workloads
    )
    return ", ".join(f"{ref} {_show(figure, amount)}" for amount, ref in reversed(shares[-3:]))


def quota_admits(objects: list[K8sObject]) -> Iterator[Finding]:
    quotas = list(_quotas(objects))
    if not quotas:
        return
    workloads = _workloads(objects)
    for quota, key, hard in quotas:
        figure = _figure(key)
        for workload in workloads:
            if figure in workload.need.missing:
                yield finding(
                    "quota-admit",
                    workload.obj,
                    "spec",
                    f"a container sets no {figure} and no LimitRange gives a default, but "
                    f"{quota.ref} caps {key}: the API server refuses every pod",
                    f"set {figure} on every container (or a LimitRange default)",
                )
        need = sum(w.minimum * w.need.amounts[figure] for w in workloads)
        if need > hard * (1 + 1e-9):
            yield finding(
                "quota-admit",
                quota,
                f"spec.hard.{key}",
                f"the release's pods need {_show(key, need)} of {key} at their minimum "
                f"replicas but the quota allows {_show(key, hard)} (largest: "
                f"{_largest(workloads, figure, maximum=False)}): pods beyond it are refused",
                "raise the quota, or lower replicas (autoscaling.minReplicas) or requests",
            )
            continue
        peak = sum(w.maximum * w.need.amounts[figure] for w in workloads)
        if peak > hard * (1 + 1e-9):
            yield finding(
                "quota-headroom",
                quota,
                f"spec.hard.{key}",
                f"at the autoscaling maximum plus rollout surge the release's pods need "
                f"{_show(key, peak)} of {key}, the quota allows {_show(key, hard)} (largest: "
                f"{_largest(workloads, figure, maximum=True)}): scale-ups and rollouts stall",
                "raise the quota, or lower maxReplicas or the Deployment's maxSurge",
            )


def _pdb_amount(value: Any, replicas: int) -> int:
    if isinstance(value, str) and value.endswith("%"):
        return math.ceil(replicas * int(value[:-1]) / 100)
    return int(value)


def pdb_protection(pdb: K8sObject, replicas: int, names: str) -> Iterator[Finding]:
    """A PDB whose budget lets every selected pod go at once protects nothing."""
    spec = pdb.body.get("spec") or {}
    if "maxUnavailable" in spec:
        allowed = _pdb_amount(spec["maxUnavailable"], replicas)
        where = "spec.maxUnavailable"
    elif "minAvailable" in spec:
        allowed = replicas - _pdb_amount(spec["minAvailable"], replicas)
        where = "spec.minAvailable"
    else:
        return
    if allowed >= replicas:
        yield finding(
            "pdb-protects-nothing",
            pdb,
            where,
            f"lets {allowed} of {replicas} pod(s) of {names} go at once: a node drain may take "
            "every pod down together",
            "set maxUnavailable below the replicas (e.g. 1) or minAvailable to at least 1",
        )
