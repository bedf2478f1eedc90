"""Preflight checks of the rendered release against what runs in the cluster, beyond the APIs
and objects it needs (those are in ops/release.py): ingress-nginx allowing the chart's response
headers, the metrics API for the HPAs, and enough nodes for pods spread one per node.

The judgements are pure (core/release/preflight_ingress.py, core/release/preflight_metrics.py,
core/lint/placement.py); this module reads the cluster. A read the identity may not make is said
("could not check"), never a failure: only what cannot work refuses the release.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from helmkit.adapters.kube import Kube, KubeError
from helmkit.core.lint import placement
from helmkit.core.model.live_manifests import KubeObject
from helmkit.core.release import preflight as pf
from helmkit.core.release import preflight_ingress as pi
from helmkit.core.release import preflight_metrics as pm

T = TypeVar("T")
# list responses leave `kind` out of their items: the kind of each list, to name the workload
WORKLOAD_LISTS = {
    "/apis/apps/v1/deployments": "Deployment",
    "/apis/apps/v1/daemonsets": "DaemonSet",
}


@dataclass
class Outcome:
    """Printed lines (ok and could-not-check), warnings, and problems that refuse the release."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[pf.Problem] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.lines += other.lines
        self.warnings += other.warnings
        self.problems += other.problems


def _read(call: Callable[[], T]) -> tuple[T | None, bool]:
    """(result, readable): a refusal (403) or another API error is "could not read"."""
    try:
        return call(), True
    except KubeError:
        return None, False


def check_render(
    kube: Kube, objects: Sequence[KubeObject], namespace: str, configmap_setting: str = ""
) -> Outcome:
    with ThreadPoolExecutor(max_workers=3) as pool:
        parts = [
            pool.submit(ingress_headers, kube, objects, namespace, configmap_setting),
            pool.submit(metrics_api, kube, objects),
            pool.submit(node_room, kube, objects),
        ]
        outcome = Outcome()
        for part in parts:
            outcome.add(part.result())
    return outcome


# --- metrics API --------------------------------------------------------------------------------


def metrics_api(kube: Kube, objects: Sequence[KubeObject]) -> Outcome:
    if not pm.resource_hpas(objects):
        return Outcome()
    path = f"/apis/apiregistration.k8s.io/v1/apiservices/{pm.APISERVICE}"
    found, readable = _read(lambda: kube.get(path))
    level, text = pm.judge(objects, pm.MetricsApi(readable, found))
    if level == "warning":
        return Outcome(warnings=[text])
    return Outcome(lines=[text])


# --- nodes for pods spread one per node ---------------------------------------------------------


def node_room(kube: Kube, objects: Sequence[KubeObject]) -> Outcome:
    spreads = placement.spreads(objects)
    if not spreads:
        return Outcome()
    nodes, readable = _read(lambda: kube.cluster_items("/api/v1/nodes"))
    if not readable:
        refs = ", ".join(s.ref for s in spreads)
        return Outcome(lines=[f"could not count the nodes for {refs}: listing nodes was refused"])
    outcome = Outcome()
    for verdict in placement.judge_all(objects, nodes or []):
        if verdict.level == "error":
            outcome.problems.append(pf.Problem(verdict.message, verdict.fix))
        elif verdict.level == "warning":
            outcome.warnings.append(f"{verdict.message}\n    fix: {verdict.fix}")
        else:
            outcome.lines.append(verdict.message)
    return outcome


# --- ingress-nginx and the chart's response headers ---------------------------------------------


def _workloads(kube: Kube) -> tuple[list[KubeObject], bool]:
    found: list[KubeObject] = []
    for path, kind in WORKLOAD_LISTS.items():
        items, readable = _read(lambda p=path: kube.cluster_items(p))  # type: ignore[misc]
        if not readable:
            return found, False
        found += [{**item, "kind": kind} for item in items or []]
    return found, True


def ingress_headers(
    kube: Kube, objects: Sequence[KubeObject], namespace: str, setting: str
) -> Outcome:
    needs = pi.header_needs(objects, namespace)
    if not needs:
        return Outcome()
    path = "/apis/networking.k8s.io/v1/ingressclasses"
    classes, readable = _read(lambda: kube.cluster_items(path))
    if not readable:
        return Outcome(
            lines=["could not check the Ingress headers: listing IngressClasses refused"]
        )
    workloads, workloads_read = _workloads(kube)
    controllers = pi.controllers(workloads)
    outcome = Outcome()
    for need in needs:
        ingress_class = pi.class_of(need, classes or [])
        if ingress_class is None:
            continue  # no such class: preflight's missing_ingress_classes refuses the release
        if not pi.is_ingress_nginx(ingress_class, controllers):
            continue  # another controller: the custom-headers annotation is not its business
        named = dataclasses.replace(need, class_name=str(ingress_class["metadata"]["name"]))
        value = str((ingress_class.get("spec") or {}).get("controller") or "")
        for source in pi.sources(value, controllers, setting, workloads_read):
            outcome.add(_one_check(kube, named, source))
    return outcome


def _one_check(kube: Kube, need: pi.HeaderNeed, source: pi.Source) -> Outcome:
    data: dict[str, Any] | None = None
    readable = True
    if source.configmap:
        cm_namespace, cm_name = source.configmap.split("/", 1)
        found, readable = _read(
            lambda: kube.get(f"/api/v1/namespaces/{cm_namespace}/configmaps/{cm_name}")
        )
        data = None if found is None else dict(found.get("data") or {})
    result = pi.check(need, source, data, readable)
    if result.level == "error":
        return Outcome(problems=[pf.Problem(result.message, result.fix)])
    if result.level == "warning":
        return Outcome(warnings=[f"{result.message}\n    fix: {result.fix}"])
    return Outcome(lines=[result.message])
