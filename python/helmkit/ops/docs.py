"""Read the docs sources from the repository, and write or check the generated files: the
values tables and values.schema.json files (from the schema sources), and the rule list in the
repository's README.md (from `helmkit.core.lint.rules`, between its markers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from helmkit.core.lint import rules
from helmkit.core.values import docs as core
from helmkit.errors import CheckFailed, InputFileError

SCHEMA_DIR = "schemas/values"
# libyaml when present: `helmkit lint` checks the docs on every run (the pure-Python parser is
# several times slower on the schema sources)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CHART_DIR = "charts/ai-native"


def _read(root: Path, rel: str) -> str:
    try:
        return (root / rel).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(rel, f"cannot read: {exc.strerror}") from exc


def _schema(root: Path, rel: str) -> dict[str, Any] | None:
    if not (root / rel).exists():
        return None
    try:
        data = yaml.load(_read(root, rel), Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputFileError(rel, f"not valid YAML: {exc}", line=line) from exc
    if not isinstance(data, dict):
        raise InputFileError(rel, "a schema must be a mapping")
    return data


def _source(
    root: Path, name: str, chart_path: str, schema_dir: str, libraries: tuple[str, ...] = ()
) -> core.ChartSource:
    values_file = f"{chart_path}/values.yaml"
    schema_file = f"{schema_dir}/{name}.schema.yaml"
    return core.ChartSource(
        name=name,
        values_file=values_file,
        values_text=_read(root, values_file) if (root / values_file).exists() else "",
        schema_file=schema_file,
        schema=_schema(root, schema_file),
        libraries=_dependencies(root, chart_path, libraries),
    )


def _dependencies(root: Path, chart_path: str, libraries: tuple[str, ...]) -> tuple[str, ...]:
    """Which of the umbrella's library charts this chart depends on too (a subchart that also
    installs alone declares the library itself)."""
    if not libraries:
        return ()
    meta = yaml.load(_read(root, f"{chart_path}/Chart.yaml"), Loader=_LOADER) or {}  # noqa: S506
    deps = [dep for dep in meta.get("dependencies") or () if isinstance(dep, dict)]
    names = {str(dep.get("name")) for dep in deps}
    return tuple(library for library in libraries if library in names)


def _subchart_names(root: Path, chart_dir: str, *, library: bool) -> list[str]:
    """Subcharts under charts/: application ones, or (library=True) library ones."""
    names = []
    for chart_yaml in sorted((root / chart_dir / "charts").glob("*/Chart.yaml")):
        meta = yaml.load(chart_yaml.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506
        if (meta.get("type", "application") == "library") == library:
            names.append(chart_yaml.parent.name)
    return names


def load_inputs(
    root: Path, chart_dir: str = CHART_DIR, schema_dir: str = SCHEMA_DIR
) -> core.DocsInputs:
    """Collect every source the generator reads (paths relative to root, from helmkit.yaml)."""
    libraries = tuple(_subchart_names(root, chart_dir, library=True))
    return core.DocsInputs(
        umbrella=_source(root, core.UMBRELLA, chart_dir, schema_dir),
        subcharts=tuple(
            _source(root, name, f"{chart_dir}/charts/{name}", schema_dir, libraries)
            for name in _subchart_names(root, chart_dir, library=False)
        ),
        libraries=libraries,
        defs=(_schema(root, f"{schema_dir}/{core.DEFS_FILE}") or {}).get("$defs", {}),
        chart_dir=chart_dir,
        readme_text=_read(root, f"{chart_dir}/README.md"),
    )


def rule_list(root: Path) -> dict[str, str]:
    """README.md with its generated rule list (nothing when it has no rule-list markers)."""
    readme = root / "README.md"
    if not readme.is_file():
        return {}
    text = rules.with_rule_list(readme.read_text(encoding="utf-8"))
    return {} if text is None else {"README.md": text}


def generated(
    root: Path, chart_dir: str = CHART_DIR, schema_dir: str = SCHEMA_DIR
) -> dict[str, str]:
    """Repo-relative path -> expected content of every generated file."""
    return {**core.generate(load_inputs(root, chart_dir, schema_dir)), **rule_list(root)}


def run(
    root: Path, *, check: bool, chart_dir: str = CHART_DIR, schema_dir: str = SCHEMA_DIR
) -> list[str]:
    """Write the generated files (or, with check, raise CheckFailed naming the stale ones).

    Returns the paths written (or found up to date).
    """
    expected = generated(root, chart_dir, schema_dir)
    actual = {
        rel: (root / rel).read_text(encoding="utf-8") if (root / rel).exists() else None
        for rel in expected
    }
    stale = core.stale_files(expected, actual)
    if check:
        if stale:
            raise CheckFailed(f"generated files are stale: {', '.join(stale)}", hint=core.FIX_HINT)
        return sorted(expected)
    for rel in stale:
        (root / rel).write_text(expected[rel], encoding="utf-8")
    return stale
