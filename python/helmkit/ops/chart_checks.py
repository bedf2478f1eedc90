"""Chart-level lint checks that need git or other engineers' modules: version bump against the
git base (ct's check-version-increment), generated docs and schemas up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helmkit.adapters import git
from helmkit.core.lint import chart_meta, rules
from helmkit.core.model import content_hash
from helmkit.core.model.findings import Finding, Severity
from helmkit.core.values import docs as values_docs
from helmkit.core.values.yaml_source import load_yaml_file
from helmkit.errors import HelmkitError
from helmkit.ops import docs

DEFAULT_REMOTE = "origin"
# what the docs generator reads from a chart (templates are not among them)
DOCS_INPUTS = ("values.yaml", "values.schema.json", "README.md", "Chart.yaml")
DEFAULT_TARGET_BRANCH = "main"


def ct_settings(repo_dir: Path) -> tuple[str, str]:
    """remote and target-branch from ct.yaml (ct's own defaults when absent)."""
    path = repo_dir / "ct.yaml"
    data: dict[str, Any] = {}
    if path.is_file():
        data = load_yaml_file(str(path), helm=False).data or {}
    return str(data.get("remote", DEFAULT_REMOTE)), str(
        data.get("target-branch", DEFAULT_TARGET_BRANCH)
    )


def _skip(chart: Path, message: str) -> Finding:
    return Finding(
        rule="chart-version-bump",
        severity=Severity.WARNING,
        message=message,
        hint="fetch the target branch (`git fetch origin main`) so the check can run",
        file=str(chart / "Chart.yaml"),
    )


def version_bump(chart: Path, repo_dir: Path) -> list[Finding]:
    top = git.toplevel(repo_dir)
    if top is None:
        return [_skip(chart, "not a git repository: version increment NOT checked")]
    remote, target = ct_settings(repo_dir)
    base = git.find_base(top, remote, target)
    if base is None:
        where = (
            f"on {target} itself without {remote}/{target}"
            if git.current_branch(top) == target
            else f"neither {remote}/{target} nor a local {target} branch"
        )
        return [_skip(chart, f"no git base ({where}): version increment NOT checked")]
    if not git.changed_since(top, base.ref, chart):
        return []
    old_text = git.show(top, base.ref, chart / "Chart.yaml")
    if old_text is None:
        return []  # a new chart: any version is an increment
    current = chart_meta.load_chart(chart)
    old = chart_meta.chart_from_text(chart, old_text)
    return list(chart_meta.version_bump_findings(current, old, f"{base.how} ({base.ref[:12]})"))


def docs_key(repo_dir: Path, chart: Path, schema_dir: str = docs.SCHEMA_DIR) -> str:
    """Everything the docs generator reads lives in the schema sources, the chart, the
    README (its rule list) and the rules table."""
    return content_hash.combine(
        content_hash.hash_tree(repo_dir / schema_dir),
        content_hash.hash_named(chart, DOCS_INPUTS),
        content_hash.hash_files([repo_dir / "README.md"]),
        rules.table_digest(),
    )


def docs_up_to_date(
    repo_dir: Path, chart_dir: str = docs.CHART_DIR, schema_dir: str = docs.SCHEMA_DIR
) -> list[Finding]:
    """Stale generated files (values tables, values.schema.json, the README's rule list),
    from `helmkit docs`' logic."""
    if not (repo_dir / schema_dir).is_dir():
        return [
            Finding(
                rule="docs-stale",
                severity=Severity.INFO,
                message=f"no {schema_dir} next to helmkit.yaml: generated docs not checked",
                hint="only charts with values schema sources have generated docs",
            )
        ]
    try:
        expected = docs.generated(repo_dir, chart_dir, schema_dir)
    except HelmkitError as exc:  # a broken docs source is a finding, not the end of the lint
        return [
            Finding(
                rule="docs-source",
                severity=Severity.ERROR,
                message=exc.message,
                hint=exc.hint or "fix the docs sources, then run `helmkit docs`",
            )
        ]
    actual = {
        rel: (repo_dir / rel).read_text("utf-8") if (repo_dir / rel).exists() else None
        for rel in expected
    }
    return [
        Finding(
            rule="docs-stale",
            severity=Severity.ERROR,
            message="generated file is out of date with its sources (schema sources, "
            "values.yaml comments, the rules table)",
            hint="run `helmkit docs` and commit the result",
            file=rel,
        )
        for rel in values_docs.stale_files(expected, actual)
    ]


def chart_findings(chart: Path, repo_dir: Path) -> list[Finding]:
    info = chart_meta.load_chart(chart)
    findings = list(chart_meta.semver_findings(info))
    findings += chart_meta.dependency_findings(info)
    findings += chart_meta.template_prefix_findings(chart)
    findings += version_bump(chart, repo_dir)
    return findings
