"""Strict, offline Kubernetes schema validation from the JSON schemas kubernetes-validate ships
(and the bundled CRD schemas), by the one validator helmkit uses
(`helmkit.core.values.json_schema`).

Each (Kubernetes version, apiVersion, kind) schema is compiled once per process; its `$ref`s
point into a 1.5 MB `_definitions.json` per version, of which a kind needs a few dozen entries:
only those are parsed and registered (bench/bench_offline.py measures this against registering
the whole file). Violations become messages that name the field, what was expected and a close
field name for a typo.
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

from helmkit.core.values import json_schema
from helmkit.errors import EnvironmentProblem, UsageError

Path_ = tuple[str | int, ...]
DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"


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


@dataclass(frozen=True)
class Compiled:
    """One kind's compiled schema and the documents its violations are located in."""

    validator: Any
    schema: Mapping[str, Any]
    definitions: Mapping[str, Any]

    def issues(self, obj: Any) -> list[SchemaIssue]:
        found: list[SchemaIssue] = []
        for violation in json_schema.violations(self.validator, obj):
            found += _issues(violation, self._node(violation.schema_path))
        return found

    def _node(self, schema_path: Path_) -> Mapping[str, Any]:
        if schema_path[:1] == ("$defs",) and len(schema_path) > 1:
            definition = self.definitions.get(str(schema_path[1]), {})
            return json_schema.schema_node(definition, schema_path[2:])
        return json_schema.schema_node(self.schema, schema_path)


def _type_message(value: Any, detail: Any) -> str:
    names = [detail] if isinstance(detail, str) else list(detail or [])
    names.sort(key=lambda name: name == "null")  # the null of nullable fields last
    shown = type(value).__name__ if value is not None else "null"
    return f"expected {' or '.join(names)}, got {shown}"


# keyword -> the message of one violation, from (value, the keyword's argument)
_MESSAGES: dict[str, Callable[[Any, Any], str]] = {
    "type": _type_message,
    "enum": lambda value, options: f"{value!r} is not one of {list(options or [])}",
    "pattern": lambda value, pattern: f"{value!r} does not match {pattern!r}",
    "oneOf": lambda _v, _d: "must match exactly one of the allowed schemas (oneOf)",
    "anyOf": lambda _v, _d: "matches none of the allowed schemas (anyOf)",
}


def _issues(violation: json_schema.Violation, node: Mapping[str, Any]) -> list[SchemaIssue]:
    path, detail, keyword = violation.path, violation.detail, violation.keyword
    if keyword == "additionalProperties":
        known = sorted(node.get("properties", {}))
        return [_unknown_field(path, key, known) for key in detail or []]
    if keyword == "required":
        return [SchemaIssue((*path, str(detail)), "required field is missing")]
    message = _MESSAGES.get(keyword)
    text = message(violation.instance, detail) if message else f"{keyword}: {violation.message}"
    return [SchemaIssue(path, text)]


def _unknown_field(path: Path_, key: Any, known: list[str]) -> SchemaIssue:
    import difflib  # only an unknown field needs it (start-up time)

    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f"did you mean `{close[0]}`?" if close else f"known fields: {', '.join(known[:12])}"
    return SchemaIssue((*path, key), "unknown field (strict schema)", hint)


# `_definitions.json` is written with two-space indentation: every definition starts on a line
# of its own, four spaces in. A Deployment needs ~60 of ~860 definitions; parsing and
# registering only those is the speed trick bench/bench_offline.py measures against the whole
# file. (a literal first character lets the regex engine skip ahead: ten times faster than `^`)
_DEFINITION_START = re.compile(r'\n    "([^"\\]+)": \{\n')
_REF = re.compile(r'"\$ref": "[^"#]*#/\$defs/([^"]+)"')


