"""The live verbs' view of objects: key them, and read the few fields release, verify and status
need, on plain bodies (dicts), because the objects they compare come both from helm's manifests
and from the API server.

Manifests are parsed by `manifests.parse_manifests` (the one parser, the one `K8sObject`); this
module hands on their bodies. Workload kinds and pod templates come from `workloads`. Pure: text
in, dicts out. Secret data is carried (the plan must see that it changed) but no function here
formats a Secret value; see `release.plan` for how changes are described.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from helmkit.core.model import manifests
from helmkit.core.model.workloads import LONG_RUNNING, pod_spec, pod_template_metadata

COMPONENT_LABEL = "app.kubernetes.io/component"
NAME_LABEL = "app.kubernetes.io/name"
INSTANCE_LABEL = "app.kubernetes.io/instance"

# an object's body: `K8sObject.body` of a parsed manifest, or an object the API server returned
KubeObject = dict[str, Any]


@dataclass(frozen=True, order=True)
class ObjectKey:
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


def parse_manifests(text: str) -> list[KubeObject]:
    """The bodies of every object of a multi-document YAML stream, in order (a `List` gives its
    items, as helm applies them)."""
    return [obj.body for obj in manifests.parse_manifests(text)]


def key_of(obj: KubeObject) -> ObjectKey:
    return ObjectKey(str(obj.get("kind", "")), str(obj.get("metadata", {}).get("name", "")))


def by_key(objects: Iterable[KubeObject]) -> dict[ObjectKey, KubeObject]:
    return {key_of(obj): obj for obj in objects}


# helm runs these hooks on `helm test` ("test-success" is Helm 2's name, still accepted)
TEST_HOOKS = frozenset(("test", "test-success"))


def is_test_hook(obj: KubeObject) -> bool:
    """An object `helm test` runs: its helm.sh/hook lists one of TEST_HOOKS. (Items of a list
    response carry no `kind`, so the caller knows what it holds.)"""
    hooks = str((obj.get("metadata", {}).get("annotations") or {}).get("helm.sh/hook", ""))
    return any(h.strip() in TEST_HOOKS for h in hooks.split(","))


def of_kind(objects: Iterable[KubeObject], *kinds: str) -> list[KubeObject]:
    return [obj for obj in objects if obj.get("kind") in kinds]


def labels(obj: KubeObject) -> dict[str, str]:
    return dict(obj.get("metadata", {}).get("labels") or {})


def component_of(obj: KubeObject) -> str:
    """The component label, else the name label, else the object name."""
    found = labels(obj).get(COMPONENT_LABEL) or labels(obj).get(NAME_LABEL)
    return str(found or obj.get("metadata", {}).get("name", ""))


def container_images(workload: KubeObject) -> list[str]:
    """Images of the containers and init containers, in pod-spec order."""
    spec = pod_spec(workload) or {}
    containers = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    return [str(c.get("image", "")) for c in containers]


def template_annotations(workload: KubeObject) -> dict[str, str]:
    meta = pod_template_metadata(workload)
    return {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}


def checksum_annotations(workload: KubeObject) -> dict[str, str]:
    """`checksum/*` pod annotations: they change when the config a pod reads changes."""
    return {k: v for k, v in template_annotations(workload).items() if k.startswith("checksum/")}


def images_by_component(objects: Iterable[KubeObject]) -> dict[str, list[str]]:
    images: dict[str, list[str]] = {}
    for workload in of_kind(objects, *LONG_RUNNING):
        found = images.setdefault(component_of(workload), [])
        for image in container_images(workload):
            if image not in found:
                found.append(image)
    return images


def hpa_targets(objects: Iterable[KubeObject]) -> dict[ObjectKey, KubeObject]:
    """Workload key -> the HorizontalPodAutoscaler that scales it."""
    owned: dict[ObjectKey, KubeObject] = {}
    for hpa in of_kind(objects, "HorizontalPodAutoscaler"):
        ref = hpa.get("spec", {}).get("scaleTargetRef", {})
        owned[ObjectKey(str(ref.get("kind", "")), str(ref.get("name", "")))] = hpa
    return owned


def api_group_version(obj: KubeObject) -> str:
    return str(obj.get("apiVersion", ""))
