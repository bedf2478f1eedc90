"""`helmkit snapshot [--update] [--scenario NAME]`"""

from __future__ import annotations

from pathlib import Path

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
)


@click.command("snapshot")
@click.option(
    "--update",
    is_flag=True,
    help="Write the snapshots (new and changed) and remove files of removed scenarios.",
)
@click.option("--scenario", "scenarios", multiple=True, help="Only this scenario (repeatable).")
@config_option
@format_option
@output_option
@cache_option
def snapshot(
    update: bool,
    scenarios: tuple[str, ...],
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
    no_cache: bool,
) -> None:
    """Compare every scenario's normalised render with its committed snapshot file and print a
    unified diff per changed object. A missing snapshot fails unless --update is given."""
    from helmkit.core.render import report_format
    from helmkit.ops.snapshot import SnapshotOptions
    from helmkit.ops.snapshot import snapshot as run_snapshot

    short_lived_run()
    config = load(config_path)
    report = run_snapshot(config, SnapshotOptions(update, scenarios, use_cache=not no_cache))
    render = {
        "text": report_format.snapshots_text,
        "json": report_format.snapshots_json,
        "junit": report_format.snapshots_junit,
    }[output_format]
    emit(render(report), output_file)
    finish(report.ok)
