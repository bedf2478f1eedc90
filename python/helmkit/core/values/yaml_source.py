"""YAML documents that remember where each value came from, for messages like
`values/staging.yaml:12: backend.autoscaling.minReplicas: ...`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

from helmkit.core.values import go_yaml
from helmkit.errors import InputFileError

KeyPath = tuple[str | int, ...]
T = TypeVar("T")


# Limits of what a values file or helmkit.yaml may be. Real files are far below them (the
# chart's values.yaml: 5 levels, about 2,000 nodes); a file above them is an attack or a mistake,
# and refusing it at once beats hanging (an alias bomb expands a few hundred bytes into billions
# of nodes) or crashing (libyaml recurses once per level and overflows the C stack).
MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 100
MAX_EXPANDED_NODES = 1_000_000
# go-yaml's alias rule (Helm 4 and Helm 3 parse values with it): a document of more than 1,000
# nodes, more than 100 of them reached through aliases, is refused when nearly all of it comes
# through aliases (99% up to 400,000 nodes, falling to 10% at 4,000,000).
_ALIAS_MIN_COUNT, _ALIAS_MIN_NODES = 100, 1000
_ALIAS_RANGE = (400_000, 4_000_000)


def allowed_alias_ratio(nodes: int) -> float:
    low, high = _ALIAS_RANGE
    if nodes <= low:
        return 0.99
    if nodes >= high:
        return 0.10
    return 0.99 - 0.89 * (nodes - low) / (high - low)


@dataclass(frozen=True)
class DuplicateKey:
    """A mapping key given twice; the later one wins (as in Helm and PyYAML)."""

    key_path: KeyPath
    line: int
    first_line: int


@dataclass(frozen=True)
class SourcedYaml:
    """A parsed YAML document plus the line (1-based) of every key path in it."""

    path: str
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicates: tuple[DuplicateKey, ...] = ()

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
# ten times slower. One parse gives both the nodes (lines) and the data. Files Helm reads
# (values, Chart.yaml) resolve scalars as Helm's parser does (core/values/go_yaml.py); helmkit's own
# files (helmkit.yaml, ct.yaml) keep YAML 1.1 (`namespace: n` stays the text "n").
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_and_construct(text: str, helm: bool) -> tuple[yaml.Node | None, Any]:
    loader = (go_yaml.Loader if helm else _LOADER)(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def _syntax_error(path: str, exc: yaml.YAMLError) -> InputFileError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        return InputFileError(
            path, f"invalid YAML: {exc.problem}", line=line, hint="fix the YAML syntax at that line"
        )
    return InputFileError(path, f"invalid YAML: {exc}")


def parse_yaml(text: str, path: str, *, helm: bool = True) -> SourcedYaml:
    """Parse one YAML document within the limits; syntax errors name the file and line."""
    duplicates = check_structure(text, path)
    try:
        node, data = _compose_and_construct(text, helm)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from exc
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _index(node, (), lines)
    source = SourcedYaml(path=path, data=data, lines=lines, duplicates=tuple(duplicates))
    if not helm:
        return source
    return SourcedYaml(path, as_helm_reads(source), lines, source.duplicates)


def as_helm_reads(source: SourcedYaml) -> Any:
    """The data as Helm holds it (keys as text); what Helm's parser refuses is refused here,
    naming the file, line and key path."""
    try:
        return go_yaml.as_helm_reads(source.data)
    except go_yaml.HelmRefuses as exc:
        raise InputFileError(
            source.path,
            f"{format_key_path(exc.path)}: {exc.problem}",
            line=source.line_of(exc.path),
            hint="quote the value to keep it as text, or remove it",
        ) from None


def read_text(path: str) -> str:
    """A file's text, refused beyond MAX_BYTES (`-f /dev/zero` must not eat the memory)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(MAX_BYTES + 1)
    except FileNotFoundError as exc:
        raise InputFileError(path, "file not found", hint="check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot read the file: {exc}") from exc
    if len(text) > MAX_BYTES:
        raise InputFileError(
            path,
            f"larger than {MAX_BYTES // (1024 * 1024)} MiB: not a values or config file",
            hint="check the path",
        )
    return text


def load_yaml_file(path: str, *, helm: bool = True) -> SourcedYaml:
    """A file as Helm reads it (values, Chart.yaml); `helm=False` for helmkit's own files."""
    return parse_yaml(read_text(path), path, helm=helm)


