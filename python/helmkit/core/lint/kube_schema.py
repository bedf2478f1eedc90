"""Strict, offline Kubernetes schema validation from the JSON schemas kubernetes-validate ships.

jsonschema's generic validator walks the schema on every object (~1-2 ms per Deployment). The
Kubernetes schemas use a handful of keywords only, so each (Kubernetes version, apiVersion,
kind) schema is compiled once into nested Python closures and cached (each property on first
use); an unknown keyword fails the compilation loudly instead of being ignored. A differential
unit test keeps the results equal to jsonschema's on valid and broken objects. `format` is not
checked (jsonschema does not check it by default either).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helmkit.errors import EnvironmentProblem, UsageError

Path_ = tuple[str | int, ...]
Check = Callable[[Any, Path_, list["SchemaIssue"]], None]

_IGNORED = {"description", "$schema", "$id", "format", "default", "discriminator"}
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


@dataclass(frozen=True)
class SchemaIssue:
    path: Path_
    message: str
    hint: str = ""


def format_path(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@functools.cache
def schema_root() -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise EnvironmentProblem(
            "the kubernetes-validate package (bundled Kubernetes schemas) is not installed",
            hint="run `.venv/bin/pip install -e .[dev]` (scripts/bootstrap.sh does it)",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


def schema_stamp() -> str:
    """Where the bundled schemas live and when they were installed: verdicts remembered
    between runs are not reused after kubernetes-validate changes."""
    root = schema_root()
    from importlib import resources

    crds = resources.files("helmkit").joinpath("data/crd-schemas.json")
    size = len(crds.read_bytes()) if crds.is_file() else 0
    return f"{root}:{root.stat().st_mtime_ns}:crds-{size}"


@functools.cache
def bundled_versions() -> list[str]:
    names = (p.name for p in schema_root().iterdir() if p.name.endswith("-local-strict"))
    found = [n.removeprefix("v").removesuffix("-local-strict") for n in names]
    return sorted(found, key=lambda v: tuple(int(x) for x in v.split(".")))


def minor_of(version: str) -> str:
    match = re.match(r"v?(\d+)\.(\d+)", version)
    if not match:
        raise UsageError(f"{version!r} is not a Kubernetes version", hint="use e.g. 1.33.0")
    return f"{match.group(1)}.{match.group(2)}"


def schema_dir(version: str) -> Path:
    wanted = minor_of(version)
    for bundled in bundled_versions():
        if minor_of(bundled) == wanted:
            return schema_root() / f"v{bundled}-local-strict"
    known = ", ".join(minor_of(v) for v in bundled_versions())
    raise UsageError(
        f"no bundled Kubernetes schema for version {version} (bundled: {known})",
        hint="pick a bundled version in helmkit.yaml `kubeVersions` or --kube-version, "
        "or upgrade the kubernetes-validate package",
    )


def schema_file_name(api_version: str, kind: str) -> str:
    """`apps/v1` Deployment -> deployment-apps-v1.json; `networking.k8s.io/v1` -> networking-v1."""
    group, _, version = api_version.rpartition("/")
    group = group.split(".", 1)[0]
    suffix = f"{group}-{version}" if group else version
    return f"{kind.lower()}-{suffix}.json"


# the keywords of the bundled CRD schemas beyond those of the Kubernetes ones
# (scripts/gen-crd-schemas.py keeps no others)
_CRD_KEYWORDS = {
    "pattern", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
    "anyOf", "allOf", "nullable",
}  # fmt: skip


class _Compiler:
    """Turns one schema (plus the shared definitions) into a Check closure."""

    def __init__(self, definitions: Mapping[str, Any], crd: bool = False) -> None:
        self.definitions = definitions
        self.by_ref: dict[str, Check] = {}
        self.extra_keywords = _CRD_KEYWORDS if crd else set()

    def ref(self, ref: str) -> Check:
        name = ref.rsplit("/", 1)[-1]
        if name not in self.by_ref:
            cell: list[Check] = []
            self.by_ref[name] = lambda v, p, out: cell[0](v, p, out)  # recursive schemas
            cell.append(self.compile(self.definitions[name]))
            self.by_ref[name] = cell[0]
        return self.by_ref[name]

    def compile(self, schema: dict[str, Any]) -> Check:
        unknown = (
            {k for k in schema if not k.startswith("x-kubernetes")}
            - _IGNORED
            - {
                "type",
                "$ref",
                "properties",
                "additionalProperties",
                "items",
                "required",
                "enum",
                "oneOf",
            }
            - self.extra_keywords
        )
        if unknown:
            raise EnvironmentProblem(f"unsupported keywords {sorted(unknown)} in a bundled schema")
        if "$ref" in schema:
            return self.ref(schema["$ref"])
        checks: list[Check] = []
        if "enum" in schema:
            checks.append(_enum(schema["enum"]))
        if "oneOf" in schema:
            checks.append(_one_of([self.compile(s) for s in schema["oneOf"]]))
        if "required" in schema:
            checks.append(_required(schema["required"]))
        if "properties" in schema or "additionalProperties" in schema:
            checks.append(self._object(schema))
        if "items" in schema:
            checks.append(_items(self.compile(schema["items"])))
        checks += self._crd_checks(schema)
        types = schema.get("type")
        if schema.get("nullable") and types:
            types = [*([types] if isinstance(types, str) else types), "null"]
        return _typed(types, checks)

    def _crd_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        for keyword in ("anyOf", "allOf"):
            if keyword in schema:
                options = [self.compile(s) for s in schema[keyword]]
                checks.append(_any_of(options) if keyword == "anyOf" else _all_of(options))
        bounds = {k: schema[k] for k in _BOUNDS if k in schema}
        if bounds:
            checks.append(_bounded(bounds))
        if "pattern" in schema:
            checks.append(_pattern(schema["pattern"]))
        return checks

    def _object(self, schema: dict[str, Any]) -> Check:
        # properties are compiled on first use: a PodSpec closure holds hundreds of fields
        # (every volume source...) and an object uses a few, so compiling all of them for every
        # Kubernetes version cost more than validating
        raw: dict[str, Any] = schema.get("properties", {})
        props: dict[str, Check] = {}
        extra = schema.get("additionalProperties", True)
        extra_check = self.compile(extra) if isinstance(extra, dict) else None
        strict = extra is False

        def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
            if not isinstance(value, dict):
                return
            for key, item in value.items():
                sub = props.get(key)
                if sub is None and key in raw:
                    sub = props[key] = self.compile(raw[key])
                if sub is not None:
                    sub(item, (*path, key), out)
                elif extra_check is not None:
                    extra_check(item, (*path, key), out)
                elif strict:
                    out.append(_unknown_field(path, key, sorted(raw)))

        return check


def _unknown_field(path: Path_, key: Any, known: list[str]) -> SchemaIssue:
    import difflib  # only an unknown field needs it (start-up time)

    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"known fields: {', '.join(known[:12])}"
    return SchemaIssue((*path, key), "unknown field (strict schema)", hint)


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def _typed(types: Any, checks: list[Check]) -> Check:
    names = [types] if isinstance(types, str) else list(types or [])
    unknown = [n for n in names if n not in _TYPES]
    if unknown:
        raise EnvironmentProblem(f"unsupported types {unknown} in a bundled schema")
    # one isinstance call per value (this runs for every field of every object); a bool is
    # an int to Python but not an integer or a number to JSON Schema
    allowed = tuple(t for n in names for t in _PY_TYPES[n])
    bool_ok = "boolean" in names

    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        if allowed and (
            not isinstance(value, allowed) or (not bool_ok and isinstance(value, bool))
        ):
            shown = type(value).__name__ if value is not None else "null"
            out.append(SchemaIssue(path, f"expected {' or '.join(names)}, got {shown}"))
            return
        for sub in checks:
            sub(value, path, out)

    return check


_BOUNDS = ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems")


def _bounded(bounds: dict[str, Any]) -> Check:
    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        for keyword, limit in bounds.items():
            if keyword.endswith("Length"):
                size: Any = len(value) if isinstance(value, str) else None
            elif keyword.endswith("Items"):
                size = len(value) if isinstance(value, list) else None
            else:
                number = isinstance(value, int | float) and not isinstance(value, bool)
                size = value if number else None
            if size is None:
                continue
            low = keyword.startswith("min")
            if (size < limit) if low else (size > limit):
                word = "at least" if low else "at most"
                out.append(SchemaIssue(path, f"{keyword}: must be {word} {limit}, got {size}"))

    return check


def _pattern(pattern: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        if isinstance(value, str) and not compiled.search(value):
            out.append(SchemaIssue(path, f"{value!r} does not match {pattern!r}"))

    return check


def _any_of(options: list[Check]) -> Check:
    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        for option in options:
            scratch: list[SchemaIssue] = []
            option(value, path, scratch)
            if not scratch:
                return
        out.append(SchemaIssue(path, "matches none of the allowed schemas (anyOf)"))

    return check


def _all_of(options: list[Check]) -> Check:
    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        for option in options:
            option(value, path, out)

    return check


def _enum(allowed: list[Any]) -> Check:
    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        if value not in allowed:
            out.append(SchemaIssue(path, f"{value!r} is not one of {allowed}"))

    return check


def _required(names: list[str]) -> Check:
    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        if isinstance(value, dict):
            for name in names:
                if name not in value:
                    out.append(SchemaIssue((*path, name), "required field is missing"))

    return check


def _items(item_check: Check) -> Check:
    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        if isinstance(value, list):
            for position, item in enumerate(value):
                item_check(item, (*path, position), out)

    return check


def _one_of(options: list[Check]) -> Check:
    def check(value: Any, path: Path_, out: list[SchemaIssue]) -> None:
        matches = 0
        for option in options:
            scratch: list[SchemaIssue] = []
            option(value, path, scratch)
            matches += not scratch
        if matches != 1:
            out.append(SchemaIssue(path, f"must match exactly one schema, matched {matches}"))

    return check


# `_definitions.json` (1.5 MB per version) is written with two-space indentation: every
# definition starts on a line of its own, four spaces in. Parsing only the definitions a run
# needs (a Deployment needs ~60 of ~700) costs a fraction of parsing the whole file five times.
# (a literal first character lets the regex engine skip ahead: ten times faster than `^`)
_DEFINITION_START = re.compile(r'\n    "([^"\\]+)": \{\n')


class _LazyDefinitions(Mapping[str, Any]):
    """The `$defs` of one `_definitions.json`, each parsed on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offsets = {m.group(1): m.end() - 2 for m in _DEFINITION_START.finditer(text)}
        self.parsed: dict[str, Any] = {}
        self.decoder = json.JSONDecoder()

    def __getitem__(self, name: str) -> Any:
        if name not in self.parsed:
            value, _ = self.decoder.raw_decode(self.text, self.offsets[name])
            self.parsed[name] = value
        return self.parsed[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets)


