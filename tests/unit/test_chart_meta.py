"""Chart.yaml checks: semver, dependency resolution, version bump, template prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmkit.core.lint import chart_meta

CHART = """\
apiVersion: v2
name: umbrella
version: {version}
appVersion: "{app}"
dependencies:
  - name: common
    version: {constraint}
    repository: file://charts/common
"""


def make_chart(
    tmp_path: Path, version: str = "1.2.3", app: str = "2.0.0", constraint: str = "0.1.x"
) -> Path:
    (tmp_path / "charts" / "common" / "templates").mkdir(parents=True)
    (tmp_path / "Chart.yaml").write_text(
        CHART.format(version=version, app=app, constraint=constraint)
    )
    (tmp_path / "charts" / "common" / "Chart.yaml").write_text(
        "apiVersion: v2\nname: common\nversion: 0.1.4\ntype: library\n"
    )
    (tmp_path / "templates").mkdir()
    return tmp_path


def test_clean_chart(tmp_path: Path) -> None:
    info = chart_meta.load_chart(make_chart(tmp_path))
    assert list(chart_meta.semver_findings(info)) == []
    assert list(chart_meta.dependency_findings(info)) == []
    assert list(chart_meta.template_prefix_findings(tmp_path)) == []


def test_bad_semver_points_at_the_line(tmp_path: Path) -> None:
    info = chart_meta.load_chart(make_chart(tmp_path, version="1.2", app="latest"))
    version, app = chart_meta.semver_findings(info)
    assert (version.field_path, version.line) == ("version", 3)
    assert (app.field_path, app.line) == ("appVersion", 4)
    assert version.file.endswith("Chart.yaml")


@pytest.mark.parametrize(
    ("constraint", "ok"),
    [
        ("0.1.4", True),
        ("0.1.x", True),
        ("^0.1.0", True),
        ("~0.1.2", True),
        ('">=0.1.0 <0.2.0"', True),
        ("0.2.x", False),
        ("^0.2.0", False),
        ('">0.1.4"', False),
        ("'*'", True),
    ],
)
def test_dependency_constraints(tmp_path: Path, constraint: str, ok: bool) -> None:
    info = chart_meta.load_chart(make_chart(tmp_path, constraint=constraint))
    findings = list(chart_meta.dependency_findings(info))
    assert (findings == []) == ok, findings


def test_missing_dependency_and_unvendored_remote(tmp_path: Path) -> None:
    chart = make_chart(tmp_path)
    text = (
        (chart / "Chart.yaml")
        .read_text()
        .replace("name: common", "name: gone")
        .replace("charts/common", "charts/gone")
    )
    text += "  - name: redis\n    version: 1.0.0\n    repository: oci://example/charts\n"
    (chart / "Chart.yaml").write_text(text)
    missing, remote = chart_meta.dependency_findings(chart_meta.load_chart(chart))
    assert "no chart at" in missing.message
    assert "helm dependency build" in remote.hint


@pytest.mark.parametrize(
    ("old", "new", "bumped"),
    [
        ("1.2.3", "1.2.4", True),
        ("1.2.3", "1.2.3", False),
        ("1.2.3", "1.2.2", False),
        ("1.2.3-rc.1", "1.2.3", True),
        ("1.2.3", "1.2.3-rc.1", False),
        ("1.9.0", "1.10.0", True),
    ],
)
def test_version_bump(tmp_path: Path, old: str, new: str, bumped: bool) -> None:
    current = chart_meta.load_chart(make_chart(tmp_path, version=new))
    base = chart_meta.chart_from_text(
        tmp_path, CHART.format(version=old, app="1.0.0", constraint="0.1.x")
    )
    findings = list(chart_meta.version_bump_findings(current, base, "origin/main"))
    assert (findings == []) == bumped
    if findings:
        assert findings[0].rule == "chart-version-bump"
        assert old in findings[0].message


def test_unprefixed_named_template_in_a_subchart(tmp_path: Path) -> None:
    chart = make_chart(tmp_path)
    (chart / "charts/common/templates/_labels.tpl").write_text(
        '{{- define "common.labels" -}}\n{{- end -}}\n\n{{- define "labels" -}}\n{{- end -}}\n'
    )
    (chart / "templates/_helpers.tpl").write_text('{{ define "umbrella.name" }}x{{ end }}\n')
    (finding,) = chart_meta.template_prefix_findings(chart)
    assert finding.line == 4
    assert "'labels' is not prefixed with 'common.'" in finding.message
