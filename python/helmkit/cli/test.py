"""`helmkit test`: lint and snapshot in one run, the CI gate."""

from __future__ import annotations

import json
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


@click.command("test")
@click.option(
    "--update-snapshots", is_flag=True, help="Write snapshots instead of failing on diffs."
)
@config_option
@format_option
@output_option
@cache_option
def test(
    update_snapshots: bool,
    config_path: Path | None,
    output_format: str,
    output_file: Path | None,
    no_cache: bool,
) -> None:
    """Lint every scenario and compare the snapshots, sharing one render per scenario."""
    from helmkit.ops.test import run_tests

    short_lived_run()
    config = load(config_path)
    result = run_tests(config, update_snapshots=update_snapshots, use_cache=not no_cache)
    from helmkit.core.render import report_format as fmt  # needed only now (start-up time)

    lint, snaps = result.lint, result.snapshots
    if output_format == "json":
        text = json.dumps(
            {
                "ok": result.ok,
                "lint": json.loads(fmt.findings_json(lint.findings, lint.scenarios)),
                "snapshot": json.loads(fmt.snapshots_json(snaps)),
            },
            indent=2,
        )
    elif output_format == "junit":
        text = fmt.test_junit(lint.findings, lint.scenarios, snaps)
    else:
        text = "\n".join(
            [
                fmt.findings_text(lint.findings, lint.scenarios),
                fmt.snapshots_text(snaps),
                f"test {'ok' if result.ok else 'FAILED'}",
            ]
        )
    emit(text, output_file)
    finish(result.ok)
