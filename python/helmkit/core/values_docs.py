"""Generate the charts' values.schema.json files and the README values table from one source.

Sources (read by the caller, passed in as text/data, so this module does no I/O):
- `schemas/values/<chart>.schema.yaml`: JSON Schema (draft-07) of the umbrella (`ai-native`) and of
  each subchart. `{"$ref": "_defs.schema.yaml#/$defs/NAME"}` and local `#/$defs/NAME` refs are
  inlined (sibling keys such as `description` override the definition's), so every generated
  schema is self-contained.
- every chart's `values.yaml`: `# -- description` comments (helm-docs style, continued by plain
  `#` lines) document the key below them; the default is the key's value.

Outputs:
- each subchart's `values.schema.json`: the umbrella source's properties for that subchart (keys
  the umbrella needs even when the subchart is disabled) deep-merged with the subchart source,
  plus an open `global` and a boolean `enabled`; helm validates a subchart's values against it.
- the umbrella's `values.schema.json`: the umbrella source with each subchart schema under its key.
- the values table between `<!-- values:start -->` and `<!-- values:end -->` in the README.

`additionalProperties: false` is added to every object schema with `properties` that does not
set it, so unknown keys are refused everywhere except where a source opts out (`global`, maps).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from helmkit.errors import UsageError

# libyaml when present: the docs check parses every values.yaml on each `helmkit lint`
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

UMBRELLA = "ai-native"
DEFS_FILE = "_defs.schema.yaml"
SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
TABLE_START = "<!-- values:start -->"
TABLE_END = "<!-- values:end -->"
FIX_HINT = "run `helmkit docs` (or `make docs`) and commit the result"

Schema = dict[str, Any]
KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class ChartSource:
    """One chart's inputs: its values.yaml text and its schema source (None when absent)."""

    name: str
    values_file: str
    values_text: str
    schema_file: str
    schema: Schema | None


@dataclass(frozen=True)
class DocsInputs:
    """Everything the generator needs; paths are repo-relative and only used in messages/outputs."""

    umbrella: ChartSource
    subcharts: tuple[ChartSource, ...]
    defs: Schema = field(default_factory=dict)
    chart_dir: str = "charts/ai-native"
    readme_text: str = ""
    # Library subcharts have no values, but helm still copies `global` under their key.
    libraries: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocRow:
    """One documented values key."""

    key: str
    type: str
    default: str
    description: str


# ---------------------------------------------------------------------------------- schemas


