"""What every policy rule module shares: a finding graded by the rules table, and the walk over
a workload's containers with their field paths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from helmkit.core.lint.rules import RULES
from helmkit.core.model.findings import Finding
from helmkit.core.model.manifests import K8sObject, containers, pod_spec, pod_spec_path


def finding(rule: str, obj: K8sObject, field_path: str, message: str, hint: str) -> Finding:
    return Finding(
        rule=rule,
        severity=RULES[rule].severity,
        message=message,
        hint=hint,
        obj=obj.ref,
        field_path=field_path,
        file=obj.source,
    )


def pod_containers(obj: K8sObject) -> Iterator[tuple[str, dict[str, Any]]]:
    spec = pod_spec(obj)
    if spec is None:
        return
    base = pod_spec_path(obj.kind)
    for suffix, container in containers(spec):
        yield f"{base}.{suffix}", container


def container_images(objects: list[K8sObject]) -> Iterator[tuple[K8sObject, str, str]]:
    """(object, the image field's path, the image) of every container of every pod spec."""
    for obj in objects:
        for path, container in pod_containers(obj):
            yield obj, f"{path}.image", str(container.get("image", ""))
