"""Whether helmkit's values check covers helm's, so a lint render may skip helm's own.

Helm checks the coalesced values against the chart's values.schema.json, then each enabled
subchart's values (its key, `global` copied in) against the subchart's schema, recursively.
helmkit checks the umbrella schema alone (tests/cli/test_schema_parity.py holds its verdict to
helm's). That covers a subchart exactly when the umbrella schema holds the subchart's schema
under `properties.<subchart>`, in the same draft and without references (a `$ref` would resolve
against another root). Then helm's check of every render repeats helmkit's, and lint, test
and the release gate may pass `--skip-schema-validation` (a fifth of a render's CPU).

Anything this module cannot prove covered (a packaged subchart, an alias or import-values,
requirements.yaml, a subchart .helmignore may drop, a parent schema with references, an
unreadable file, a subchart schema that differs) answers "not covered": helm keeps checking.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

from helmkit.core.values import yaml_source
from helmkit.core.values.coalesce import NOT_LOADED
from helmkit.errors import HelmkitError

SCHEMA_FILE = "values.schema.json"
# keywords that change no verdict: the subchart's copy in the umbrella may leave them out
_ANNOTATIONS = ("$schema", "title", "description", "$comment")
_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef", "$id", "$anchor", "$dynamicAnchor")


def uncovered(chart: Path) -> list[str]:
    """Why helm's values-schema check of this chart is not covered by helmkit's (empty: it is)."""
    try:
        root = _read_schema(chart)
        return _uncovered_below(chart, root, _dialect(root))
    except (OSError, ValueError, TypeError, AttributeError, HelmkitError) as exc:
        return [f"{chart}: cannot be read ({exc.__class__.__name__})"]


def _uncovered_below(
    chart: Path, schema: Any, dialect: str | None, meta: dict[str, Any] | None = None
) -> list[str]:
    """Each subchart of `chart` whose schema the chart's `schema` does not hold (`meta`: the
    chart's Chart.yaml when already read)."""
    subcharts = _subcharts(chart)
    if not subcharts:
        return []
    meta = _chart_meta(chart) if meta is None else meta
    problems: list[str] = []
    # helmkit's layering models neither (core.values.coalesce)
    if any(dep.get("alias") or dep.get("import-values") for dep in _dependencies(meta)):
        problems.append(f"{chart}: a dependency has an alias or import-values")
    if (chart / "requirements.yaml").is_file():
        problems.append(f"{chart}: dependencies in requirements.yaml")
    if _has_references(schema):
        # up to draft 7 a `$ref` hides its sibling keywords: the copy may never apply
        problems.append(f"{chart / SCHEMA_FILE}: holds references")
    ignore_patterns = _ignore_patterns(chart)
    for sub in subcharts:
        if not sub.is_dir():
            problems.append(f"{sub}: a packaged subchart")
            continue
        if _ignored(ignore_patterns, sub.name):
            problems.append(f"{sub}: .helmignore may leave it out")
            continue
        sub_meta = _chart_meta(sub)
        # the values key helm gives a subchart: its Chart.yaml name (aliases are refused above)
        name = str(sub_meta.get("name") or sub.name)
        copy = _property(schema, name)
        sub_schema = _read_schema(sub)
        if sub_schema is not None:
            problems += _difference(sub, name, sub_schema, copy, dialect)
        # below, the parent's copy is what helmkit checks (equal to the subchart's schema here)
        problems += _uncovered_below(sub, copy, dialect, sub_meta)
    return problems


def _subcharts(chart: Path) -> list[Path]:
    """What helm loads from charts/: every entry but those named `.*` or `_*`."""
    sub_root = chart / "charts"
    if not sub_root.is_dir():
        return []
    return [sub for sub in sorted(sub_root.iterdir()) if not sub.name.startswith(NOT_LOADED)]


def _ignore_patterns(chart: Path) -> list[str]:
    path = chart / ".helmignore"
    if not path.is_file():
        return []
    patterns = [line.strip().rstrip("/") for line in path.read_text("utf-8").splitlines()]
    return [pattern.lstrip("/") for pattern in patterns if pattern and not pattern.startswith("#")]


def _ignored(patterns: list[str], name: str) -> bool:
    """Whether a .helmignore pattern could drop the subchart directory (then helm never sees
    it, while helmkit's layering would)."""
    targets = ("charts", name, f"charts/{name}")
    return any(fnmatch.fnmatchcase(target, p) for p in patterns for target in targets)


def _difference(sub: Path, name: str, sub_schema: Any, copy: Any, dialect: str | None) -> list[str]:
    if copy is None:
        return [f"{sub / SCHEMA_FILE}: the parent schema has no properties.{name}"]
    if _dialect(sub_schema) != dialect:
        return [f"{sub / SCHEMA_FILE}: another JSON schema draft than the parent's"]
    if _has_references(sub_schema):
        return [f"{sub / SCHEMA_FILE}: holds references"]
    if _verdict_part(sub_schema) != _verdict_part(copy):
        return [f"{sub / SCHEMA_FILE}: differs from the parent's properties.{name}"]
    return []


def _read_schema(chart: Path) -> Any:
    path = chart / SCHEMA_FILE
    return json.loads(path.read_text("utf-8")) if path.is_file() else None


def _chart_meta(chart: Path) -> dict[str, Any]:
    """Chart.yaml as helm reads it (go-yaml v2 scalars); TypeError when it is not a mapping."""
    meta = yaml_source.load_yaml_file(str(chart / "Chart.yaml")).data or {}
    if not isinstance(meta, dict):
        raise TypeError("Chart.yaml is not a mapping")
    return meta


def _dependencies(meta: dict[str, Any]) -> list[dict[str, Any]]:
    return [dep for dep in meta.get("dependencies") or () if isinstance(dep, dict)]


def _dialect(schema: Any) -> str | None:
    return schema.get("$schema") if isinstance(schema, dict) else None


def _property(schema: Any, name: str) -> Any:
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return None
    return schema["properties"].get(name)


def _verdict_part(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    return {key: value for key, value in schema.items() if key not in _ANNOTATIONS}


def _has_references(node: Any) -> bool:
    if isinstance(node, dict):
        return any(key in _REFERENCES for key in node) or any(
            _has_references(value) for value in node.values()
        )
    if isinstance(node, list):
        return any(_has_references(item) for item in node)
    return False
