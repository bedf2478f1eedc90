"""Does the cluster serve the metrics API the release's HPAs scale on (pure)?

An HPA on CPU or memory (metric type Resource or ContainerResource, or no metrics at all: then
CPU at 80%) reads `metrics.k8s.io`, which the aggregated APIService `v1beta1.metrics.k8s.io`
provides (metrics-server). Without it, or with it registered but not Available, the HPA reports
FailedGetResourceMetric and never scales: the release "succeeds" at its minimum replicas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

APISERVICE = "v1beta1.metrics.k8s.io"
RESOURCE_METRICS = ("Resource", "ContainerResource")
INSTALL = (
    "install metrics-server (its Helm chart: helm upgrade --install metrics-server "
    "metrics-server/metrics-server --namespace kube-system), or set autoscaling.enabled=false"
)

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class MetricsApi:
    """What the cluster said about the APIService: readable False when the read was refused."""

    readable: bool
    found: Obj | None = None


def resource_hpas(objects: Sequence[Obj]) -> list[str]:
    """`HorizontalPodAutoscaler/name` of every HPA that needs the metrics API."""
    names: list[str] = []
    for obj in objects:
        if obj.get("kind") != "HorizontalPodAutoscaler":
            continue
        metrics = (obj.get("spec") or {}).get("metrics") or []
        if not metrics or any(m.get("type") in RESOURCE_METRICS for m in metrics):
            names.append(f"HorizontalPodAutoscaler/{(obj.get('metadata') or {}).get('name')}")
    return names


def unavailable_reason(apiservice: Obj | None) -> str:
    """Why the metrics API cannot answer ("" when its APIService is Available)."""
    if apiservice is None:
        return f"the APIService {APISERVICE} does not exist (no metrics-server)"
    conditions = (apiservice.get("status") or {}).get("conditions") or []
    available = next((c for c in conditions if c.get("type") == "Available"), None)
    if available is not None and available.get("status") == "True":
        return ""
    detail = (available or {}).get("message") or (available or {}).get("reason") or "no status"
    return f"the APIService {APISERVICE} is not Available ({detail})"


def judge(objects: Sequence[Obj], api: MetricsApi) -> tuple[str, str]:
    """(level, text): level "" when no HPA needs the API, "ok", "unknown" (could not read the
    APIService: said, never a failure) or "warning" with the fix after a newline."""
    hpas = resource_hpas(objects)
    if not hpas:
        return "", ""
    if not api.readable:
        return "unknown", (
            f"could not check the metrics API for {', '.join(hpas)}: reading APIService "
            f"{APISERVICE} was refused"
        )
    reason = unavailable_reason(api.found)
    if not reason:
        return "ok", f"metrics API available for {', '.join(hpas)}"
    return "warning", (
        f"{', '.join(hpas)} scale(s) on CPU/memory but {reason}: the HPA never scales\n"
        f"    fix: {INSTALL}"
    )
