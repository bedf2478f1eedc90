"""The values a chart's templates see, computed as Helm computes them (a port of
pkg/chart/common/util/coalesce.go and the enabled-dependency pass of
pkg/chart/v2/util/dependencies.go, Helm 4.3; tests/cli/test_helm_parity.py compares the
result with `.Values` printed by the real helm4 and helm3).

    tree = load_tree(chart_dir, read_values)
    values = coalesce_chart(tree, user_values)

User values (the `-f` files merged, then the `--set*` flags) win over the chart's defaults,
maps merge, a `null` deletes a default; each enabled subchart gets its defaults and the
parent's `global` under its name; a subchart disabled by its `condition` or `tags` gets
neither. Aliases and import-values are not used by our charts and are not modelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GLOBAL = "global"
NOT_LOADED = (".", "_")  # helm's loader skips charts/ entries named so


@dataclass
class Dependency:
    name: str
    condition: str = ""
    tags: tuple[str, ...] = ()
    enabled: bool = True


@dataclass
class ChartNode:
    name: str
    values: dict[str, Any]
    requirements: list[Dependency] = field(default_factory=list)
    charts: list[ChartNode] = field(default_factory=list)  # the chart's charts/ directories


def _copy(value: Any) -> Any:
    """A deep copy of parsed YAML (maps, lists, immutable scalars): copy.deepcopy's
    bookkeeping made it the costliest step of a lint run's values check."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def load_tree(chart_dir: Path, read_yaml: Callable[[Path], Any]) -> ChartNode:
    """A chart and its unpacked subcharts (charts/*/), with Chart.yaml's dependencies."""
    meta = read_yaml(chart_dir / "Chart.yaml") or {}
    values_path = chart_dir / "values.yaml"
    values = read_yaml(values_path) if values_path.is_file() else None
    requirements = [
        Dependency(
            name=str(dep.get("alias") or dep.get("name") or ""),
            condition=str(dep.get("condition") or ""),
            tags=tuple(str(t) for t in dep.get("tags") or ()),
        )
        for dep in meta.get("dependencies") or ()
        if isinstance(dep, dict)
    ]
    charts = []
    sub_root = chart_dir / "charts"
    if sub_root.is_dir():
        for sub in sorted(sub_root.iterdir()):
            if (sub / "Chart.yaml").is_file() and not sub.name.startswith(NOT_LOADED):
                charts.append(load_tree(sub, read_yaml))
    return ChartNode(
        name=str(meta.get("name") or chart_dir.name),
        values=values if isinstance(values, dict) else {},
        requirements=requirements,
        charts=charts,
    )


def coalesce_chart(
    chart: ChartNode, user: dict[str, Any], *, helm_major: int = 4
) -> dict[str, Any]:
    """`.Values` of `chart` for these user values (neither argument is modified).

    Helm 3 keeps a chart default's `null` in `.Values`; Helm 4 drops it (the only difference
    between the two majors' coalesce.go)."""
    keep = helm_major < 4
    enabled = _enabled_tree(chart, user, "", keep)
    return coalesce(enabled, _copy(user), merge=False, keep_default_nulls=keep)


def _enabled_tree(chart: ChartNode, values: dict[str, Any], path: str, keep: bool) -> ChartNode:
    """processDependencyEnabled: drops subcharts whose condition or tags disable them."""
    if not chart.requirements:
        return chart
    for req in chart.requirements:
        req.enabled = True
    current = coalesce(chart, _copy(values), merge=False, keep_default_nulls=keep)
    _apply_tags(chart.requirements, current)
    _apply_conditions(chart.requirements, current, path)
    disabled = {r.name for r in chart.requirements if not r.enabled}
    kept = [c for c in chart.charts if c.name not in disabled]
    return ChartNode(
        chart.name,
        chart.values,
        [r for r in chart.requirements if r.enabled],
        [_enabled_tree(c, current, f"{path}{c.name}.", keep) for c in kept],
    )