# --- limits ---------------------------------------------------------------------------------


@dataclass
class _Open:
    """A collection being scanned: its key path, its expanded size so far, its anchor and
    (mappings) the keys seen with their lines and whether the next scalar is a key."""

    path: KeyPath
    anchor: str | None
    is_mapping: bool
    size: int = 1
    keys: dict[str, int] = field(default_factory=dict)
    expecting_key: bool = True
    next_index: int = 0
    pending_key: str | None = None


def _limit_error(path: str, line: int, problem: str) -> InputFileError:
    return InputFileError(
        path,
        problem,
        line=line,
        hint="values and config files hold plain data: remove the construct at that line",
    )


class _Scan:
    """One pass over libyaml's events (no recursion, constant work per event)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.stack: list[_Open] = []
        self.sizes: dict[str, int] = {}  # anchor -> expanded size of its node
        self.total = 0
        self.aliases = 0
        self.via_aliases = 0
        self.duplicates: list[DuplicateKey] = []

    def child_path(self) -> KeyPath:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.is_mapping:
            return (*top.path, top.pending_key if top.pending_key is not None else "?")
        return (*top.path, top.next_index)

    def count(self, size: int, line: int) -> None:
        """`size` more nodes in the expanded document."""
        self.total += size
        if self.total > MAX_EXPANDED_NODES:
            raise _limit_error(
                self.path,
                line,
                f"expands to more than {MAX_EXPANDED_NODES:,} nodes (YAML aliases): "
                "refused as an alias bomb",
            )

    def check_alias_ratio(self, line: int) -> None:
        if self.via_aliases <= _ALIAS_MIN_COUNT or self.total <= _ALIAS_MIN_NODES:
            return
        if self.via_aliases / self.total > allowed_alias_ratio(self.total):
            raise _limit_error(
                self.path,
                line,
                f"excessive aliasing ({self.aliases} aliases make {self.via_aliases:,} of "
                f"{self.total:,} nodes): refused as an alias bomb, as Helm does",
            )

    def add(self, size: int, anchor: str | None) -> None:
        """A finished node of `size` expanded nodes, child of the innermost open collection."""
        if anchor is not None:
            self.sizes[anchor] = size
        if self.stack:
            top = self.stack[-1]
            top.size += size
            if top.is_mapping:
                top.expecting_key = not top.expecting_key
                top.pending_key = None if top.expecting_key else top.pending_key
            else:
                top.next_index += 1

    def key(self, value: str, line: int) -> None:
        top = self.stack[-1]
        first = top.keys.get(value)
        if first is not None:
            self.duplicates.append(DuplicateKey((*top.path, value), line, first))
        else:
            top.keys[value] = line
        top.pending_key = value

    def event(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        if isinstance(event, yaml.ScalarEvent):
            top = self.stack[-1] if self.stack else None
            if top is not None and top.is_mapping and top.expecting_key:
                self.key(str(event.value), line)
            self.count(1, line)
            self.add(1, event.anchor)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.sizes:
                # still open: the alias points into itself, an endless structure
                raise _limit_error(self.path, line, f"alias *{event.anchor} refers to itself")
            top = self.stack[-1] if self.stack else None
            if top is not None and top.is_mapping and top.expecting_key:
                top.pending_key = f"*{event.anchor}"
            self.aliases += 1
            self.via_aliases += self.sizes[event.anchor]
            self.count(self.sizes[event.anchor], line)
            self.check_alias_ratio(line)
            self.add(self.sizes[event.anchor], None)
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                raise _limit_error(self.path, line, f"nested more than {MAX_DEPTH} levels deep")
            self.count(1, line)
            is_mapping = isinstance(event, yaml.MappingStartEvent)
            self.stack.append(_Open(self.child_path(), event.anchor, is_mapping))
        elif isinstance(event, yaml.CollectionEndEvent):
            done = self.stack.pop()
            self.add(done.size, done.anchor)


def check_structure(text: str, path: str) -> list[DuplicateKey]:
    """Refuse a document nested deeper than MAX_DEPTH or expanding (through aliases) to more
    than MAX_EXPANDED_NODES nodes, before anything builds or walks it; return its duplicate
    mapping keys. Syntax errors are left to the parse that follows (same message)."""
    scan = _Scan(path)
    loader = _LOADER(text)
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            scan.event(event)
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from exc
    finally:
        loader.dispose()
    return scan.duplicates
