"""Values layering with provenance, --set parsing, schema issues with file:line."""

from __future__ import annotations

import pytest

from helmkit.core.values import layering as values
from helmkit.core.values import strvals
from helmkit.core.values.coalesce import ChartNode
from helmkit.core.values.yaml_source import parse_yaml
from helmkit.errors import UsageError

DEFAULTS = """\
backend:
  replicaCount: 3
  autoscaling:
    enabled: true
    minReplicas: 3
config:
  logLevel: info
"""
OVERLAY = """\
backend:
  autoscaling:
    minReplicas: "two"
config: null
"""
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "backend": {
            "type": "object",
            "properties": {
                "replicaCount": {"type": "integer"},
                "autoscaling": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "enabled": {"type": "boolean"},
                        "minReplicas": {"type": "integer"},
                    },
                },
            },
        },
        "config": {"type": "object"},
    },
}


def layered(*extra: str, set_values: tuple[str, ...] = ()) -> values.LayeredValues:
    defaults = parse_yaml(DEFAULTS, "values.yaml")
    layers = [parse_yaml(OVERLAY, "values/staging.yaml")]
    layers += [parse_yaml(text, f"extra{i}.yaml") for i, text in enumerate(extra)]
    chart = ChartNode("test", defaults.data)
    return values.layer(chart, layers, set_values, default_layers=[defaults])


def test_maps_merge_and_null_deletes() -> None:
    result = layered()
    assert result.data == {
        "backend": {"replicaCount": 3, "autoscaling": {"enabled": True, "minReplicas": "two"}}
    }


def test_origin_is_the_last_layer_that_set_the_key() -> None:
    result = layered()
    assert result.origin_of(["backend", "autoscaling", "minReplicas"]) == values.Origin(
        "values/staging.yaml", 3
    )
    assert result.origin_of(["backend", "replicaCount"]) == values.Origin("values.yaml", 2)


def test_schema_issue_points_at_the_overlay_line() -> None:
    (issue,) = values.schema_issues(layered(), SCHEMA)
    assert (issue.key_path, issue.file, issue.line) == (
        "backend.autoscaling.minReplicas",
        "values/staging.yaml",
        3,
    )
    assert '"two" is not of type "integer"' in issue.message


def test_unknown_key_points_at_the_key_itself() -> None:
    (issue,) = values.schema_issues(
        layered("backend:\n  autoscaling:\n    minReplicas: 2\n    maxReplica: 5\n"), SCHEMA
    )
    assert (issue.key_path, issue.file, issue.line) == (
        "backend.autoscaling.maxReplica",
        "extra0.yaml",
        4,
    )


def test_set_values_override_and_are_named() -> None:
    result = layered(set_values=("backend.autoscaling.minReplicas=4,backend.replicaCount=x",))
    assert result.data["backend"]["autoscaling"]["minReplicas"] == 4
    (issue,) = values.schema_issues(result, SCHEMA)
    assert issue.file == "--set backend.replicaCount"
    assert issue.line is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=1", {"a": 1}),
        ("a.b=true", {"a": {"b": True}}),
        ("a=x,b=null", {"a": "x", "b": None}),
        (r"a\.b=1", {"a.b": 1}),
        ("a=", {"a": ""}),
        ("a=1.5", {"a": "1.5"}),
        ("a=[x]", {"a": "[x]"}),
        ("a[1]=x", {"a": [None, "x"]}),
        ("a={x,1}", {"a": ["x", 1]}),
        (strvals.encode(strvals.STRING, "a=1"), {"a": "1"}),
        (strvals.encode(strvals.JSON, "a=[1]"), {"a": [1]}),
    ],
)
def test_parse_set(text: str, expected: dict) -> None:  # type: ignore[type-arg]
    assert values.parse_set(text) == expected


@pytest.mark.parametrize("text", ["novalue", "a[x]=1", "a=1,a.b=2"])
def test_parse_set_rejects_what_helm_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="--set"):
        values.parse_set(text)


def test_a_refused_assignment_never_shows_its_value() -> None:
    with pytest.raises(UsageError) as raised:
        values.parse_set("token=s3cr3t-value,token.x=1")
    assert "s3cr3t" not in str(raised.value)
    assert "token" in str(raised.value)


def test_values_file_must_be_a_mapping() -> None:
    with pytest.raises(UsageError, match="must be a YAML mapping"):
        values.layer(ChartNode("test", {}), [parse_yaml("- a\n", "list.yaml")])