def _path_value(values: dict[str, Any], path: str) -> tuple[bool, Any]:
    """Values.PathValue: (found, value) of a dotted path whose last step is a leaf."""
    *tables, leaf = path.split(".")
    node: Any = values
    for step in tables:
        if not isinstance(node, dict) or not isinstance(node.get(step), dict):
            return False, None
        node = node[step]
    if not isinstance(node, dict) or leaf not in node:
        return False, None
    return True, node[leaf]


def _apply_conditions(reqs: list[Dependency], values: dict[str, Any], path: str) -> None:
    for req in reqs:
        for condition in req.condition.strip().split(","):
            if not condition:
                continue
            found, value = _path_value(values, path + condition)
            if found and isinstance(value, bool):
                req.enabled = value
                break


def _apply_tags(reqs: list[Dependency], values: dict[str, Any]) -> None:
    tags = values.get("tags")
    if not isinstance(tags, dict):
        return
    for req in reqs:
        picked = [tags[t] for t in req.tags if isinstance(tags.get(t), bool)]
        has_true, has_false = True in picked, False in picked
        if not has_true and has_false:
            req.enabled = False
        else:
            req.enabled = True


def coalesce(
    chart: ChartNode, dest: dict[str, Any], *, merge: bool, keep_default_nulls: bool = False
) -> dict[str, Any]:
    _coalesce_values(chart, dest, merge, keep_default_nulls)
    return _coalesce_deps(chart, dest, merge, keep_default_nulls)


def _coalesce_deps(
    chart: ChartNode, dest: dict[str, Any], merge: bool, keep: bool
) -> dict[str, Any]:
    for sub in chart.charts:
        current = dest.setdefault(sub.name, {})
        if not isinstance(current, dict):
            raise ValueError(f"type mismatch on {sub.name}: %!t({type(current).__name__})")
        _coalesce_globals(current, dest)
        dest[sub.name] = coalesce(sub, current, merge=merge, keep_default_nulls=keep)
    return dest


def _coalesce_globals(dest: dict[str, Any], src: dict[str, Any]) -> None:
    dest_globals = dest.get(GLOBAL, {})
    src_globals = src.get(GLOBAL, {})
    if not isinstance(dest_globals, dict) or not isinstance(src_globals, dict):
        return  # helm warns "skipping globals because ... is not a table"
    for key, value in src_globals.items():
        if isinstance(value, dict):
            copied = dict(value)
            have = dest_globals.get(key)
            if key not in dest_globals:
                dest_globals[key] = copied
            elif isinstance(have, dict):
                _coalesce_tables(copied, have, merge=True)
                dest_globals[key] = copied
        elif not isinstance(dest_globals.get(key), dict):
            dest_globals[key] = value
    dest[GLOBAL] = dest_globals


def _coalesce_values(chart: ChartNode, user: dict[str, Any], merge: bool, keep: bool) -> None:
    defaults = _copy(chart.values)
    subcharts = {c.name for c in chart.charts}
    for key, default in defaults.items():
        if key in user:
            value = user[key]
            if value is None and not merge:
                del user[key]
            elif isinstance(value, dict) and isinstance(default, dict):
                table_merge = merge or key in subcharts
                if not table_merge and not keep:
                    _clean_nils(default)
                _coalesce_tables(value, default, merge=table_merge)
        else:
            if not merge and not keep:
                if default is None:
                    continue
                if isinstance(default, dict):
                    _clean_nils(default)
            user[key] = default


def _coalesce_tables(dst: dict[str, Any], src: dict[str, Any], *, merge: bool) -> dict[str, Any]:
    """coalesceTablesFullKey: dst (higher precedence) keeps its values, src fills the gaps."""
    src_non_nil = {key for key, value in src.items() if value is not None}
    for key, value in dst.items():
        if value is None:
            src[key] = None
    for key, value in src.items():
        if key in dst and not merge and dst[key] is None and key in src_non_nil:
            del dst[key]
        elif key not in dst:
            dst[key] = value
        elif isinstance(value, dict) and isinstance(dst[key], dict):
            _coalesce_tables(dst[key], value, merge=merge)
    return dst


def _clean_nils(table: dict[str, Any]) -> None:
    for key in list(table):
        value = table[key]
        if value is None:
            del table[key]
        elif isinstance(value, dict):
            _clean_nils(value)
