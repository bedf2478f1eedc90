"""Snapshot files: one readable YAML file per scenario, normalised so that only real changes
show up, and a unified diff per changed object.

Normalisation: objects sorted by kind, namespace and name; Secret values masked (generated
passwords change on every render, and real values must never land in git); `checksum/*`
annotations masked (they hash those Secrets); the version in `helm.sh/chart` labels masked (every
chart change bumps it, which would touch every object).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from helmkit.core.model.manifests import K8sObject, dump_plain, dump_yaml, parse_manifests

MASK = "<masked>"
_HEADER = "# helmkit snapshot of scenario {name}: regenerate with `helmkit snapshot --update`\n"
_CHART_LABEL = re.compile(r"^(.*)-v?\d+\.\d+\.\d+\S*$")


def _mask_metadata(meta: dict[str, Any]) -> None:
    annotations = meta.get("annotations") or {}
    for key in list(annotations):
        if key.startswith("checksum/"):
            annotations[key] = MASK
    labels = meta.get("labels") or {}
    chart = labels.get("helm.sh/chart")
    if isinstance(chart, str):
        labels["helm.sh/chart"] = _CHART_LABEL.sub(r"\1-" + MASK, chart)


def _walk_metadata(node: Any) -> None:
    """Every `metadata` mapping, including pod templates inside workloads."""
    if isinstance(node, dict):
        meta = node.get("metadata")
        if isinstance(meta, dict):
            _mask_metadata(meta)
        for value in node.values():
            _walk_metadata(value)
    elif isinstance(node, list):
        for item in node:
            _walk_metadata(item)


def normalize(obj: K8sObject) -> dict[str, Any]:
    return _normalize_body(obj.kind, copy.deepcopy(obj.body))


def _normalize_body(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    if kind == "Secret":
        for section in ("data", "stringData"):
            if isinstance(body.get(section), dict):
                body[section] = {key: MASK for key in body[section]}
    _walk_metadata(body)
    return body


@dataclass(frozen=True)
class SnapshotObject:
    key: str
    source: str
    text: str


def to_snapshot(
    objects: list[K8sObject], memo: MutableMapping[str, Any] | None = None
) -> list[SnapshotObject]:
    """Normalised objects in a stable order; a memo (JSON-plain) keeps the text of each distinct
    object between runs."""
    ordered = sorted(objects, key=lambda o: (o.kind, o.namespace, o.name))
    return [SnapshotObject(o.key, o.source, _remembered_text(o, memo)) for o in ordered]


def _remembered_text(obj: K8sObject, memo: MutableMapping[str, Any] | None) -> str:
    digest = obj.digest or hashlib.sha1(_content(obj).encode(), usedforsecurity=False).hexdigest()
    key = f"snapshot:{obj.kind}:{digest}"
    if memo is not None and key in memo:
        return str(memo[key])
    text = _texts.get(key)
    if text is None:
        if len(_texts) > _TEXTS_MAX:
            _texts.clear()
        text = _texts[key] = dump_plain(_normalize_body(obj.kind, _copy(obj.body)))
    if memo is not None:
        memo[key] = text
    return text


def _content(obj: K8sObject) -> str:
    return json.dumps(obj.body, sort_keys=True, default=str)


# scenarios share many identical objects: each distinct one is normalised and dumped once
_texts: dict[str, str] = {}
_TEXTS_MAX = 8192


def _copy(value: Any) -> Any:
    """A deep copy of parsed YAML to normalise (mappings and lists; scalars are immutable)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def render_file(name: str, objects: list[SnapshotObject]) -> str:
    parts = [_HEADER.format(name=name)]
    for obj in objects:
        parts.append(f"---\n# Source: {obj.source}\n# Object: {obj.key}\n{obj.text}")
    return "".join(parts)


_CHUNK = re.compile(r"^---\n# Source: (?P<source>.*)\n# Object: (?P<key>.*)\n", re.MULTILINE)


def parse_file(text: str) -> list[SnapshotObject]:
    """Objects of a snapshot file, by the headers render_file writes (no YAML parsing: a
    changed chart must not pay for re-reading every snapshot); files without the headers (an
    older format or hand-written) are parsed as YAML."""
    matches = list(_CHUNK.finditer(text))
    if not matches:
        return [SnapshotObject(o.key, o.source, dump_yaml(o.body)) for o in parse_manifests(text)]
    result = []
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        result.append(SnapshotObject(match["key"], match["source"], text[match.end() : end]))
    return result


@dataclass(frozen=True)
class ObjectDiff:
    key: str
    change: str  # added | removed | changed
    diff: str


def diff(
    expected: list[SnapshotObject], actual: list[SnapshotObject], scenario: str
) -> list[ObjectDiff]:
    import difflib  # only a changed snapshot needs it (start-up time)

    old = {o.key: o for o in expected}
    new = {o.key: o for o in actual}
    result: list[ObjectDiff] = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before and after and before.text == after.text:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        lines = difflib.unified_diff(
            before.text.splitlines(keepends=True) if before else [],
            after.text.splitlines(keepends=True) if after else [],
            fromfile=f"snapshot/{scenario}/{key}",
            tofile=f"rendered/{scenario}/{key}",
        )
        result.append(ObjectDiff(key, change, "".join(lines)))
    return result


def snapshot_path(directory: Path, scenario: str) -> Path:
    return directory / f"{scenario}.yaml"


MARKER = "# helmkit snapshot of scenario "  # the first line of every file helmkit writes


def written_by_helmkit(path: Path) -> bool:
    """Does the file start with the header helmkit writes? (Only such files are replaced or
    deleted; anything else in the directory is left alone.)"""
    try:
        with path.open("rb") as handle:
            return handle.read(len(MARKER)) == MARKER.encode()
    except OSError:
        return False


def stale_files(directory: Path, scenarios: list[str]) -> list[Path]:
    """Snapshot files helmkit wrote for scenarios that are gone."""
    if not directory.is_dir():
        return []
    wanted = {f"{name}.yaml" for name in scenarios}
    return sorted(
        p
        for p in directory.glob("*.yaml")
        if p.name not in wanted and p.is_file() and written_by_helmkit(p)
    )


def directory_problem(directory: Path, project: Path, protected: list[Path]) -> str | None:
    """Why `directory` cannot hold snapshots (None when it can): it must lie inside the
    project (the directory of helmkit.yaml) and hold none of the project's own files
    (helmkit.yaml, a Chart.yaml, the values files), which an update could overwrite."""
    target, root = directory.resolve(), project.resolve()
    if target == root or root not in target.parents:
        return f"it is not a directory inside the project ({root})"
    if (target / "Chart.yaml").exists():
        return "it holds a Chart.yaml"
    for path in protected:
        if path.resolve().parent == target:
            return f"it holds {path.name}"
    if target.exists() and not target.is_dir():
        return "it is not a directory"
    return None


def valid_snapshot_text(text: str) -> bool:
    try:
        list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return False
    return True