@functools.cache
def _compiler(directory: Path) -> _Compiler:
    text = (directory / "_definitions.json").read_text("utf-8")
    lazy = _LazyDefinitions(text)
    if lazy.offsets:
        return _Compiler(lazy)
    return _Compiler(json.loads(text)["$defs"])  # another layout: parse it all


@functools.cache
def validator(version: str, api_version: str, kind: str) -> Check | None:
    """The compiled check for one kind, or None when no schema is bundled (other CRDs)."""
    found = builtin_validator(version, api_version, kind)
    return found if found is not None else crd_validator(api_version, kind)


@functools.cache
def builtin_validator(version: str, api_version: str, kind: str) -> Check | None:
    """The check of a kind the Kubernetes version serves itself (None for CRDs)."""
    directory = schema_dir(version)
    path = directory / schema_file_name(api_version, kind)
    if not path.is_file():
        return None
    compiler = _compiler(directory)
    return compiler.compile(json.loads(path.read_text("utf-8")))


@functools.cache
def crd_schemas() -> dict[str, Any]:
    """The bundled CRD schemas ("group/version/Kind" -> openAPIV3Schema), generated by
    scripts/gen-crd-schemas.py from the CRDs of the versions pinned in scripts/versions.env."""
    from importlib import resources

    text = resources.files("helmkit").joinpath("data/crd-schemas.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def crd_validator(api_version: str, kind: str) -> Check | None:
    """The compiled check of a bundled CRD (the same in every Kubernetes version)."""
    if "." not in api_version.partition("/")[0]:
        return None  # a built-in group: no CRD (and no need to read the bundle)
    schema = crd_schemas()["schemas"].get(f"{api_version}/{kind}")
    return None if schema is None else _Compiler({}, crd=True).compile(schema)


def validate(obj: dict[str, Any], version: str) -> list[SchemaIssue] | None:
    """Issues of one object against the strict schema; None when the kind has no schema."""
    check = validator(version, str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    if check is None:
        return None
    issues: list[SchemaIssue] = []
    check(obj, (), issues)
    return issues


def covered(objects: Iterable[dict[str, Any]], validated: Sequence[str], version: str) -> bool:
    """True when `validated` includes `version`'s minor and every object has a bundled strict
    schema there: then each object passed the same check the server's OpenAPI schema makes."""
    try:
        wanted = minor_of(version)
    except UsageError:
        return False
    matching = [v for v in validated if minor_of(v) == wanted]
    if not matching:
        return False
    try:
        # built-in kinds only: a bundled CRD schema may differ from the cluster's CRD version
        return all(
            builtin_validator(matching[0], str(o.get("apiVersion", "")), str(o.get("kind", "")))
            is not None
            for o in objects
        )
    except UsageError:  # no bundled schema for that version
        return False
