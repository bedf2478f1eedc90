"""Pod-spec hygiene rules (pure): duplicate env names, credentials in env values, unbounded
emptyDir volumes, tolerations of every taint, moving image tags.

Severities come from the rules table (`helmkit.core.lint.rules`); each rule yields findings for the
objects it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from helmkit.core.lint.credentials import secret_looking
from helmkit.core.lint.policy_findings import container_images, finding, pod_containers
from helmkit.core.model.findings import Finding
from helmkit.core.model.manifests import K8sObject, containers, pod_spec, pod_spec_path


def _env(container: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for position, entry in enumerate(container.get("env") or []):
        if isinstance(entry, dict):
            yield position, entry


def env_duplicates(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        for path, container in pod_containers(obj):
            first: dict[str, int] = {}
            for position, entry in _env(container):
                name = str(entry.get("name", ""))
                if name in first:
                    yield finding(
                        "env-duplicate",
                        obj,
                        f"{path}.env[{position}]",
                        f"container {container.get('name')!r} sets {name} twice "
                        f"(env[{first[name]}] "
                        f"and env[{position}]): the later one silently wins",
                        "remove one entry; to override a chart default, set the values key "
                        "that renders it instead of appending to extraEnv",
                    )
                else:
                    first[name] = position


def env_secrets(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        for path, container in pod_containers(obj):
            for position, entry in _env(container):
                value = entry.get("value")
                if not isinstance(value, str):
                    continue
                why = secret_looking(str(entry.get("name", "")), value)
                if why:
                    yield finding(
                        "env-secret",
                        obj,
                        f"{path}.env[{position}].value",
                        f"env {entry.get('name')!r} of container {container.get('name')!r}: "
                        f"{why}; anyone who can read the pod spec reads it",
                        "put it in a Secret and use `valueFrom.secretKeyRef` (secrets.* values "
                        "or an existing Secret)",
                    )


def _ephemeral_limited(spec: dict[str, Any]) -> bool:
    """Every container has an ephemeral-storage limit: the kubelet then bounds the pod's
    emptyDir volumes (disk-backed) by their sum."""
    found = [c for _, c in containers(spec)]
    return bool(found) and all(
        ((c.get("resources") or {}).get("limits") or {}).get("ephemeral-storage") for c in found
    )


def emptydir_sizes(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        bounded = _ephemeral_limited(spec)
        for position, volume in enumerate(spec.get("volumes") or []):
            empty = volume.get("emptyDir") if isinstance(volume, dict) else None
            if not isinstance(empty, dict) or empty.get("sizeLimit"):
                continue
            if bounded and empty.get("medium") != "Memory":
                continue
            medium = "memory" if empty.get("medium") == "Memory" else "the node's disk"
            yield finding(
                "emptydir-size",
                obj,
                f"{pod_spec_path(obj.kind)}.volumes[{position}].emptyDir",
                f"emptyDir volume {volume.get('name')!r} has no sizeLimit: it can fill {medium} "
                "and get neighbouring pods evicted",
                "set `sizeLimit` (e.g. 256Mi) on the volume",
            )


def tolerations_of_everything(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        for position, toleration in enumerate(spec.get("tolerations") or []):
            if not isinstance(toleration, dict):
                continue
            if toleration.get("key") or toleration.get("operator") != "Exists":
                continue
            effect = toleration.get("effect")
            scope = f"every {effect} taint" if effect else "every taint"
            yield finding(
                "toleration-all",
                obj,
                f"{pod_spec_path(obj.kind)}.tolerations[{position}]",
                f"tolerates {scope} (operator Exists without a key): the pod may run on "
                "control-plane and dedicated nodes"
                + ("" if effect else " and is never evicted by a NoExecute taint"),
                "tolerate the taints the pod needs by `key`",
            )


# tags that name a branch, a channel or a stage: they move to new builds
_MOVING = re.compile(
    r"^(main|master|dev|develop|development|edge|nightly|stable|head|trunk|release|staging|"
    r"production|prod|test|testing|canary|beta|alpha|unstable|current|lts|snapshot|"
    r"(feature|feat|fix|bugfix|hotfix|pr|branch)[-_/].*)$",
    re.I,
)


def moving_tag(image: str) -> str:
    """The tag when it moves to new builds (a branch or channel name, or no version digit);
    "" for a digest, a version or a commit-like tag. `latest` and untagged images are the
    image-pinned rule's."""
    if "@sha256:" in image:
        return ""
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return ""
    tag = last.rsplit(":", 1)[1]
    if tag in ("", "latest"):
        return ""
    if _MOVING.match(tag) or not any(ch.isdigit() for ch in tag):
        return tag
    return ""


def mutable_tags(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj, where, image in container_images(objects):
        tag = moving_tag(image)
        if tag:
            yield finding(
                "image-mutable-tag",
                obj,
                where,
                f"image {image!r}: tag {tag!r} moves to new builds; the pods of one release "
                "can run different code and a rollback does not bring the old code back",
                "deploy a version tag or a digest (image.tag / image.digest)",
            )
