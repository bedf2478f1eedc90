"""`helmkit lint [CHART] [--env ENV]... [--values FILE]... [--kube-version V]...`"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from helmkit.cli.options import (
    cache_option,
    config_option,
    emit,
    finish,
    format_option,
    load,
    output_option,
    short_lived_run,
    values_options,
)

if TYPE_CHECKING:
    from helmkit.core.config import HelmkitConfig


def _config(config_path: Path | None, chart: Path | None) -> HelmkitConfig:
    """--config, else the helmkit.yaml nearest to CHART when it configures that chart (or the
    one nearest the working directory without CHART); a chart no helmkit.yaml configures is
    linted on its own (core.config.default_config)."""
    if config_path is not None or chart is None:
        return load(config_path)
    from helmkit.core.config import default_config, find_config
    from helmkit.errors import UsageError

    try:
        config = load(find_config(chart))
    except UsageError:
        return default_config(chart)
    if config.chart.resolve() != chart.resolve():
        return default_config(chart)
    return config


@click.command("lint")
@click.argument("chart", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--env", "environments", multiple=True, help="Lint only this environment.")
@click.option("--scenario", "scenarios", multiple=True, help="Lint only this scenario.")
@click.option(
    "--kube-version",
    "kube_versions",
    multiple=True,
    help="Validate against this Kubernetes version (default: helmkit.yaml kubeVersions).",
)
@click.option(
    "--full-helm-lint",
    is_flag=True,
    help="Run `helm lint --strict` for every scenario, not only the defaults.",
)
@values_options
@config_option
@format_option
@output_option
@cache_option
def lint(
    chart: Path | None,
    environments: tuple[str, ...],
    scenarios: tuple[str, ...],
    kube_versions: tuple[str, ...],
    full_helm_lint: bool,
    values_files: tuple[Path, ...],
    set_values: tuple[str, ...],
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
    no_cache: bool,
) -> None:
    """Lint the chart in every scenario: helm lint, values schema (file:line), strict
    Kubernetes schemas per version, policy rules, Chart.yaml, generated docs.

    Scenarios: `default`, `env-<environment>` for each helmkit.yaml environment, `ci-<name>`
    for each ci/<name>-values.yaml. Waive one finding on one object with the annotation
    `helmkit.dev/waive: "<rule-id>: <reason>"` or a `waivers` entry in helmkit.yaml; re-grade
    a rule with `rules:` there (docs/lint-rules.md). With CHART and no helmkit.yaml above it,
    the chart is linted with its defaults and ci/ values under the light profile.
    """
    from helmkit.core.render import report_format
    from helmkit.ops.lint import LintOptions
    from helmkit.ops.lint import lint as run_lint

    short_lived_run()
    config = _config(config_path, chart)
    options = LintOptions(
        chart=chart,
        environments=environments,
        values_files=values_files,
        set_values=set_values,
        scenarios=scenarios,
        kube_versions=kube_versions,
        use_cache=not no_cache,
        full_helm_lint=full_helm_lint,
    )
    report = run_lint(config, options)
    render = {
        "text": report_format.findings_text,
        "json": report_format.findings_json,
        "junit": report_format.findings_junit,
    }[output_format]
    emit(render(report.findings, report.scenarios), output_file)
    finish(report.ok)
