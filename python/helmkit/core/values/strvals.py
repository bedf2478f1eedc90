"""Helm's `--set` family, parsed as Helm parses it (a port of helm.sh/helm/v4/pkg/strvals,
identical in Helm 3.22): tests/cli/test_helm_parity.py runs the real helm4 and helm3 on a
corpus and compares.

    parse_into("a.b=1,c={x,y},d[0].e=\\,", dest)     # --set: int64, true/false, null typed
    parse_into("a=1.10", dest, kind=STRING)           # --set-string: every value a string
    parse_into("a={\"k\": [1]}", dest, kind=JSON)     # --set-json: JSON values
    parse_into("a=path/to/file", dest, kind=FILE, read_file=...)  # --set-file: file contents
    parse_into("a=x,y=z", dest, kind=LITERAL)         # --set-literal: the rest of the text

Only integers that fit int64 (no leading zero), `true`, `false` and `null` (any case) are
typed; `1.10`, `0777`, `yes`, `12:30`, `1e3` stay strings. Errors are SetValueError with
Helm's own wording.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from helmkit.core.model import content_hash

SET = "--set"
STRING = "--set-string"
JSON = "--set-json"
FILE = "--set-file"
LITERAL = "--set-literal"
# helm applies the kinds in this order, whatever the order on the command line
KINDS = (JSON, SET, STRING, FILE, LITERAL)

MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30
_INT64 = re.compile(r"[+-]?[0-9]+")
_INT64_RANGE = (-(2**63), 2**63 - 1)


class SetValueError(ValueError):
    """An assignment helm refuses (the message is helm's)."""


class _EOF(Exception):
    """The end of the assignment (io.EOF in helm: ends the parse without an error)."""


class _NotList(Exception):
    pass


def typed_value(text: str) -> Any:
    """strvals.typedVal: int64, bool or null, else the text itself."""
    folded = text.lower()
    if folded == "true":
        return True
    if folded == "false":
        return False
    if folded == "null":
        return None
    if text == "0":
        return 0
    if text and text[0] != "0" and _INT64.fullmatch(text):
        number = int(text)
        if _INT64_RANGE[0] <= number <= _INT64_RANGE[1]:
            return number
    return text


_GO_TYPES = (
    (bool, "bool"),
    (int, "int64"),
    (float, "float64"),
    (str, "string"),
    (list, "[]interface {}"),
)


def _go_type(value: Any) -> str:
    """How Go's panic message names a value's type (`interface {} is string, not ...`)."""
    if value is None:
        return "nil"
    return next(
        (name for kind, name in _GO_TYPES if isinstance(value, kind)), "map[string]interface {}"
    )


def _as_map(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Conversion(_go_type(value), "map[string]interface {}")
    return value


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Conversion(_go_type(value), "[]interface {}")
    return value


class _Conversion(Exception):
    """A Go type assertion that panics (helm recovers it as `unable to parse key: ...`)."""

    def __init__(self, have: str, want: str) -> None:
        super().__init__(f"interface conversion: interface {{}} is {have}, not {want}")


def _json_value(text: str, at: int) -> tuple[Any, int]:
    """One JSON value at `at` (Go's json.Decoder: trailing text stays for the parser)."""

    def no_constant(name: str) -> Any:
        raise SetValueError(f"invalid character {name[0]!r} looking for beginning of value")

    def number(raw: str) -> Any:
        value = int(raw)
        return value if abs(value) <= 2**53 else float(value)  # Go decodes into float64

    decoder = json.JSONDecoder(parse_constant=no_constant, parse_int=number)
    try:
        return decoder.raw_decode(text, at)
    except json.JSONDecodeError as exc:
        raise SetValueError(exc.msg) from None


class _Parser:
    def __init__(self, text: str, kind: str, read_file: Callable[[str], str] | None = None) -> None:
        self.text = text
        self.pos = 0
        self.kind = kind
        self.read_file = read_file

    # -- the rune reader -------------------------------------------------------------------
    def read(self) -> str:
        if self.pos >= len(self.text):
            raise _EOF
        char = self.text[self.pos]
        self.pos += 1
        return char

    def until_or_eof(self, stop: str) -> tuple[str, str, bool]:
        out: list[str] = []
        escapes = self.kind != LITERAL
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char in stop:
                return "".join(out), char, False
            if escapes and char == "\\":
                if self.pos >= len(self.text):
                    return "".join(out), "", True
                char = self.text[self.pos]
                self.pos += 1
            out.append(char)
        return "".join(out), "", True

    # -- values ----------------------------------------------------------------------------
    def convert(self, raw: str) -> Any:
        if self.kind == FILE:
            assert self.read_file is not None
            return self.read_file(raw)
        if self.kind in (STRING, LITERAL):
            return raw
        return typed_value(raw)

    def empty_value(self) -> bool:
        """emptyVal: skips blanks; True at the end or a comma (consumed)."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == ",":
                return True
            if not char.isspace():
                self.pos -= 1
                return False
        return True

    def json_value(self) -> Any:
        if self.empty_value():
            return None
        value, end = _json_value(self.text, self.pos)
        self.pos = end
        self.empty_value()
        return value

    def value_list(self) -> list[Any]:
        """valList: `{a,b}`; _NotList when the value does not start with `{`."""
        if self.pos >= len(self.text):
            raise _EOF
        if self.text[self.pos] != "{":
            raise _NotList
        self.pos += 1
        items: list[Any] = []
        while True:
            raw, last, ended = self.until_or_eof(",}")
            if ended:
                raise SetValueError("list must terminate with '}'")
            items.append(self.convert(raw))
            if last == "}":
                if self.pos < len(self.text) and self.text[self.pos] == ",":
                    self.pos += 1
                return items

    def plain_value(self) -> Any:
        """The value up to the next comma (or the rest, for --set-literal)."""
        raw, _, _ = self.until_or_eof("" if self.kind == LITERAL else ",")
        return self.convert(raw)

    # -- keys ------------------------------------------------------------------------------
    def parse(self, data: dict[str, Any]) -> None:
        while True:
            try:
                self.key(data, 0)
            except _EOF:
                return

    def key(self, data: dict[str, Any], level: int) -> None:
        try:
            self._key(data, level)
        except _Conversion as exc:
            raise SetValueError(f"unable to parse key: {exc}") from None

    def _key(self, data: dict[str, Any], level: int) -> None:
        stop = "=[." if self.kind == LITERAL else "=[,."
        key, last, ended = self.until_or_eof(stop)
        if ended:
            if not key:
                raise _EOF
            raise SetValueError(f'key "{key}" has no value')
        if last == "[":
            index = self.key_index()
            items = _as_list(data[key]) if key in data else []
            try:
                items = self.list_item(items, index, level)
            finally:
                _set(data, key, items)
        elif last == "=":
            self.assign(data, key)
        elif last == ",":
            _set(data, key, "")
            raise SetValueError(f'key "{key}" has no value (cannot end with ,)')
        else:
            level += 1
            if level > MAX_NESTED_NAME_LEVEL:
                raise SetValueError(
                    "value name nested level is greater than maximum supported nested level "
                    f"of {MAX_NESTED_NAME_LEVEL}"
                )
            inner = _as_map(data[key]) if key in data else {}
            try:
                self.key(inner, level)
            except _EOF:
                if inner:
                    _set(data, key, inner)
                raise
            if not inner:
                raise SetValueError(f'key map "{key}" has no value')
            _set(data, key, inner)

    def assign(self, data: dict[str, Any], key: str) -> None:
        if self.kind == JSON:
            _set(data, key, self.json_value())
            return
        if self.kind == LITERAL:
            _set(data, key, self.plain_value())
            return
        try:
            _set(data, key, self.value_list())
        except _EOF:
            _set(data, key, "")
            raise
        except _NotList:
            # helm returns the value reader's error here, not the end of the text: the next
            # key() call meets the end
            _set(data, key, self.plain_value())

    def key_index(self) -> int:
        raw, _, ended = self.until_or_eof("]")
        if ended:
            raise SetValueError("error parsing index: EOF")
        if not re.fullmatch(r"[+-]?[0-9]+", raw):
            raise SetValueError(
                f'error parsing index: strconv.Atoi: parsing "{raw}": invalid syntax'
            )
        return int(raw)

    def list_item(self, items: list[Any], index: int, level: int) -> list[Any]:
        if index < 0:
            raise SetValueError(f"negative {index} index not allowed")
        key, last, ended = self.until_or_eof("[.=")
        if key:
            raise SetValueError(f'unexpected data at end of array index: "{key}"')
        if ended:
            raise _EOF
        if last == "=":
            return _set_index(items, index, self.item_value())
        if last == "[":
            next_index = self.key_index()
            inner: list[Any] = []
            if len(items) > index and items[index] is not None:
                inner = _as_list(items[index])
            return _set_index(items, index, self.list_item(inner, next_index, level))
        table: dict[str, Any] = {}
        if len(items) > index:
            if not isinstance(items[index], dict):
                items[index] = {}
            table = items[index]
        self.key(table, level)
        return _set_index(items, index, table)

    def item_value(self) -> Any:
        if self.kind == JSON:
            return self.json_value()
        if self.kind == LITERAL:
            return self.plain_value()
        try:
            return self.value_list()
        except _EOF:
            return ""
        except _NotList:
            return self.plain_value()


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    if key:
        data[key] = value


def _set_index(items: list[Any], index: int, value: Any) -> list[Any]:
    if index < 0:
        raise SetValueError(f"negative {index} index not allowed")
    if index > MAX_INDEX:
        raise SetValueError(
            f"index of {index} is greater than maximum supported index of {MAX_INDEX}"
        )
    if len(items) <= index:
        items.extend([None] * (index + 1 - len(items)))
    items[index] = value
    return items


def merge_maps(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """loader.MergeMaps: how helm layers `-f` files (maps merge, anything else replaces;
    null is kept: it deletes a chart default later, when helm coalesces)."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
        else:
            out[key] = value
    return out


def parse_into(
    text: str,
    dest: dict[str, Any],
    *,
    kind: str = SET,
    read_file: Callable[[str], str] | None = None,
    helm_major: int = 4,
) -> dict[str, Any]:
    """Apply one `--set*` argument to dest (in place, as helm does; returned for chaining).

    Helm 4 merges `--set-json '{...}'` (a whole JSON object) like a values file; Helm 3 reads
    it as KEY=VALUE pairs like any other --set-json."""
    if kind == JSON and helm_major >= 4 and text.strip().startswith("{"):
        try:
            whole = json.loads(text.strip())
        except ValueError:
            whole = None
        if not isinstance(whole, dict):
            raise SetValueError(f"failed parsing --set-json data JSON: {text}")
        merged = merge_maps(dest, whole)
        dest.clear()
        dest.update(merged)
        return dest
    try:
        _Parser(text, kind, read_file).parse(dest)
    except SetValueError as exc:
        if kind == JSON:
            raise SetValueError(f"failed parsing --set-json data {text}") from exc
        raise SetValueError(f"failed parsing {kind} data: {exc}") from exc
    return dest


# A scenario carries its `--set*` flags as strings: a plain `--set` assignment as it is, any
# other kind as "<flag>\0<text>" (a NUL can never be part of a command-line argument).
_SEP = "\0"


def encode(kind: str, text: str) -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    return text if kind == SET else f"{kind}{_SEP}{text}"


def decode(item: str) -> tuple[str, str]:
    """(flag, text) of an encoded item."""
    kind, sep, text = item.partition(_SEP)
    return (kind, text) if sep and kind in KINDS else (SET, item)


def in_helm_order(items: Sequence[str]) -> tuple[str, ...]:
    """Helm applies --set-json, then --set, --set-string, --set-file, --set-literal, each in
    command-line order: the same order here makes helmkit's values and helm's agree."""
    return tuple(sorted(items, key=lambda item: KINDS.index(decode(item)[0])))


def key_of(text: str) -> str:
    """The key part of an assignment (messages may name it, never its value)."""
    return text.split("=", 1)[0]


def file_paths(item: str) -> list[str]:
    """The files a `--set-file` item reads (empty for the other kinds)."""
    kind, text = decode(item)
    if kind != FILE:
        return []
    paths: list[str] = []

    def remember(path: str) -> str:
        paths.append(path)
        return ""

    with contextlib.suppress(SetValueError):
        parse_into(text, {}, kind=FILE, read_file=remember)
    return paths


def files_digest(items: Sequence[str]) -> str:
    """A hash of the files the `--set-file` items read (their content is part of the values);
    "" when there are none."""
    paths = [Path(p) for item in items for p in file_paths(item)]
    return content_hash.hash_files(paths) if paths else ""
