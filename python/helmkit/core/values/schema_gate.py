"""A fast yes/no JSON Schema check, so the common case (valid input) never pays for jsonschema.

Importing jsonschema costs more than a whole render of the chart, and its generic validator
walks the schema on every instance. Values files and helmkit.yaml are valid on almost every
run, so callers ask this gate first and run jsonschema only when the gate says "invalid", to
get jsonschema's detailed messages. The gate must therefore never say "valid" when jsonschema
would not: it compiles only the keywords it implements with jsonschema's semantics (drafts 6,
7, 2019-09 and 2020-12, no format assertions, as jsonschema validates by default) and returns
None for a schema with anything else, which sends the caller to jsonschema. A differential unit
test holds it to jsonschema's verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Check = Callable[[Any], bool]

_DRAFTS = (
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
)
_ANNOTATIONS = {
    "$schema", "$comment", "title", "description", "default", "examples", "format",
    "deprecated", "readOnly", "writeOnly", "$defs", "definitions",
}  # fmt: skip
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


class Unsupported(Exception):
    """A keyword or form the gate does not implement: the caller uses jsonschema."""


def equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: `true` is not `1`, `1` is `1.0`, containers compared deeply."""
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(equal(one[k], two[k]) for k in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    return bool(one == two)


def compile_gate(schema: Mapping[str, Any] | bool) -> Check | None:
    """A check equivalent to `not list(jsonschema validator.iter_errors(x))`, or None."""
    if isinstance(schema, Mapping):
        draft = str(schema.get("$schema", _DRAFTS[-1])).rstrip("#")
        if draft not in _DRAFTS:
            return None
    try:
        return _Compiler(schema).compile(schema)
    except Unsupported:
        return None


class _Compiler:
    def __init__(self, root: Mapping[str, Any] | bool) -> None:
        self.root = root
        self.by_ref: dict[str, Check] = {}

    def ref(self, ref: str) -> Check:
        match = re.fullmatch(r"#/(\$defs|definitions)/([^/~%]+)", ref)
        if not match or not isinstance(self.root, Mapping):
            raise Unsupported(ref)
        if ref not in self.by_ref:
            cell: list[Check] = []
            self.by_ref[ref] = lambda v: cell[0](v)  # recursive schemas
            target = self.root.get(match.group(1), {}).get(match.group(2))
            if target is None:
                raise Unsupported(ref)
            cell.append(self.compile(target))
            self.by_ref[ref] = cell[0]
        return self.by_ref[ref]

    def compile(self, schema: Mapping[str, Any] | bool) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, Mapping):
            raise Unsupported(repr(schema))
        checks: list[Check] = []
        for keyword, argument in schema.items():
            if keyword in _ANNOTATIONS or (keyword == "$id" and schema is self.root):
                continue
            build = getattr(self, f"_kw_{keyword.lstrip('$')}", None)
            if build is None or keyword in ("then", "else"):
                if keyword in ("then", "else") and "if" in schema:
                    continue
                raise Unsupported(keyword)
            checks.append(build(argument, schema))
        if "$ref" in schema and len(checks) > 1 and _draft(self.root) < 2019:
            raise Unsupported("$ref with siblings before draft 2019-09")
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    def _kw_ref(self, ref: Any, _: Mapping[str, Any]) -> Check:
        return self.ref(str(ref))

    def _kw_type(self, types: Any, _: Mapping[str, Any]) -> Check:
        names = [types] if isinstance(types, str) else list(types)
        if any(name not in _TYPES for name in names):
            raise Unsupported(f"type {types!r}")
        tests = [_TYPES[name] for name in names]
        return lambda v: any(test(v) for test in tests)

    def _kw_enum(self, allowed: Sequence[Any], _: Mapping[str, Any]) -> Check:
        return lambda v: any(equal(v, a) for a in allowed)

    def _kw_const(self, constant: Any, _: Mapping[str, Any]) -> Check:
        return lambda v: equal(v, constant)

    def _kw_pattern(self, pattern: str, _: Mapping[str, Any]) -> Check:
        regex = re.compile(pattern)
        return lambda v: not isinstance(v, str) or regex.search(v) is not None

    def _kw_minLength(self, n: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= n

    def _kw_maxLength(self, n: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) <= n

    def _kw_minimum(self, n: float, _: Mapping[str, Any]) -> Check:
        return lambda v: not _TYPES["number"](v) or v >= n

    def _kw_maximum(self, n: float, _: Mapping[str, Any]) -> Check:
        return lambda v: not _TYPES["number"](v) or v <= n

    def _kw_exclusiveMinimum(self, n: Any, _: Mapping[str, Any]) -> Check:
        if isinstance(n, bool):
            raise Unsupported("draft-4 exclusiveMinimum")
        return lambda v: not _TYPES["number"](v) or v > n

    def _kw_exclusiveMaximum(self, n: Any, _: Mapping[str, Any]) -> Check:
        if isinstance(n, bool):
            raise Unsupported("draft-4 exclusiveMaximum")
        return lambda v: not _TYPES["number"](v) or v < n

    def _kw_minItems(self, n: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= n

    def _kw_maxItems(self, n: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) <= n

    def _kw_uniqueItems(self, unique: bool, _: Mapping[str, Any]) -> Check:
        def check(v: Any) -> bool:
            if not unique or not isinstance(v, list):
                return True
            return not any(equal(a, b) for i, a in enumerate(v) for b in v[i + 1 :])

        return check

    def _kw_minProperties(self, n: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or len(v) >= n

    def _kw_maxProperties(self, n: int, _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or len(v) <= n

    def _kw_required(self, names: Sequence[str], _: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)

    def _kw_items(self, items: Any, _: Mapping[str, Any]) -> Check:
        if isinstance(items, list):
            raise Unsupported("items as a list (tuple validation)")
        item = self.compile(items)
        return lambda v: not isinstance(v, list) or all(item(i) for i in v)

    def _kw_propertyNames(self, names: Any, _: Mapping[str, Any]) -> Check:
        name = self.compile(names)
        return lambda v: not isinstance(v, dict) or all(name(k) for k in v)

    def _kw_properties(self, props: Mapping[str, Any], _: Mapping[str, Any]) -> Check:
        compiled = {key: self.compile(sub) for key, sub in props.items()}
        return lambda v: not isinstance(v, dict) or all(
            c(v[k]) for k, c in compiled.items() if k in v
        )

    def _kw_patternProperties(self, props: Mapping[str, Any], _: Mapping[str, Any]) -> Check:
        compiled = [(re.compile(p), self.compile(sub)) for p, sub in props.items()]
        return lambda v: not isinstance(v, dict) or all(
            c(item) for key, item in v.items() for r, c in compiled if r.search(key)
        )

    def _kw_additionalProperties(self, extra: Any, schema: Mapping[str, Any]) -> Check:
        known = set(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        extra_check = self.compile(extra)

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            return all(
                extra_check(item)
                for key, item in v.items()
                if key not in known and not any(p.search(key) for p in patterns)
            )

        return check

    def _kw_allOf(self, subs: Sequence[Any], _: Mapping[str, Any]) -> Check:
        compiled = [self.compile(s) for s in subs]
        return lambda v: all(c(v) for c in compiled)

    def _kw_anyOf(self, subs: Sequence[Any], _: Mapping[str, Any]) -> Check:
        compiled = [self.compile(s) for s in subs]
        return lambda v: any(c(v) for c in compiled)

    def _kw_oneOf(self, subs: Sequence[Any], _: Mapping[str, Any]) -> Check:
        compiled = [self.compile(s) for s in subs]
        return lambda v: sum(1 for c in compiled if c(v)) == 1

    def _kw_not(self, sub: Any, _: Mapping[str, Any]) -> Check:
        compiled = self.compile(sub)
        return lambda v: not compiled(v)

    def _kw_if(self, condition: Any, schema: Mapping[str, Any]) -> Check:
        test = self.compile(condition)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda v: then(v) if test(v) else otherwise(v)


def _draft(root: Mapping[str, Any] | bool) -> int:
    draft = str(root.get("$schema", _DRAFTS[-1])) if isinstance(root, Mapping) else _DRAFTS[-1]
    return 2019 if "/draft/20" in draft else 7
