"""The one JSON Schema validator (jsonschema-rs behind core/values/json_schema.py)."""

from __future__ import annotations

import pytest

from helmkit.core.values import json_schema
from helmkit.errors import UsageError

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "size": {"type": "integer", "minimum": 1},
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
    },
    "$defs": {"item": {"type": "object", "properties": {"port": {"type": "integer"}}}},
}


def test_violations_name_path_keyword_and_detail_in_path_order() -> None:
    found = json_schema.violations(
        json_schema.validator(SCHEMA), {"size": 0, "extra": 1, "items": [{"port": "x"}]}
    )
    assert [v.path for v in found] == [(), (), ("items", 0, "port"), ("size",)]
    by_keyword = {v.keyword: v for v in found}
    assert set(by_keyword) == {"required", "additionalProperties", "type", "minimum"}
    assert by_keyword["required"].detail == "name"
    assert by_keyword["additionalProperties"].detail == ["extra"]
    assert by_keyword["type"].instance == "x"


def test_gate_and_compiled_once() -> None:
    gate = json_schema.gate(SCHEMA)
    assert gate({"name": "a"}) and not gate({"name": 1})
    assert json_schema.validator(dict(SCHEMA)) is json_schema.validator(SCHEMA)


@pytest.mark.parametrize(
    ("draft", "asserted"),
    [
        ("http://json-schema.org/draft-07/schema#", True),
        ("https://json-schema.org/draft/2020-12/schema", False),
    ],
)
def test_format_is_asserted_up_to_draft_7_as_helm_does(draft: str, asserted: bool) -> None:
    schema = {"$schema": draft, "type": "string", "format": "email"}
    assert json_schema.gate(schema)("not-an-email") is not asserted


def test_a_broken_schema_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not a valid JSON schema"):
        json_schema.compile_schema({"type": "no-such-type"})


def test_schema_node_finds_the_object_holding_a_keyword() -> None:
    node = json_schema.schema_node(SCHEMA, ("$defs", "item", "properties", "port", "type"))
    assert node == {"type": "integer"}
    assert json_schema.schema_node(SCHEMA, ("nowhere", "type")) == {}


def test_a_failing_object_is_named_not_printed() -> None:
    schema = {
        "properties": {"secrets": {"anyOf": [{"type": "string"}, {"maxProperties": 0}]}},
        "not": {"required": ["x"]},
    }
    instance = {"x": 1, "secrets": {"key": "topsecret123", "list": [1, "alsosecret"]}}
    found = json_schema.violations(json_schema.validator(schema), instance)
    assert {v.keyword for v in found} == {"anyOf", "not"}
    for violation in found:
        assert "topsecret123" not in violation.message, violation.message
        assert "alsosecret" not in violation.message, violation.message
        assert "the object" in violation.message
