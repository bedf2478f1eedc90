"""Rendered manifests: parse `helm template` output into objects, and find things in them.

Parsing is the hot path of lint. libyaml (`CSafeLoader`) scans and composes, but PyYAML still
resolves every scalar's tag and constructs the objects in Python, which costs more than the
C part: `load_document` memoises tag resolution and builds plain mappings, sequences and
strings directly from the nodes, handing every other node (ints, bools, timestamps, merge keys,
unknown tags) to PyYAML's own constructor, so the result is the one `yaml.safe_load` gives.
`dump_plain` does the same for the way back (snapshot files): nodes built directly from
JSON-plain data, emitted by libyaml, byte for byte what `dump_yaml` writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from helmkit.core.model.workloads import WORKLOAD_KINDS, containers, pod_spec, pod_spec_path
from helmkit.errors import HelmkitError

# The workload table lives in `workloads`; these names stay importable from here.
__all__ = [
    "WORKLOAD_KINDS",
    "K8sObject",
    "ManifestError",
    "containers",
    "dump_plain",
    "dump_yaml",
    "find",
    "json_plain",
    "load_document",
    "parse_manifests",
    "pod_spec",
    "pod_spec_path",
]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_RESOLVED_MAX = 200_000
_DOC_SPLIT = re.compile(r"^---[ \t]*$", re.MULTILINE)
_SOURCE = re.compile(r"^# Source: (.+)$", re.MULTILINE)


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
    # the digest of the document text it was parsed from: the same text gives the same body,
    # so per-object results (schema verdicts, snapshot text) are keyed on it without
    # serialising the body again; empty for objects not parsed from text
    digest: str = field(default="", compare=False)

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


_resolved: dict[tuple[Any, Any], str] = {}


def _memo_resolve(resolve: Any, kind: Any, value: Any, implicit: Any) -> str:
    """A scalar's tag depends only on (text, implicit flags) without path resolvers (the safe
    loader and dumper have none): each distinct scalar is resolved once per process."""
    if kind is not yaml.ScalarNode:
        return str(resolve(kind, value, implicit))
    if len(_resolved) > _RESOLVED_MAX:
        _resolved.clear()
    tag = _resolved[(value, implicit)] = resolve(kind, value, implicit)
    return str(tag)


class _Loader(_LOADER):  # type: ignore[misc]
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        tag = _resolved.get((value, implicit)) if kind is yaml.ScalarNode else None
        return tag or _memo_resolve(super().resolve, kind, value, implicit)


class _Dumper(_DUMPER):  # type: ignore[misc]
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        tag = _resolved.get((value, implicit)) if kind is yaml.ScalarNode else None
        return tag or _memo_resolve(super().resolve, kind, value, implicit)


class _Fallback(Exception):
    """A node the direct builder leaves to PyYAML (merge keys, unhashable keys)."""


def _scalar(node: yaml.Node, loader: Any) -> Any:
    if node.tag == _STR_TAG:
        return node.value
    construct = loader.yaml_constructors.get(node.tag)
    if construct is None:  # an unknown tag: PyYAML's own error
        return loader.construct_object(node, deep=True)
    return construct(loader, node)


def _build(node: yaml.Node, loader: Any, built: dict[int, Any]) -> Any:
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, loader)
    if id(node) in built:  # an alias: the same object, as PyYAML gives it
        return built[id(node)]
    if isinstance(node, yaml.MappingNode) and tag == _MAP_TAG:
        mapping: dict[Any, Any] = {}
        built[id(node)] = mapping
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                raise _Fallback
            key = _build(key_node, loader, built)
            try:
                mapping[key] = _build(value_node, loader, built)
            except TypeError as exc:  # an unhashable key: PyYAML's own error
                raise _Fallback from exc
        return mapping
    if isinstance(node, yaml.SequenceNode) and tag == _SEQ_TAG:
        sequence: list[Any] = []
        built[id(node)] = sequence
        sequence.extend(_build(item, loader, built) for item in node.value)
        return sequence
    return loader.construct_object(node, deep=True)


def load_document(text: str, loader_class: Any = None) -> Any:
    """One YAML document, as `yaml.safe_load` returns it (None for an empty document); with
    `loader_class`, as that loader resolves and constructs its scalars."""
    loader = (loader_class or _Loader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _build(node, loader, {})
        except _Fallback:
            return loader.construct_document(node)
    finally:
        loader.dispose()


def _plain_node(data: Any, seen: set[int]) -> yaml.Node:
    """The node SafeRepresenter makes for JSON-plain data (sort_keys, block style)."""
    if isinstance(data, str):
        return yaml.ScalarNode(_STR_TAG, data)
    if isinstance(data, dict):
        if id(data) in seen:
            raise _Fallback  # shared objects become aliases: left to PyYAML
        seen.add(id(data))
        items = list(data.items())
        with contextlib.suppress(TypeError):  # mixed key types stay unsorted, as in PyYAML
            items = sorted(items)
        pairs = [(_plain_node(k, seen), _plain_node(v, seen)) for k, v in items]
        return yaml.MappingNode(_MAP_TAG, pairs, flow_style=False)
    if isinstance(data, list):
        if id(data) in seen:
            raise _Fallback
        seen.add(id(data))
        return yaml.SequenceNode(_SEQ_TAG, [_plain_node(i, seen) for i in data], flow_style=False)
    if data is None:
        return yaml.ScalarNode("tag:yaml.org,2002:null", "null")
    if isinstance(data, bool):
        return yaml.ScalarNode("tag:yaml.org,2002:bool", "true" if data else "false")
    if isinstance(data, int):
        return yaml.ScalarNode("tag:yaml.org,2002:int", str(data))
    raise _Fallback  # floats and anything else: PyYAML's representer


def dump_plain(data: Any) -> str:
    """`dump_yaml(data)`, faster for JSON-plain data (str, int, bool, None, dict, list)."""
    try:
        node = _plain_node(data, set())
    except _Fallback:
        return dump_yaml(data)
    return str(yaml.serialize(node, Dumper=_Dumper, width=1000))


def _object(doc: Any, source: str, digest: str = "") -> K8sObject:
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
        digest=digest,
    )


def json_plain(data: Any) -> bool:
    """True when JSON keeps data as it is (string keys, no dates or binary)."""
    if isinstance(data, dict):
        return all(isinstance(k, str) and json_plain(v) for k, v in data.items())
    if isinstance(data, list):
        return all(json_plain(item) for item in data)
    return data is None or isinstance(data, str | int | float)


def _is_secret(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == "Secret"


def _load_doc(chunk: str, key: str, source: str, memo: MutableMapping[str, Any] | None) -> Any:
    """One document; with a memo, a document seen before (same text) is not parsed again.

    Only JSON-plain documents are memoised (the memo is stored as JSON): a YAML timestamp
    would come back as a string and change the verdict of the schema check. Secrets are never
    memoised: the memo is a file in the cache, and Secret values must not land there.
    """
    if memo is not None and key in memo:
        return memo[key]
    try:
        doc = load_document(chunk)
    except yaml.YAMLError as exc:
        raise ManifestError(source, f"invalid YAML in rendered output: {exc}") from exc
    if memo is not None and json_plain(doc) and not _is_secret(doc):
        memo[key] = doc
    return doc


def parse_manifests(text: str, memo: MutableMapping[str, Any] | None = None) -> list[K8sObject]:
    """Split helm's multi-document output; empty documents (disabled templates) are dropped."""
    objects: list[K8sObject] = []
    for chunk in _DOC_SPLIT.split(text):
        match = _SOURCE.search(chunk)
        source = match.group(1).strip() if match else "(rendered output)"
        key = hashlib.sha1(chunk.encode(), usedforsecurity=False).hexdigest()
        doc = _load_doc(chunk, key, source, memo)
        if doc is None:
            continue
        if (
            isinstance(doc, dict)
            and doc.get("kind") == "List"
            and isinstance(doc.get("items"), list)
        ):
            objects.extend(
                _object(item, source, f"{key}:{i}") for i, item in enumerate(doc["items"])
            )
            continue
        objects.append(_object(doc, source, key))
    return objects


def dump_yaml(data: Any) -> str:
    return str(
        yaml.dump(data, Dumper=_DUMPER, sort_keys=True, default_flow_style=False, width=1000)
    )


def find(objects: list[K8sObject], kind: str, name: str | None = None) -> list[K8sObject]:
    return [o for o in objects if o.kind == kind and (name is None or o.name == name)]
