"""The fast yes/no schema gate, held to jsonschema's verdicts (it must never pass what
jsonschema rejects), on synthetic schemas and on the repository's real schemas."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from helmkit.core.values import schema_gate

REPO = Path(__file__).resolve().parents[2]
DRAFT7 = "http://json-schema.org/draft-07/schema#"


def jsonschema_ok(schema: dict[str, Any], instance: Any) -> bool:
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return not list(cls(schema).iter_errors(instance))


CASES: list[tuple[dict[str, Any], list[Any]]] = [
    ({"type": "integer"}, [1, 1.0, 1.5, True, "1", None]),
    ({"type": ["string", "null"]}, ["a", None, 0, False]),
    ({"type": "number", "minimum": 1, "maximum": 3}, [0, 1, 3, 3.5, True, "2"]),
    ({"exclusiveMinimum": 1, "exclusiveMaximum": 3}, [1, 2, 3, "x"]),
    ({"enum": [1, "a", None, [1]]}, [1, 1.0, True, "a", None, [1], [True], "b"]),
    ({"const": False}, [False, 0, None]),
    (
        {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 3},
        ["ab", "a", "abcd", "A1", 5],
    ),
    (
        {
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"type": "integer"}, "b": {"type": "boolean"}},
            "additionalProperties": False,
        },
        [{"a": 1}, {"a": 1, "b": True}, {"b": True}, {"a": "1"}, {"a": 1, "c": 2}, [], "x"],
    ),
    (
        {
            "patternProperties": {"^x-": {"type": "string"}},
            "additionalProperties": {"type": "integer"},
        },
        [{"x-a": "s", "b": 1}, {"x-a": 1}, {"b": "s"}, {}],
    ),
    (
        {"propertyNames": {"pattern": "^[a-z]+$"}, "minProperties": 1, "maxProperties": 2},
        [{"a": 1}, {}, {"A": 1}, {"a": 1, "b": 2, "c": 3}],
    ),
    (
        {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "maxItems": 2,
            "uniqueItems": True,
        },
        [["a"], [], ["a", "a"], ["a", 1], ["a", "b", "c"]],
    ),
    ({"uniqueItems": True}, [[1, True], [1, 1.0], [{"a": 1}, {"a": 1}], [[1], [True]]]),
    ({"anyOf": [{"type": "string"}, {"type": "integer"}]}, ["a", 1, 1.5]),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1, 1.5, "a"]),
    ({"allOf": [{"minimum": 1}, {"maximum": 2}], "not": {"const": 2}}, [1, 2, 3]),
    (
        {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "integer"}},
        ["ab", "a", 1, 1.5],
    ),
    (
        {
            "$defs": {"port": {"type": "integer", "minimum": 1}},
            "properties": {"p": {"$ref": "#/$defs/port"}},
        },
        [{"p": 1}, {"p": 0}, {"p": "1"}],
    ),
    (
        {
            "$schema": DRAFT7,
            "definitions": {
                "n": {
                    "type": "object",
                    "properties": {"c": {"$ref": "#/definitions/n"}},
                    "additionalProperties": False,
                }
            },
            "$ref": "#/definitions/n",
        },
        [{}, {"c": {"c": {}}}, {"c": {"d": 1}}],
    ),
    ({"properties": {"a": True, "b": False}}, [{"a": 1}, {"b": 1}]),
]


@pytest.mark.parametrize(("schema", "instances"), CASES)
def test_gate_agrees_with_jsonschema(schema: dict[str, Any], instances: list[Any]) -> None:
    gate = schema_gate.compile_gate(schema)
    assert gate is not None, schema
    for instance in instances:
        assert gate(instance) == jsonschema_ok(schema, instance), (schema, instance)


@pytest.mark.parametrize(
    "schema",
    [
        {"$schema": "http://json-schema.org/draft-04/schema#", "type": "integer"},
        {"dependentRequired": {"a": ["b"]}},
        {"items": [{"type": "string"}]},
        {"properties": {"a": {"$ref": "other.json#/x"}}},
        {"unevaluatedProperties": False},
        {"type": "float"},
        {"then": {"type": "string"}},
        {
            "$schema": DRAFT7,
            "$defs": {"a": {}},
            "properties": {"x": {"$ref": "#/$defs/a", "type": "string"}},
        },
    ],
)
def test_unsupported_schemas_go_to_jsonschema(schema: dict[str, Any]) -> None:
    assert schema_gate.compile_gate(schema) is None


def _values_documents() -> list[Any]:
    chart = REPO / "charts" / "ai-native"
    paths = [chart / "values.yaml", *sorted((REPO / "values").glob("*.yaml"))]
    paths += sorted((chart / "ci").glob("*-values.yaml"))
    return [yaml.safe_load(p.read_text("utf-8")) or {} for p in paths]


def _mutations(document: dict[str, Any]) -> list[Any]:
    """Each top-level mapping with a wrong-typed key, an unknown key, a removed key."""
    found: list[Any] = []
    for key, value in document.items():
        if isinstance(value, dict):
            for inner in list(value)[:3]:
                for replacement in (12345, "not-a-thing", None, [1], {"zz": 1}):
                    broken = copy.deepcopy(document)
                    broken[key][inner] = replacement
                    found.append(broken)
            broken = copy.deepcopy(document)
            broken[key]["unknownKeyX"] = True
            found.append(broken)
    return found


def test_real_values_schema_verdicts_match_jsonschema() -> None:
    schema = json.loads((REPO / "charts" / "ai-native" / "values.schema.json").read_text("utf-8"))
    gate = schema_gate.compile_gate(schema)
    assert gate is not None, "the chart's values schema should not need jsonschema"
    checked = 0
    for document in _values_documents():
        for instance in [document, *_mutations(document)]:
            assert gate(instance) == jsonschema_ok(schema, instance)
            checked += 1
    assert checked > 100


def test_real_helmkit_config_schema_compiles_and_agrees() -> None:
    schema = json.loads((REPO / "schemas" / "helmkit.schema.json").read_text("utf-8"))
    gate = schema_gate.compile_gate(schema)
    assert gate is not None
    config = yaml.safe_load((REPO / "helmkit.yaml").read_text("utf-8"))
    for instance in [config, *_mutations(config), {**config, "chart": ""}, {"chart": "x"}]:
        assert gate(instance) == jsonschema_ok(schema, instance)
