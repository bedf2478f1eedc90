"""The one JSON Schema validator helmkit uses: jsonschema-rs, for the chart's values.schema.json,
helmkit.yaml's schema and the Kubernetes and CRD schemas of rendered objects.

The draft comes from the schema's `$schema` (2020-12 when absent), and with it whether `format`
is asserted: up to draft 7 it is, from 2019-09 on it is an annotation. Helm 4 and Helm 3.18+
(santhosh-tekuri/jsonschema) decide the same way; tests/cli/test_schema_parity.py holds helmkit
to helm's verdict. jsonschema-rs is imported on first use, so `helmkit --help` never loads it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from helmkit.errors import UsageError

KeyPath = tuple[str | int, ...]
Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Violation:
    """One place where an instance breaks its schema."""

    path: KeyPath  # in the instance
    keyword: str  # the schema keyword that failed: "type", "required", "additionalProperties"...
    message: str  # the library's text: it may quote the value (callers hide secrets)
    instance: Any  # the offending value
    detail: Any  # the keyword's argument: expected types, unexpected names, required name...
    schema_path: tuple[str | int, ...]  # where the keyword is, in the document that holds it


def compile_schema(
    schema: Mapping[str, Any] | bool, documents: Mapping[str, Any] | None = None
) -> Any:
    """A validator for `schema`; `documents` are other schemas its `$ref`s name, by URI."""
    import jsonschema_rs

    registry = jsonschema_rs.Registry(list(documents.items())) if documents else None
    try:
        plain = schema if isinstance(schema, bool) else dict(schema)
        return jsonschema_rs.validator_for(plain, registry=registry)
    except (ValueError, jsonschema_rs.ValidationError) as exc:
        raise UsageError(
            f"not a valid JSON schema: {exc}", hint="fix the schema (see json-schema.org)"
        ) from exc


@functools.lru_cache(maxsize=16)
def _compiled_text(text: str) -> Any:
    return compile_schema(json.loads(text))


def validator(schema: Mapping[str, Any] | bool) -> Any:
    """The validator of a schema, compiled once per distinct schema in this process."""
    return _compiled_text(json.dumps(schema, sort_keys=True))


def gate(schema: Mapping[str, Any] | bool) -> Check:
    """The yes/no check of a schema (callers skip the bookkeeping of messages when it passes)."""
    return validator(schema).is_valid  # type: ignore[no-any-return]


def violations(compiled: Any, instance: Any) -> list[Violation]:
    """Every violation, ordered by instance path."""
    found = [_violation(error) for error in compiled.iter_errors(instance)]
    return sorted(found, key=lambda v: [str(part) for part in v.path])


def _violation(error: Any) -> Violation:
    schema_path = tuple(error.schema_path)
    keyword = str(schema_path[-1]) if schema_path else ""
    return Violation(
        path=tuple(error.instance_path),
        keyword=keyword,
        message=_without_containers(str(error.message), error.instance, keyword),
        instance=error.instance,
        detail=getattr(error.kind, "value", None),
        schema_path=schema_path,
    )


def _without_containers(message: str, instance: Any, keyword: str) -> str:
    """The library prints a failing object or list whole (anyOf, oneOf, not...), with whatever
    secrets are inside: name it instead. Scalars stay (callers hide those under secret keys)."""
    if not isinstance(instance, dict | list):
        return message
    what = "the object" if isinstance(instance, dict) else "the list"
    compact = json.dumps(instance, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if compact in message:
        return message.replace(compact, what)
    if "{" in message or "[" in message:
        return f"{what} does not satisfy `{keyword}`"
    return message


def schema_node(document: Any, schema_path: tuple[str | int, ...]) -> Mapping[str, Any]:
    """The schema object holding the keyword at `schema_path` (empty when it cannot be found)."""
    node = document
    for part in schema_path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, Mapping) else {}
