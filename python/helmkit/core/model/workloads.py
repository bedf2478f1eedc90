"""Workload kinds and where each keeps its pod template: the one table every check reads.

Works on an object's body (a dict, as rendered or as the API server returns it) or on anything
with a `body` (a parsed `K8sObject`). An item of a list response carries no `kind`: it is read
as a controller (`spec.template`), which is what the live verbs list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

# kind -> key path from the object to its pod spec (a CronJob's is two templates deep)
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}
_CONTROLLER_PATH = POD_SPEC_PATHS["Deployment"]

# every kind that runs pods
WORKLOAD_KINDS = tuple(POD_SPEC_PATHS)
# controllers that keep their pods running: what release, verify and status watch roll out
LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet")


class HasBody(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def body(self) -> dict[str, Any]: ...


Workload = HasBody | Mapping[str, Any]


def _body(obj: Workload) -> tuple[Mapping[str, Any], str | None]:
    """The body and its kind; None for a body without `kind` (a list response's item)."""
    if isinstance(obj, Mapping):
        kind = obj.get("kind")
        return obj, None if kind is None else str(kind)
    return obj.body, obj.kind


def _walk(node: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _path(kind: str | None) -> tuple[str, ...] | None:
    return _CONTROLLER_PATH if kind is None else POD_SPEC_PATHS.get(kind)


def pod_spec(obj: Workload) -> dict[str, Any] | None:
    """The pod spec inside a workload, whatever its kind; None for other kinds."""
    body, kind = _body(obj)
    if kind == "Pod":
        return dict(body.get("spec") or {})
    keys = _path(kind)
    spec = _walk(body, keys) if keys else None
    return dict(spec) if isinstance(spec, Mapping) else None


def pod_spec_path(kind: str) -> str:
    """Where `pod_spec` found the spec, as a field path for messages."""
    return ".".join(POD_SPEC_PATHS.get(kind) or _CONTROLLER_PATH)


def pod_template_metadata(obj: Workload) -> dict[str, Any]:
    """The metadata the workload gives its pods (labels, annotations); a Pod's own metadata."""
    body, kind = _body(obj)
    keys = _path(kind)
    meta = _walk(body, (*keys[:-1], "metadata")) if keys else None
    return dict(meta) if isinstance(meta, Mapping) else {}


def containers(spec: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field path suffix, container) for init and regular containers."""
    for group in ("initContainers", "containers"):
        for position, container in enumerate(spec.get(group) or []):
            if isinstance(container, dict):
                yield f"{group}[{position}]", container
