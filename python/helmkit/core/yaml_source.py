"""YAML documents that remember where each value came from, for messages like
`values/staging.yaml:12: backend.autoscaling.minReplicas: ...`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

from helmkit.errors import InputFileError

KeyPath = tuple[str | int, ...]
T = TypeVar("T")


@dataclass(frozen=True)
class SourcedYaml:
    """A parsed YAML document plus the line (1-based) of every key path in it."""

    path: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: Sequence[str | int]) -> int | None:
        """The line of the deepest known prefix of key_path (the value itself when present)."""
        found = deepest_prefix(self.lines, key_path)
        return found if found is not None else self.lines.get(())


def deepest_prefix(by_path: Mapping[KeyPath, T], key_path: Sequence[str | int]) -> T | None:
    """The entry of the longest non-empty prefix of key_path (key_path itself first)."""
    probe = tuple(key_path)
    while probe:
        if probe in by_path:
            return by_path[probe]
        probe = probe[:-1]
    return None


def format_key_path(key_path: Sequence[str | int]) -> str:
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _index(node: yaml.Node, prefix: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[(*prefix, key)] = key_node.start_mark.line + 1
            _index(value_node, (*prefix, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            lines[(*prefix, position)] = item.start_mark.line + 1
            _index(item, (*prefix, position), lines)


# libyaml when present: values files are parsed on every lint run, the pure-Python parser is
# ten times slower. One parse gives both the nodes (lines) and the data.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def parse_yaml(text: str, path: str) -> SourcedYaml:
    """Parse one YAML document; syntax errors name the file and line."""
    try:
        node, data = _compose_and_construct(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InputFileError(
            path, f"invalid YAML: {exc.problem}", line=line, hint="fix the YAML syntax at that line"
        ) from exc
    except yaml.YAMLError as exc:
        raise InputFileError(path, f"invalid YAML: {exc}") from exc
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _index(node, (), lines)
    return SourcedYaml(path=path, data=data, lines=lines)


def load_yaml_file(path: str) -> SourcedYaml:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError as exc:
        raise InputFileError(path, "file not found", hint="check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot read the file: {exc}") from exc
    return parse_yaml(text, path)
