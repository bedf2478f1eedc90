"""Unit tests of the pure values docs/schema generator."""

from __future__ import annotations

import dataclasses
import json

import pytest

from helmkit.core.values import docs as vd
from helmkit.errors import UsageError

DEFS = {
    "cpu": {"type": "string", "pattern": "^[0-9]+m?$"},
    "res": {"type": "object", "properties": {"cpu": {"$ref": "#/$defs/cpu"}}},
}

UMBRELLA_VALUES = """\
# header comment, not a description
global:
  # -- Registry mirror.
  imageRegistry: ""
# -- Deploy the bundled db.
db:
  enabled: true
web:
  # -- Deploy the web.
  enabled: true
"""

WEB_VALUES = """\
image:
  # -- Repository of the image,
  # continued on a second line.
  repository: web
# -- Resources.
resources:
  cpu: 100m
"""


def _inputs(web_values: str = WEB_VALUES, umbrella_values: str = UMBRELLA_VALUES) -> vd.DocsInputs:
    umbrella_schema = {
        "type": "object",
        "properties": {
            "global": {"type": "object", "additionalProperties": True,
                       "properties": {"imageRegistry": {"type": "string"}}},
            "db": {"type": "object", "properties": {"enabled": {"type": "boolean"}}},
            "web": {"type": "object", "properties": {"enabled": {"type": "boolean"}}},
        },
    }
    web_schema = {
        "type": "object",
        "properties": {
            "image": {"type": "object", "properties": {"repository": {"type": "string"}}},
            "resources": {"$ref": "_defs.schema.yaml#/$defs/res", "description": "own"},
        },
    }
    return vd.DocsInputs(
        umbrella=vd.ChartSource(
            "ai-native", "c/values.yaml", umbrella_values, "s/u", umbrella_schema
        ),
        subcharts=(vd.ChartSource("web", "c/web/values.yaml", web_values, "s/web", web_schema),),
        defs=DEFS,
        chart_dir="c",
        readme_text=f"# T\n{vd.TABLE_START}\nold\n{vd.TABLE_END}\ntail\n",
        libraries=("common",),
    )


def test_refs_are_inlined_with_sibling_keys_winning_and_nested_refs_resolved() -> None:
    resolved = vd.resolve_refs({"$ref": "_defs.schema.yaml#/$defs/res", "description": "x"},
                               DEFS, {})
    assert resolved == {
        "type": "object",
        "properties": {"cpu": {"type": "string", "pattern": "^[0-9]+m?$"}},
        "description": "x",
    }


def test_unknown_ref_names_the_definition() -> None:
    with pytest.raises(UsageError, match="nope"):
        vd.resolve_refs({"$ref": "#/$defs/nope"}, {}, {})


def test_strict_closes_objects_with_properties_but_keeps_explicit_openness() -> None:
    out = vd.strict({"type": "object", "properties": {
        "a": {"type": "object", "properties": {"b": {"type": "integer"}}},
        "m": {"type": "object", "additionalProperties": {"type": "string"}},
        "g": {"type": "object", "additionalProperties": True, "properties": {}},
    }})
    assert out["additionalProperties"] is False
    assert out["properties"]["a"]["additionalProperties"] is False
    assert out["properties"]["m"]["additionalProperties"] == {"type": "string"}
    assert out["properties"]["g"]["additionalProperties"] is True


def test_subchart_schema_merges_umbrella_keys_and_adds_global_and_enabled() -> None:
    inputs = _inputs()
    schema = vd.subchart_schema(inputs, inputs.subcharts[0])
    assert set(schema["properties"]) == {"enabled", "image", "resources", "global"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["global"]["additionalProperties"] is True
    assert schema["properties"]["resources"]["description"] == "own"


def test_a_subchart_that_depends_on_a_library_accepts_its_key() -> None:
    """Installed alone, helm copies `global` under the library's key of the subchart's values."""
    inputs = _inputs()
    web = dataclasses.replace(inputs.subcharts[0], libraries=("common",))
    schema = vd.subchart_schema(inputs, web)
    assert schema["properties"]["common"]["properties"]["global"]["additionalProperties"] is True
    assert "common" not in vd.subchart_schema(inputs, inputs.subcharts[0])["properties"]


def test_umbrella_schema_holds_subcharts_and_libraries() -> None:
    schema = vd.umbrella_schema(_inputs())
    assert schema["properties"]["web"]["properties"]["image"]["additionalProperties"] is False
    assert schema["properties"]["common"]["properties"]["global"]["additionalProperties"] is True
    assert schema["properties"]["global"]["additionalProperties"] is True


def test_documented_keys_follow_indentation_and_continuations() -> None:
    docs = vd.documented_keys(WEB_VALUES)
    assert docs == {
        ("image", "repository"): "Repository of the image, continued on a second line.",
        ("resources",): "Resources.",
    }


def test_blank_line_drops_an_unattached_description() -> None:
    assert vd.documented_keys("# -- lost\n\nkey: 1\n") == {}


def test_generate_writes_schemas_and_table() -> None:
    out = vd.generate(_inputs())
    assert set(out) == {"c/values.schema.json", "c/charts/web/values.schema.json", "c/README.md"}
    umbrella = json.loads(out["c/values.schema.json"])
    assert umbrella["$schema"] == vd.SCHEMA_DIALECT
    readme = out["c/README.md"]
    assert "old" not in readme and readme.endswith(f"{vd.TABLE_END}\ntail\n")
    assert '| `web.image.repository` | string | `"web"` | Repository of the image,' in readme
    assert '| `db` | object | `{"enabled": true}` | Deploy the bundled db. |' in readme
    assert '| `web.resources` | object | `{"cpu": "100m"}` | Resources. |' in readme


def test_undocumented_key_is_named() -> None:
    with pytest.raises(UsageError, match=r"c/web/values.yaml: undocumented values keys: replicas"):
        vd.generate(_inputs(web_values=WEB_VALUES + "replicas: 2\n"))


def test_key_documented_twice_is_refused() -> None:
    twice = WEB_VALUES + "# -- Deploy the web again.\nenabled: true\n"
    with pytest.raises(UsageError, match=r"more than once: web.enabled"):
        vd.generate(_inputs(web_values=twice))


def test_missing_markers_name_the_readme() -> None:
    inputs = _inputs()
    broken = vd.DocsInputs(inputs.umbrella, inputs.subcharts, inputs.defs, "c", "no markers")
    with pytest.raises(UsageError, match="c/README.md: markers"):
        vd.generate(broken)


def test_stale_files_lists_changed_and_missing() -> None:
    expected = {"a": "1", "b": "2", "c": "3"}
    assert vd.stale_files(expected, {"a": "1", "b": "x", "c": None}) == ["b", "c"]


def test_enum_types_are_shown() -> None:
    assert vd._type_of({"type": "string", "enum": ["soft", "hard"]}) == 'string ("soft", "hard")'