def resolve_refs(node: Any, defs: Mapping[str, Any], local_defs: Mapping[str, Any]) -> Any:
    """Inline every `$ref` to `_defs.schema.yaml#/$defs/X` or `#/$defs/X`; drop `$defs`."""
    if isinstance(node, list):
        return [resolve_refs(item, defs, local_defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target, scope = _ref_target(str(node["$ref"]), defs, local_defs)
        siblings = {k: resolve_refs(v, defs, local_defs) for k, v in node.items() if k != "$ref"}
        # A definition's own `#/$defs/X` refs point into the file that defines it.
        return {**resolve_refs(target, defs, scope), **siblings}
    return {
        key: resolve_refs(value, defs, local_defs)
        for key, value in node.items()
        if key != "$defs"
    }


def _ref_target(
    ref: str, defs: Mapping[str, Any], local_defs: Mapping[str, Any]
) -> tuple[Any, Mapping[str, Any]]:
    match = re.fullmatch(r"(?P<file>[^#]*)#/\$defs/(?P<name>[A-Za-z0-9_.-]+)", ref)
    if match is None:
        raise UsageError(
            f"schema $ref {ref!r} is not supported",
            hint=f"use '{DEFS_FILE}#/$defs/NAME' or '#/$defs/NAME'",
        )
    table = defs if match["file"] == DEFS_FILE else local_defs
    if match["file"] not in ("", DEFS_FILE) or match["name"] not in table:
        raise UsageError(
            f"schema $ref {ref!r} points at nothing",
            hint=f"define $defs.{match['name']} in schemas/values/{match['file'] or 'this file'}",
        )
    return copy.deepcopy(table[match["name"]]), table


def deep_merge(base: Any, overlay: Any) -> Any:
    """Merge two schemas: objects key by key (overlay wins on scalars), lists replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(overlay)


def strict(node: Any) -> Any:
    """Add `additionalProperties: false` to every object schema with properties lacking it."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    # `properties` maps value names to schemas: its keys are names, never keywords
    out = {
        key: {k: strict(v) for k, v in value.items()}
        if key == "properties" and isinstance(value, dict)
        else strict(value)
        for key, value in node.items()
    }
    if "properties" in out:
        out.setdefault("additionalProperties", False)
    return out


def _source_schema(source: ChartSource, defs: Mapping[str, Any]) -> Schema:
    raw = source.schema or {"type": "object", "properties": {}}
    resolved = resolve_refs(raw, defs, raw.get("$defs", {}))
    if not isinstance(resolved, dict) or resolved.get("type") != "object":
        raise UsageError(
            f"{source.schema_file}: the top level must be `type: object`",
            hint="describe the chart's values as an object with `properties`",
        )
    resolved.pop("$schema", None)
    return resolved


def subchart_schema(inputs: DocsInputs, sub: ChartSource) -> Schema:
    """The subchart's full schema (without `$schema`), as used alone and inside the umbrella."""
    umbrella_part = _source_schema(inputs.umbrella, inputs.defs).get("properties", {}).get(sub.name)
    merged = deep_merge(umbrella_part or {}, _source_schema(sub, inputs.defs))
    props = merged.setdefault("properties", {})
    props.setdefault(
        "global",
        {"type": "object", "description": "Values shared with every chart (open).",
         "additionalProperties": True},
    )
    props.setdefault(
        "enabled", {"type": "boolean", "description": f"Deploy the {sub.name} component."}
    )
    merged.setdefault("type", "object")
    return dict(strict(merged))


def umbrella_schema(inputs: DocsInputs) -> Schema:
    """The umbrella schema: its source plus every subchart schema under the subchart's key."""
    schema = _source_schema(inputs.umbrella, inputs.defs)
    props = schema.setdefault("properties", {})
    for sub in inputs.subcharts:
        props[sub.name] = subchart_schema(inputs, sub)
    for library in inputs.libraries:
        props[library] = {
            "type": "object",
            "description": f"Library chart {library}: no values of its own (helm adds `global`).",
            "properties": {"global": {"type": "object", "additionalProperties": True}},
        }
    return dict(strict(schema))


def _with_dialect(schema: Schema, title: str) -> Schema:
    return {"$schema": SCHEMA_DIALECT, "title": title, **schema}


def render_json(schema: Schema) -> str:
    """Stable text for a generated schema file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------- comments

_KEY_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z0-9_.\-]+|\"[^\"]+\"|'[^']+'):(\s|$)")


def documented_keys(values_text: str) -> dict[KeyPath, str]:
    """Key path -> description for every key preceded by a `# --` comment (helm-docs style).

    A `# --` line starts a description, following `#` lines continue it, and the next key line
    receives it. A blank line drops an unattached description. Keys inside list items are not
    tracked (document the list key itself).
    """
    found: dict[KeyPath, str] = {}
    stack: list[tuple[int, str]] = []
    pending: list[str] | None = None
    for line in values_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# --"):
            pending = [stripped[4:].strip()]
        elif stripped.startswith("#"):
            if pending is not None:
                pending.append(stripped[1:].strip())
        elif not stripped or stripped.startswith("-"):
            pending = None
        else:
            match = _KEY_LINE.match(line)
            if match is None:
                continue
            indent = len(match["indent"])
            while stack and stack[-1][0] >= indent:
                stack.pop()
            key = match["key"].strip("\"'")
            path = (*[k for _, k in stack], key)
            if pending is not None:
                found[path] = " ".join(part for part in pending if part)
                pending = None
            stack.append((indent, key))
    return found


def leaf_paths(data: Any, prefix: KeyPath = ()) -> Iterator[KeyPath]:
    """Every key path whose value is not a non-empty mapping."""
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from leaf_paths(value, (*prefix, str(key)))
    elif prefix:
        yield prefix


def _lookup(data: Any, path: KeyPath) -> Any:
    for key in path:
        data = data[key]
    return data


def _schema_at(schema: Schema, path: KeyPath) -> Schema | None:
    node: Schema | None = schema
    for key in path:
        if node is None:
            return None
        node = node.get("properties", {}).get(key)
    return node


def _type_of(node: Schema | None) -> str:
    if node is None:
        return "?"
    kind = node.get("type", "any")
    text = " \\| ".join(kind) if isinstance(kind, list) else str(kind)
    if "enum" in node:
        text += " (" + ", ".join(json.dumps(v) for v in node["enum"]).replace("|", "\\|") + ")"
    return text


def _load_values(source: ChartSource) -> dict[str, Any]:
    try:
        data = yaml.load(source.values_text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise UsageError(f"{source.values_file}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{source.values_file}: the top level must be a mapping")
    return data


def chart_rows(source: ChartSource, schema: Schema, prefix: KeyPath) -> list[DocRow]:
    """Rows for one chart's values.yaml; raise when a key is left undocumented."""
    data = _load_values(source)
    docs = documented_keys(source.values_text)
    undocumented = [
        ".".join(leaf)
        for leaf in leaf_paths(data)
        if not any(leaf[: len(doc)] == doc for doc in docs)
    ]
    if undocumented:
        raise UsageError(
            f"{source.values_file}: undocumented values keys: {', '.join(undocumented)}",
            hint="add a `# -- description` comment above each key (or above its parent)",
        )
    rows = []
    for path, description in docs.items():
        try:
            default = _lookup(data, path)
        except (KeyError, TypeError) as exc:
            raise UsageError(
                f"{source.values_file}: `# --` comment on {'.'.join(path)} that is not a key",
                hint="put the comment directly above the key it describes",
            ) from exc
        full = (*prefix, *path)
        rows.append(
            DocRow(
                key=".".join(full),
                type=_type_of(_schema_at(schema, full)),
                default=json.dumps(default, ensure_ascii=False),
                description=description,
            )
        )
    return rows


def all_rows(inputs: DocsInputs, schema: Schema) -> list[DocRow]:
    """Rows of the umbrella then each subchart; a key documented twice is an error."""
    rows = chart_rows(inputs.umbrella, schema, ())
    for sub in inputs.subcharts:
        rows.extend(chart_rows(sub, schema, (sub.name,)))
    seen: dict[str, int] = {}
    for row in rows:
        seen[row.key] = seen.get(row.key, 0) + 1
    twice = sorted(key for key, count in seen.items() if count > 1)
    if twice:
        raise UsageError(
            f"values keys documented more than once: {', '.join(twice)}",
            hint="keep each key (and its default) in exactly one values.yaml",
        )
    return rows


def render_table(rows: list[DocRow]) -> str:
    """The Markdown values table."""
    lines = ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for row in rows:
        default = row.default.replace("|", "\\|")
        description = row.description.replace("|", "\\|")
        lines.append(f"| `{row.key}` | {row.type} | `{default}` | {description} |")
    return "\n".join(lines) + "\n"


def splice_table(readme_text: str, table: str, readme_file: str) -> str:
    """Replace what is between the README markers by the table."""
    start, end = readme_text.find(TABLE_START), readme_text.find(TABLE_END)
    if start < 0 or end < start:
        raise UsageError(
            f"{readme_file}: markers {TABLE_START} / {TABLE_END} not found",
            hint="add both markers (on their own lines) where the values table goes",
        )
    head = readme_text[: start + len(TABLE_START)]
    return f"{head}\n\n{table}\n{readme_text[end:]}"


# ---------------------------------------------------------------------------------- outputs


def generate(inputs: DocsInputs) -> dict[str, str]:
    """Repo-relative path -> expected content of every generated file."""
    schema = umbrella_schema(inputs)
    out = {
        f"{inputs.chart_dir}/values.schema.json": render_json(
            _with_dialect(schema, "Values of the ai-native umbrella chart")
        ),
    }
    for sub in inputs.subcharts:
        out[f"{inputs.chart_dir}/charts/{sub.name}/values.schema.json"] = render_json(
            _with_dialect(subchart_schema(inputs, sub), f"Values of the {sub.name} subchart")
        )
    readme_file = f"{inputs.chart_dir}/README.md"
    table = render_table(all_rows(inputs, schema))
    out[readme_file] = splice_table(inputs.readme_text, table, readme_file)
    return out


def stale_files(expected: Mapping[str, str], actual: Mapping[str, str | None]) -> list[str]:
    """Paths whose current content (None = missing) differs from the generated one."""
    return sorted(path for path, text in expected.items() if actual.get(path) != text)
