"""Dependency constraints decided as the real helm4 and helm3 decide them.

One chart with a subchart per case (charts/depN at version V, Chart.yaml asking for constraint
C): `helm dependency list` gives helm's verdict for every case at once, compared with
helmkit's (core.lint.semver_range, used by the chart-dependencies check).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_support import helm_path

from helmkit.core.lint import chart_meta, semver_range

# (constraint, version of the unpacked subchart)
CASES: list[tuple[str, str]] = [
    ("~1", "1.9.3"),
    ("~1", "2.0.0"),
    ("~1", "1.0.0-rc.1"),
    ("~1.2", "1.2.9"),
    ("~1.2", "1.3.0"),
    ("~1.2.3", "1.2.9"),
    ("~1.2.3", "1.3.0"),
    ("~0", "0.9.0"),
    ("~0.0", "0.0.7"),
    ("~>1.2", "1.2.4"),
    ("^0.0", "0.0.5"),
    ("^0.0", "0.1.0"),
    ("^0.0.3", "0.0.3"),
    ("^0.0.3", "0.0.4"),
    ("^0.2", "0.2.9"),
    ("^0.2", "0.3.0"),
    ("^0.2.3", "0.2.2"),
    ("^1", "1.99.0"),
    ("^1", "2.0.0"),
    ("^1.2", "1.1.0"),
    ("^1.2.3-beta.2", "1.2.3-beta.4"),
    ("^1.2.3-beta.2", "1.2.4-beta.1"),
    ("^1.2.3", "1.2.4-rc.1"),
    (">=1 <2 || 3.x", "3.1.0"),
    (">=1 <2 || 3.x", "2.5.0"),
    (">=1, <2", "1.5.0"),
    ("1.2 - 1.4", "1.4.9"),
    ("1.2 - 1.4", "1.5.0"),
    ("1.2 - 1.4.5", "1.4.6"),
    ("1.2.3 - 2", "2.9.0"),
    ("1.2.3 - 2", "1.2.2"),
    ("*", "1.0.0"),
    ("*", "1.0.0-rc.1"),
    ("x", "0.0.1"),
    ("1.x", "1.4.0"),
    ("1.x", "2.0.0"),
    ("1.2.x", "1.2.7"),
    ("1.2.X", "1.3.0"),
    ("1.2.*", "1.2.0"),
    ("1", "1.7.0"),
    ("1.2", "1.2.5"),
    ("1.2", "1.3.0"),
    ("=1.2.3", "1.2.3"),
    ("1.2.3", "1.2.4"),
    ("v1.2.3", "1.2.3"),
    ("!=1.2.3", "1.2.4"),
    ("!=1.2.3", "1.2.3"),
    ("!=1.2", "1.2.9"),
    ("!=1.x", "2.0.0"),
    (">1.2", "1.2.9"),
    (">1.2", "1.3.0"),
    (">1", "1.9.0"),
    (">1", "2.0.0"),
    (">1.2.3", "1.2.4-rc.1"),
    (">1.2.3-alpha", "1.2.3-beta"),
    (">=1.2.3-0", "1.2.3-rc.1"),
    (">=1.2.3", "1.2.3-rc.1"),
    ("<1.2.3", "1.2.3-rc.1"),
    ("<2", "1.9.9"),
    ("<=1.2", "1.2.9"),
    ("<=1.2", "1.3.0"),
    ("<=1", "1.9.0"),
    ("=<1.2.3", "1.2.3"),
    ("=>1.2.3", "1.2.3"),
    (">= 1.2, < 3.0.0 || >= 4.2.3", "4.5.0"),
    (">= 1.2, < 3.0.0 || >= 4.2.3", "3.5.0"),
    ("1.2.3 || 1.2.5", "1.2.5"),
    ("~1.2.3-rc.1", "1.2.3-rc.2"),
    ("0.1.0", "0.1.0"),
    ("^0", "0.5.0"),
    ("^0.x", "0.5.0"),
    ("~0.1.0", "0.1.5"),
    ("latest", "1.0.0"),
    (">=a", "1.0.0"),
    ("1.2.3.4", "1.2.3"),
]


def _status_by_helm(helm: str, root: Path) -> dict[str, str]:
    chart = root / "chart"
    deps = []
    for index, (constraint, version) in enumerate(CASES):
        sub = chart / "charts" / f"dep{index}"
        sub.mkdir(parents=True)
        (sub / "Chart.yaml").write_text(f"apiVersion: v2\nname: dep{index}\nversion: {version}\n")
        deps.append(f"  - name: dep{index}\n    version: {constraint!r}\n")
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n" + "".join(deps)
    )
    proc = subprocess.run(
        [helm, "dependency", "list", str(chart)], capture_output=True, text=True, check=True
    )
    statuses = {}
    for line in proc.stdout.splitlines()[1:]:
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) >= 4 and cells[0].startswith("dep"):
            statuses[cells[0]] = cells[3]
    return statuses


def _helmkit(constraint: str, version: str) -> str:
    if constraint == version:
        return "unpacked"
    try:
        return "unpacked" if semver_range.satisfies(constraint, version) else "wrong version"
    except ValueError:
        return "invalid version"


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
def test_constraints_match_helm(helm: str, tmp_path: Path) -> None:
    by_helm = _status_by_helm(helm_path(helm), tmp_path)
    assert len(by_helm) == len(CASES), by_helm
    mismatches = [
        (constraint, version, by_helm[f"dep{i}"], _helmkit(constraint, version))
        for i, (constraint, version) in enumerate(CASES)
        if by_helm[f"dep{i}"] != _helmkit(constraint, version)
    ]
    assert not mismatches, mismatches
    assert {"unpacked", "wrong version", "invalid version"} <= set(by_helm.values())


def test_the_chart_check_uses_helms_rules(tmp_path: Path) -> None:
    """`^0.0` does not admit 0.1.0; `~1` admits 1.9.3 (the hand-written checker refused it)."""
    for name, version in (("a", "0.1.0"), ("b", "1.9.3")):
        sub = tmp_path / "charts" / name
        sub.mkdir(parents=True)
        (sub / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: {version}\n")
    (tmp_path / "Chart.yaml").write_text(
        "apiVersion: v2\nname: p\nversion: 0.1.0\ndependencies:\n"
        "  - {name: a, version: '^0.0'}\n  - {name: b, version: '~1'}\n"
    )
    findings = list(chart_meta.dependency_findings(chart_meta.load_chart(tmp_path)))
    assert [f.message for f in findings] == [
        f"dependencies[0] 'a' wants version '^0.0' but {tmp_path / 'charts' / 'a'} is 0.1.0"
    ]
