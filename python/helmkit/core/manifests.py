"""Rendered manifests: parse `helm template` output into objects, and find things in them.

Parsing uses libyaml when present (`CSafeLoader`): rendering output is the hot path of lint.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import yaml

from helmkit.errors import HelmkitError

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_DOC_SPLIT = re.compile(r"^---[ \t]*$", re.MULTILINE)
_SOURCE = re.compile(r"^# Source: (.+)$", re.MULTILINE)

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")


class ManifestError(HelmkitError):
    """The rendered output is not valid YAML or not Kubernetes objects."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}", hint="fix the template that produced it")
        self.source = source


@dataclass(frozen=True)
class K8sObject:
    api_version: str
    kind: str
    name: str
    namespace: str
    source: str  # template path from helm's "# Source:" comment
    body: dict[str, Any]

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def key(self) -> str:
        """Unique inside one render: kind, namespace and name."""
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else self.ref

    @property
    def annotations(self) -> dict[str, str]:
        meta = self.body.get("metadata") or {}
        return dict(meta.get("annotations") or {})

    @property
    def labels(self) -> dict[str, str]:
        meta = self.body.get("metadata") or {}
        return dict(meta.get("labels") or {})


def _object(doc: Any, source: str) -> K8sObject:
    if not isinstance(doc, dict):
        raise ManifestError(source, f"expected a Kubernetes object (a mapping), got {doc!r:.60}")
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(doc.get("kind"), str):
        raise ManifestError(source, "object without `kind` or `metadata`")
    return K8sObject(
        api_version=str(doc.get("apiVersion", "")),
        kind=doc["kind"],
        name=str(meta.get("name", "")),
        namespace=str(meta.get("namespace", "") or ""),
        source=source,
        body=doc,
    )


def _load_doc(chunk: str, source: str, memo: MutableMapping[str, Any] | None) -> Any:
    """One document; with a memo, a document seen before (same text) is not parsed again.

    Only JSON-plain documents are memoised (the memo is stored as JSON): a YAML timestamp
    would come back as a string and change the verdict of the schema check.
    """
    key = (
        hashlib.sha1(chunk.encode(), usedforsecurity=False).hexdigest() if memo is not None else ""
    )
    if memo is not None and key in memo:
        return memo[key]
    try:
        doc = yaml.load(chunk, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ManifestError(source, f"invalid YAML in rendered output: {exc}") from exc
    if memo is not None:
        try:
            json.dumps(doc)
        except (TypeError, ValueError):
            return doc
        memo[key] = doc
    return doc


def parse_manifests(text: str, memo: MutableMapping[str, Any] | None = None) -> list[K8sObject]:
    """Split helm's multi-document output; empty documents (disabled templates) are dropped."""
    objects: list[K8sObject] = []
    for chunk in _DOC_SPLIT.split(text):
        match = _SOURCE.search(chunk)
        source = match.group(1).strip() if match else "(rendered output)"
        doc = _load_doc(chunk, source, memo)
        if doc is None:
            continue
        if (
            isinstance(doc, dict)
            and doc.get("kind") == "List"
            and isinstance(doc.get("items"), list)
        ):
            objects.extend(_object(item, source) for item in doc["items"])
            continue
        objects.append(_object(doc, source))
    return objects


def dump_yaml(data: Any) -> str:
    return str(
        yaml.dump(data, Dumper=_DUMPER, sort_keys=True, default_flow_style=False, width=1000)
    )


def pod_spec(obj: K8sObject) -> dict[str, Any] | None:
    """The pod spec inside a workload, whatever its kind."""
    spec = obj.body.get("spec") or {}
    if obj.kind == "Pod":
        return dict(spec)
    if obj.kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    if obj.kind in WORKLOAD_KINDS:
        template = (spec.get("template") or {}).get("spec")
        return dict(template) if isinstance(template, dict) else None
    return None


def pod_spec_path(kind: str) -> str:
    return {
        "Pod": "spec",
        "CronJob": "spec.jobTemplate.spec.template.spec",
    }.get(kind, "spec.template.spec")


def containers(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field path suffix, container) for init and regular containers."""
    for group in ("initContainers", "containers"):
        for position, container in enumerate(spec.get(group) or []):
            if isinstance(container, dict):
                yield f"{group}[{position}]", container


def find(objects: list[K8sObject], kind: str, name: str | None = None) -> list[K8sObject]:
    return [o for o in objects if o.kind == kind and (name is None or o.name == name)]
