"""The values helm renders with, and which file and line gave each key its final value.

As helm does: the `-f` files merged left to right (strvals.merge_maps), the `--set*` flags
applied on top (core.values.strvals), then coalesced with the chart's and its subcharts' defaults
(core.values.coalesce); tests/cli/test_helm_parity.py compares the result with the real helm. The
origins let a schema error point at the file and line a person has to edit, which `helm lint`
cannot do; a message never shows a value under a secret key (core.values.secret_keys).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from helmkit.core.values import coalesce, json_schema, secret_keys, strvals
from helmkit.core.values.coalesce import ChartNode
from helmkit.core.values.yaml_source import KeyPath, SourcedYaml, deepest_prefix, format_key_path
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
    chart: ChartNode,
    user_layers: Sequence[SourcedYaml],
    set_values: Sequence[str] = (),
    *,
    default_layers: Sequence[SourcedYaml] = (),
    origins: bool = True,
    read_file: Callable[[str], str] | None = None,
    helm_major: int = 4,
) -> LayeredValues:
    """`.Values` as helm computes them (core.values.coalesce), and where each key was set.

    `default_layers` are the chart's own values files, read with line numbers (only messages
    need them); `origins=False` skips that bookkeeping. `helm_major`: the two majors differ
    in one detail (see core.values.coalesce).
    """
    user: dict[str, Any] = {}
    for source in user_layers:
        data = source.data or {}
        if not isinstance(data, dict):
            from helmkit.errors import InputFileError

            raise InputFileError(source.path, "a values file must be a YAML mapping", line=1)
        user = strvals.merge_maps(user, data)
    for item in set_values:
        apply_set(user, item, read_file, helm_major)
    try:
        merged = coalesce.coalesce_chart(chart, user, helm_major=helm_major)
    except ValueError as exc:
        raise UsageError(f"values do not fit the chart: {exc}") from None
    result = LayeredValues(data=merged)
    if origins:
        _track_origins(result.origins, [*default_layers, *user_layers], set_values, read_file)
    return result


def _track_origins(
    origins: dict[KeyPath, Origin],
    layers: Sequence[SourcedYaml],
    set_values: Sequence[str],
    read_file: Callable[[str], str] | None,
) -> None:
    """Which layer last set each key (helm's merge, simplified: only messages use it)."""
    scratch: dict[str, Any] = {}
    for source in layers:

        def origin_of(path: KeyPath, src: SourcedYaml = source) -> Origin:
            return Origin(src.path, src.line_of(path))

        data = source.data if isinstance(source.data, dict) else {}
        _merge(scratch, data, (), origin_of, origins)
    for item in set_values:
        flag, _ = strvals.decode(item)

        def set_origin(path: KeyPath, flag: str = flag) -> Origin:
            return Origin(f"{flag} {'.'.join(str(p) for p in path)}", None)

        _merge(scratch, apply_set({}, item, read_file), (), set_origin, origins)


def _read_set_file(path: str) -> str:
    """--set-file: the file's text, as helm reads it."""
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", errors="replace")
    except OSError as exc:
        raise strvals.SetValueError(f"open {path}: {exc.strerror or exc}") from None


def apply_set(
    dest: dict[str, Any],
    item: str,
    read_file: Callable[[str], str] | None = None,
    helm_major: int = 4,
) -> dict[str, Any]:
    """One encoded `--set*` item (see core.values.strvals.encode) applied to dest, as helm does."""
    flag, text = strvals.decode(item)
    reader = read_file or _read_set_file
    try:
        return strvals.parse_into(text, dest, kind=flag, read_file=reader, helm_major=helm_major)
    except strvals.SetValueError as exc:
        if flag == strvals.FILE:  # the value is a path: worth showing
            raise UsageError(f"{flag} {text}: {exc}", hint="check the path") from None
        raise UsageError(
            f"{flag} {strvals.key_of(text)}=...: {_without_value(str(exc), text)}",
            hint="helm refuses it too: escape special characters (\\, \\. \\=) or put the "
            "value in a values file and pass it with --values",
        ) from None


def parse_set(item: str) -> dict[str, Any]:
    """One encoded `--set*` item on its own (a plain string is a `--set` assignment)."""
    return apply_set({}, item)


def check_set_values(set_values: Sequence[str]) -> None:
    """Refuse an assignment helm would refuse (UsageError) before anything runs; conflicts
    with the values files show when the values are layered."""
    for item in set_values:
        parse_set(item)


def _without_value(message: str, text: str) -> str:
    """helm's message without the assigned value (it may be a secret)."""
    _, sep, value = text.partition("=")
    return message.replace(value, "...") if sep and len(value) > 2 else message


def _shown(message: str, path: Sequence[str | int], value: Any) -> str:
    """The validator quotes the offending value: never one under a secret key."""
    return secret_keys.hide(message, value) if secret_keys.is_secret_path(path) else message


@dataclass(frozen=True)
class ValuesIssue:
    key_path: str
    message: str
    file: str
    line: int | None


def schema_issues(
    values: LayeredValues, schema: dict[str, Any], gate: json_schema.Check | None = None
) -> list[ValuesIssue]:
    """Every schema violation with the file and line that set the offending value.

    `gate` (from `json_schema.gate(schema)`) answers the common case, valid values, before
    the violations are listed.
    """
    if gate is not None and gate(values.data):
        return []
    issues: list[ValuesIssue] = []
    for violation in json_schema.violations(json_schema.validator(schema), values.data):
        path: list[str | int] = list(violation.path)
        if violation.keyword == "additionalProperties" and violation.detail:
            path = [*path, str(violation.detail[0])]
        origin = values.origin_of(path)
        issues.append(
            ValuesIssue(
                key_path=format_key_path(path),
                message=_shown(violation.message, path, violation.instance),
                file=origin.file if origin else "",
                line=origin.line if origin else None,
            )
        )
    return issues
