"""Chart.yaml checks: semver, dependencies resolvable, version bumped against a git base, and
every named template prefixed with its chart's name (template names are global in Helm)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from helmkit.core import semver_range
from helmkit.core.findings import Finding, Severity
from helmkit.core.yaml_source import load_yaml_file, parse_yaml

_DEFINE = re.compile(r"\{\{-?\s*define\s+\"([^\"]+)\"")


@dataclass(frozen=True)
class ChartInfo:
    path: Path
    name: str
    version: str
    app_version: str
    dependencies: tuple[dict[str, Any], ...]
    lines: dict[str, int | None]


def load_chart(chart_dir: Path) -> ChartInfo:
    source = load_yaml_file(str(chart_dir / "Chart.yaml"))
    return chart_from_source(chart_dir, source.data or {}, source.line_of)


def chart_from_text(chart_dir: Path, text: str) -> ChartInfo:
    source = parse_yaml(text, str(chart_dir / "Chart.yaml"))
    return chart_from_source(chart_dir, source.data or {}, source.line_of)


def chart_from_source(chart_dir: Path, data: dict[str, Any], line_of: Any) -> ChartInfo:
    return ChartInfo(
        path=chart_dir,
        name=str(data.get("name", "")),
        version=str(data.get("version", "")),
        app_version=str(data.get("appVersion", "")),
        dependencies=tuple(data.get("dependencies") or ()),
        lines={key: line_of([key]) for key in ("version", "appVersion", "dependencies")},
    )


def _chart_finding(chart: ChartInfo, rule: str, key: str, message: str, hint: str) -> Finding:
    return Finding(
        rule=rule,
        severity=Severity.ERROR,
        message=message,
        hint=hint,
        file=str(chart.path / "Chart.yaml"),
        line=chart.lines.get(key),
        obj=f"Chart/{chart.name}",
        field_path=key,
    )


def semver_findings(chart: ChartInfo) -> Iterator[Finding]:
    if not semver_range.is_strict(chart.version):
        yield _chart_finding(
            chart,
            "chart-semver",
            "version",
            f"version {chart.version!r} is not semver 2",
            "use MAJOR.MINOR.PATCH, e.g. 0.2.0",
        )
    if not semver_range.is_strict(chart.app_version.removeprefix("v")):
        yield _chart_finding(
            chart,
            "chart-semver",
            "appVersion",
            f"appVersion {chart.app_version!r} is not a semver version",
            "set appVersion to the application's release, e.g. 1.4.2 (image tags default to it)",
        )


def dependency_findings(chart: ChartInfo) -> Iterator[Finding]:
    for position, dep in enumerate(chart.dependencies):
        name = str(dep.get("name", ""))
        repo = str(dep.get("repository", "") or "")
        where = f"dependencies[{position}]"
        unpacked = chart.path / "charts" / name
        if repo and not repo.startswith("file://"):
            vendored = list((chart.path / "charts").glob(f"{name}-*.tgz"))
            if vendored:
                continue
            if not (unpacked / "Chart.yaml").is_file():  # helm also loads an unpacked copy
                yield _chart_finding(
                    chart,
                    "chart-dependencies",
                    "dependencies",
                    f"{where} {name!r} from {repo} is not vendored (no charts/{name}-*.tgz "
                    f"and no charts/{name}/)",
                    f"run `helm dependency build {chart.path}`",
                )
                continue
        local = (
            chart.path / repo.removeprefix("file://")
            if repo.startswith("file://")
            else unpacked
        )
        if not (local / "Chart.yaml").is_file():
            yield _chart_finding(
                chart,
                "chart-dependencies",
                "dependencies",
                f"{where} {name!r}: no chart at {local}",
                "fix the repository path or add the chart",
            )
            continue
        sub = load_chart(local)
        wanted = str(dep.get("version", "") or "*")
        if sub.version == wanted:
            continue  # helm's shortcut: an exact match needs no constraint
        try:
            ok = semver_range.satisfies(wanted, sub.version)
        except ValueError as exc:
            yield _chart_finding(
                chart,
                "chart-dependencies",
                "dependencies",
                f"{where} {name!r}: invalid version or constraint ({exc})",
                "use a semver version in the subchart and a constraint helm reads, e.g. ~0.1",
            )
            continue
        if not ok:
            yield _chart_finding(
                chart,
                "chart-dependencies",
                "dependencies",
                f"{where} {name!r} wants version {wanted!r} but {local} is {sub.version}",
                "align the dependency's version constraint with the subchart's Chart.yaml",
            )


def version_bump_findings(
    chart: ChartInfo, base: ChartInfo | None, base_ref: str
) -> Iterator[Finding]:
    """check-version-increment: a changed chart must carry a higher version than at the base."""
    if base is None:
        return
    try:
        bumped = semver.Version.parse(chart.version) > semver.Version.parse(base.version)
    except ValueError:
        return  # chart-semver reports the bad version
    if not bumped:
        yield _chart_finding(
            chart,
            "chart-version-bump",
            "version",
            f"chart changed since {base_ref} but version {chart.version} is not higher than "
            f"{base.version} there",
            f"bump `version` in {chart.path / 'Chart.yaml'} (e.g. the patch number)",
        )


def chart_dirs(chart_dir: Path) -> Iterator[Path]:
    """The chart and its unpacked subcharts, recursively."""
    yield chart_dir
    sub_root = chart_dir / "charts"
    if sub_root.is_dir():
        for sub in sorted(sub_root.iterdir()):
            if (sub / "Chart.yaml").is_file():
                yield from chart_dirs(sub)


def _defines(chart_dir: Path) -> Iterator[tuple[str, Path, str, re.Match[str]]]:
    """(chart name, template file, its text, the define) for the chart and its subcharts."""
    for directory in chart_dirs(chart_dir):
        name = load_chart(directory).name
        templates = directory / "templates"
        if not templates.is_dir():
            continue
        for path in sorted(templates.rglob("*")):
            if path.suffix not in (".tpl", ".yaml", ".yml", ".txt") or not path.is_file():
                continue
            text = path.read_text("utf-8", errors="replace")
            for match in _DEFINE.finditer(text):
                yield name, path, text, match


def free_name(chart: str, template: str, taken: set[str]) -> str:
    """`<chart>.<template>`, the whole old name kept (two helpers ending alike stay apart),
    numbered when that name is taken too; added to `taken`."""
    base = f"{chart}.{template}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def template_prefix_findings(chart_dir: Path) -> Iterator[Finding]:
    defines = list(_defines(chart_dir))
    taken = {match.group(1) for _, _, _, match in defines}
    for name, path, text, match in defines:
        template = match.group(1)
        if template.startswith(f"{name}."):
            continue
        yield Finding(
            rule="template-prefix",
            severity=Severity.ERROR,
            message=f"named template {template!r} is not prefixed with {name + '.'!r}: names "
            "are global across subcharts and collide",
            hint=f"rename it to {free_name(name, template, taken)} (and every include of it)",
            obj=f"Chart/{name}",
            field_path=f'define "{template}"',
            file=str(path),
            line=text.count("\n", 0, match.start()) + 1,
        )
