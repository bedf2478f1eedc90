"""When helmkit's values check covers helm's (core.values.schema_coverage): each subchart's
schema held by its parent's, same draft, no references; anything unproven is "not covered"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helmkit.core.values import schema_coverage

REAL_CHART = Path(__file__).resolve().parents[2] / "charts" / "ai-native"
DRAFT7 = "http://json-schema.org/draft-07/schema#"
SUB: dict[str, Any] = {
    "$schema": DRAFT7,
    "title": "sub",
    "type": "object",
    "properties": {"port": {"type": "integer", "maximum": 9000}},
}


def _chart(directory: Path, name: str, schema: Any = None, deps: str = "") -> Path:
    directory.mkdir(parents=True)
    (directory / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n{deps}")
    if schema is not None:
        (directory / "values.schema.json").write_text(json.dumps(schema))
    return directory


def _umbrella(tmp_path: Path, copy: Any, sub: Any = SUB, deps: str = "") -> Path:
    root = {"$schema": DRAFT7, "type": "object", "properties": {"sub": copy}}
    chart = _chart(tmp_path / "umbrella", "umbrella", root if copy is not None else None, deps)
    _chart(chart / "charts" / "sub-dir", "sub", sub)
    return chart


def _copy(**changes: Any) -> dict[str, Any]:
    copy = {k: v for k, v in SUB.items() if k not in ("$schema", "title")}
    return {**copy, **changes}


def test_the_real_chart_is_covered() -> None:
    assert schema_coverage.uncovered(REAL_CHART) == []


def test_a_chart_without_subcharts_is_covered(tmp_path: Path) -> None:
    assert schema_coverage.uncovered(_chart(tmp_path / "c", "c", {"type": "object"})) == []


def test_an_exact_copy_under_the_chart_name_is_covered(tmp_path: Path) -> None:
    assert schema_coverage.uncovered(_umbrella(tmp_path, _copy(description="ok"))) == []


def test_a_subchart_without_a_schema_needs_nothing(tmp_path: Path) -> None:
    assert schema_coverage.uncovered(_umbrella(tmp_path, None, sub=None)) == []


def test_a_different_copy_is_not_covered(tmp_path: Path) -> None:
    loose = _copy(properties={"port": {"type": "integer"}})
    (problem,) = schema_coverage.uncovered(_umbrella(tmp_path, loose))
    assert "differs from the parent's properties.sub" in problem


def test_a_missing_copy_is_not_covered(tmp_path: Path) -> None:
    (problem,) = schema_coverage.uncovered(_umbrella(tmp_path, None))
    assert "has no properties.sub" in problem


def test_another_draft_is_not_covered(tmp_path: Path) -> None:
    sub = {**SUB, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    (problem,) = schema_coverage.uncovered(_umbrella(tmp_path, _copy(), sub=sub))
    assert "draft" in problem
    (problem,) = schema_coverage.uncovered(
        _umbrella(
            tmp_path / "no-draft", _copy(), sub={k: v for k, v in SUB.items() if k != "$schema"}
        )
    )
    assert "draft" in problem


def test_references_are_not_covered(tmp_path: Path) -> None:
    sub = {**SUB, "properties": {"port": {"$ref": "#/definitions/port"}}}
    copy = {k: v for k, v in sub.items() if k not in ("$schema", "title")}
    problems = schema_coverage.uncovered(_umbrella(tmp_path, copy, sub=sub))
    assert problems and all("references" in p for p in problems)


def test_a_parent_schema_with_a_reference_is_not_covered(tmp_path: Path) -> None:
    """Draft 7: keywords beside a `$ref` are ignored, so `properties.sub` may never apply."""
    chart = _umbrella(tmp_path, _copy())
    schema = json.loads((chart / "values.schema.json").read_text())
    schema["$ref"] = "#/definitions/anything"
    (chart / "values.schema.json").write_text(json.dumps(schema))
    (problem,) = schema_coverage.uncovered(chart)
    assert "umbrella/values.schema.json: holds references" in problem


def test_what_helm_loads_from_charts_decides(tmp_path: Path) -> None:
    """Entries named `.*` or `_*` are not subcharts for helm; requirements.yaml and a
    .helmignore that may drop a subchart are not covered."""
    chart = _umbrella(tmp_path, _copy())
    (chart / "charts" / ".gitkeep").write_text("")
    _chart(chart / "charts" / "_draft", "draft", {"$schema": DRAFT7, "type": "string"})
    assert schema_coverage.uncovered(chart) == []
    (chart / "requirements.yaml").write_text("dependencies: []\n")
    assert any("requirements.yaml" in p for p in schema_coverage.uncovered(chart))
    (chart / "requirements.yaml").unlink()
    (chart / ".helmignore").write_text("*.bak\n.git/\nci/\n")
    assert schema_coverage.uncovered(chart) == []
    (chart / ".helmignore").write_text("# old copies\nsub-*/\n")
    (problem,) = schema_coverage.uncovered(chart)
    assert ".helmignore may leave it out" in problem


def test_a_chart_yaml_that_is_not_a_mapping_is_not_covered(tmp_path: Path) -> None:
    chart = _umbrella(tmp_path, _copy())
    (chart / "charts" / "sub-dir" / "Chart.yaml").write_text("- a list\n")
    (problem,) = schema_coverage.uncovered(chart)
    assert "cannot be read" in problem


def test_aliases_and_packaged_subcharts_are_not_covered(tmp_path: Path) -> None:
    deps = "dependencies:\n  - {name: sub, version: 0.1.0, alias: other}\n"
    problems = schema_coverage.uncovered(_umbrella(tmp_path, _copy(), deps=deps))
    assert any("alias" in p for p in problems)
    deps = "dependencies:\n  - {name: sub, version: 0.1.0, import-values: [data]}\n"
    problems = schema_coverage.uncovered(_umbrella(tmp_path / "imports", _copy(), deps=deps))
    assert any("import-values" in p for p in problems)
    packaged = _umbrella(tmp_path / "packaged", _copy())
    (packaged / "charts" / "other-0.1.0.tgz").write_bytes(b"\x1f\x8b")
    (problem,) = schema_coverage.uncovered(packaged)
    assert "packaged subchart" in problem


def test_a_nested_subchart_is_checked_against_its_parents_copy(tmp_path: Path) -> None:
    chart = _umbrella(tmp_path, _copy())
    _chart(chart / "charts" / "sub-dir" / "charts" / "leaf", "leaf", {"$schema": DRAFT7})
    (problem,) = schema_coverage.uncovered(chart)
    assert "has no properties.leaf" in problem


def test_an_unreadable_schema_is_not_covered(tmp_path: Path) -> None:
    chart = _umbrella(tmp_path, _copy())
    (chart / "values.schema.json").write_text("{broken")
    (problem,) = schema_coverage.uncovered(chart)
    assert "cannot be read" in problem
