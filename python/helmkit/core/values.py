"""Values layering with provenance: which file and line gave each key its final value.

Helm merges values files left to right (maps deep-merge, everything else is replaced, `null`
deletes a key), then applies `--set`. The same merge here lets a schema error point at the
file and line a person has to edit, which `helm lint` cannot do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from helmkit.core import schema_gate
from helmkit.core.yaml_source import KeyPath, SourcedYaml, deepest_prefix, format_key_path
from helmkit.errors import UsageError


@dataclass(frozen=True)
class Origin:
    file: str
    line: int | None


@dataclass
class LayeredValues:
    data: dict[str, Any] = field(default_factory=dict)
    origins: dict[KeyPath, Origin] = field(default_factory=dict)

    def origin_of(self, key_path: Sequence[str | int]) -> Origin | None:
        """The layer that set key_path, or the deepest set prefix of it."""
        return deepest_prefix(self.origins, key_path)


def _record(value: Any, prefix: KeyPath, origin_of: Any, origins: dict[KeyPath, Origin]) -> None:
    origins[prefix] = origin_of(prefix)
    if isinstance(value, dict):
        for key, item in value.items():
            _record(item, (*prefix, str(key)), origin_of, origins)


def _copy(value: Any) -> Any:
    """A deep copy of parsed YAML (mappings, lists, immutable scalars), without deepcopy's
    bookkeeping: layering copies whole values files for every scenario."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _merge(
    base: dict[str, Any],
    top: dict[str, Any],
    prefix: KeyPath,
    origin_of: Any,
    origins: dict[KeyPath, Origin] | None,
) -> None:
    for key, value in top.items():
        path = (*prefix, str(key))
        if value is None:
            base.pop(key, None)
            if origins is not None:
                origins[path] = origin_of(path)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, path, origin_of, origins)
        else:
            base[key] = _copy(value)
            if origins is not None:
                _record(value, path, origin_of, origins)


def layer(
    layers: Sequence[SourcedYaml], set_values: Sequence[str] = (), *, origins: bool = True
) -> LayeredValues:
    """Merged values; `origins=False` skips the file:line bookkeeping (only messages need it)."""
    result = LayeredValues()
    tracked = result.origins if origins else None
    for source in layers:
        data = source.data or {}
        if not isinstance(data, dict):
            from helmkit.errors import InputFileError

            raise InputFileError(source.path, "a values file must be a YAML mapping", line=1)

        def origin_of(path: KeyPath, src: SourcedYaml = source) -> Origin:
            return Origin(src.path, src.line_of(path))

        _merge(result.data, data, (), origin_of, tracked)
    for assignment in set_values:
        parsed = parse_set(assignment)

        def set_origin(path: KeyPath) -> Origin:
            return Origin(f"--set {'.'.join(str(p) for p in path)}", None)

        _merge(result.data, parsed, (), set_origin, tracked)
    return result


_SEGMENT = re.compile(r"^([^\[\]]+)$")


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts = re.split(rf"(?<!\\){re.escape(sep)}", text)
    return [p.replace(f"\\{sep}", sep) for p in parts]


def parse_set(assignment: str) -> dict[str, Any]:
    """`a.b=1,c=true` -> {"a": {"b": 1}, "c": True}; the common subset of helm's --set syntax."""
    result: dict[str, Any] = {}
    for pair in _split_unescaped(assignment, ","):
        key, sep, raw = pair.partition("=")
        segments = _split_unescaped(key, ".")
        if not sep or not all(_SEGMENT.match(s) for s in segments):
            raise UsageError(
                f"--set {key!r}: expected KEY=VALUE with a dotted key (list indexes unsupported)",
                hint="put complex overrides in a values file and pass it with --values",
            )
        node = result
        for segment in segments[:-1]:
            node = node.setdefault(segment, {})
        node[segments[-1]] = _scalar(raw)
    return result


def _scalar(raw: str) -> Any:
    if raw == "":
        return ""
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw
    return value if isinstance(value, int | float | bool) or value is None else raw


@dataclass(frozen=True)
class ValuesIssue:
    key_path: str
    message: str
    file: str
    line: int | None


def schema_issues(
    values: LayeredValues, schema: dict[str, Any], gate: schema_gate.Check | None = None
) -> list[ValuesIssue]:
    """Every schema violation with the file and line that set the offending value.

    `gate` (from `schema_gate.compile_gate(schema)`) answers the common case, valid values,
    without jsonschema; jsonschema runs only to describe the violations it found.
    """
    if gate is not None and gate(values.data):
        return []
    import jsonschema  # kept out of module import: CLI start-up time

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    issues: list[ValuesIssue] = []
    for error in sorted(cls(schema).iter_errors(values.data), key=lambda e: list(e.path)):
        path = [str(p) if not isinstance(p, int) else p for p in error.absolute_path]
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            schema_node = error.schema if isinstance(error.schema, dict) else {}
            allowed = set(schema_node.get("properties", {}))
            extra = [k for k in error.instance if k not in allowed]
            path = [*path, extra[0]] if extra else path
        origin = values.origin_of(path)
        issues.append(
            ValuesIssue(
                key_path=format_key_path(path),
                message=error.message,
                file=origin.file if origin else "",
                line=origin.line if origin else None,
            )
        )
    return issues