class _LazyDefinitions(Mapping[str, Any]):
    """The `$defs` of one `_definitions.json`, each parsed on first use (without its
    descriptions: a third of the validator's compile time, and no message uses them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offsets = {m.group(1): m.end() - 2 for m in _DEFINITION_START.finditer(text)}
        self.parsed: dict[str, Any] = {}
        self.refs: dict[str, list[str]] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.parsed:
            start = self.offsets[name]
            self.parsed[name], end = _DECODER.raw_decode(self.text, start)
            self.refs[name] = _REF.findall(self.text, start, end)
        return self.parsed[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets)

    def reachable(self, schema_text: str) -> dict[str, Any]:
        """The definitions a schema refers to, directly or through other definitions."""
        found: dict[str, Any] = {}
        todo = _REF.findall(schema_text)
        while todo:
            name = todo.pop()
            if name in found or name not in self.offsets:
                continue
            found[name] = self[name]
            todo += self.refs[name]
        return found


def _drop_description(mapping: dict[str, Any]) -> dict[str, Any]:
    # an annotation is text; a schema under `properties.description` (PriorityClass) stays
    if isinstance(mapping.get("description"), str):
        del mapping["description"]
    return mapping


# parses schema JSON without its descriptions (the decoder's hook sees each object once: about
# twice as fast as removing them from the parsed tree)
_DECODER = json.JSONDecoder(object_hook=_drop_description)


@functools.cache
def _definitions(directory: Path) -> _LazyDefinitions | dict[str, Any]:
    text = (directory / "_definitions.json").read_text("utf-8")
    lazy = _LazyDefinitions(text)
    if lazy.offsets:
        return lazy
    defs: dict[str, Any] = json.loads(text)["$defs"]  # another layout: parse it all
    return defs


def compile_kind(
    schema_text: str,
    definitions: Mapping[str, Any],
    *,
    whole: bool = False,
    compiled_before: Sequence[Compiled] = (),
) -> Compiled:
    """One kind's validator; `whole` registers every definition (the baseline of the bench).
    A validator in `compiled_before` built from the same schema and definitions (without
    descriptions) is returned instead of compiling again."""
    schema = _DECODER.decode(schema_text)
    if whole or not isinstance(definitions, _LazyDefinitions):
        needed = dict(definitions.items())
    else:
        needed = definitions.reachable(schema_text)
    for earlier in compiled_before:
        if earlier.schema == schema and earlier.definitions == needed:
            return earlier
    documents = {DEFINITIONS_URI: {"$id": DEFINITIONS_URI, "$defs": needed}}
    return Compiled(json_schema.compile_schema(schema, documents), schema, needed)


@functools.cache
def validator(version: str, api_version: str, kind: str) -> Compiled | None:
    """The compiled check for one kind, or None when no schema is bundled (other CRDs)."""
    found = builtin_validator(version, api_version, kind)
    return found if found is not None else crd_validator(api_version, kind)


@functools.cache
def builtin_validator(version: str, api_version: str, kind: str) -> Compiled | None:
    """The check of a kind the Kubernetes version serves itself (None for CRDs)."""
    path = _builtin_schema_file(version, api_version, kind)
    if path is None:
        return None
    # most kinds are the same in neighbouring Kubernetes versions (descriptions aside): one
    # validator serves all of them (bench/bench_offline.py measures it)
    before = _COMPILED_BY_KIND.setdefault((api_version, kind), [])
    compiled = compile_kind(
        path.read_text("utf-8"), _definitions(path.parent), compiled_before=before
    )
    if all(compiled is not earlier for earlier in before):
        before.append(compiled)
    return compiled


_COMPILED_BY_KIND: dict[tuple[str, str], list[Compiled]] = {}


def has_builtin_schema(version: str, api_version: str, kind: str) -> bool:
    """Whether the version bundles a schema for the kind (without compiling it)."""
    return _builtin_schema_file(version, api_version, kind) is not None


@functools.cache
def _builtin_schema_file(version: str, api_version: str, kind: str) -> Path | None:
    path = schema_dir(version) / schema_file_name(api_version, kind)
    return path if path.is_file() else None


@functools.cache
def crd_schemas() -> dict[str, Any]:
    """The bundled CRD schemas ("group/version/Kind" -> openAPIV3Schema), generated by
    scripts/gen-crd-schemas.py from the CRDs of the versions pinned in scripts/versions.env."""
    from importlib import resources

    text = resources.files("helmkit").joinpath("data/crd-schemas.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _without_nullable(schema: Any) -> Any:
    """OpenAPI's `nullable: true` as JSON Schema: null joins the allowed types."""
    if isinstance(schema, list):
        return [_without_nullable(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: _without_nullable(value) for key, value in schema.items()}
    if converted.pop("nullable", False) and "type" in converted:
        types = converted["type"]
        converted["type"] = [*([types] if isinstance(types, str) else types), "null"]
    return converted


@functools.cache
def crd_validator(api_version: str, kind: str) -> Compiled | None:
    """The compiled check of a bundled CRD (the same in every Kubernetes version)."""
    if "." not in api_version.partition("/")[0]:
        return None  # a built-in group: no CRD (and no need to read the bundle)
    schema = crd_schemas()["schemas"].get(f"{api_version}/{kind}")
    if schema is None:
        return None
    converted = _without_nullable(schema)
    return Compiled(json_schema.compile_schema(converted), converted, {})


def validate(obj: dict[str, Any], version: str) -> list[SchemaIssue] | None:
    """Issues of one object against the strict schema; None when the kind has no schema."""
    check = validator(version, str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    if check is None:
        return None
    return check.issues(obj)


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
            has_builtin_schema(matching[0], str(o.get("apiVersion", "")), str(o.get("kind", "")))
            for o in objects
        )
    except UsageError:  # no bundled schema for that version
        return False
