"""`helmkit history ENV`."""

from __future__ import annotations

from pathlib import Path

import click

from helmkit.cli.live_options import formats_option, helm_errors, live_env
from helmkit.cli.options import config_option
from helmkit.ops import history as ops


@click.command("history")
@click.argument("env")
@formats_option(
    "text", "json", "markdown", help="markdown: a table and the commands, for a CI job summary."
)
@click.option("--max", "limit", default=ops.DEFAULT_ROWS, show_default=True, type=click.IntRange(1))
@config_option
def history(env: str, fmt: str, limit: int, config_path: Path | None) -> None:
    """One row per revision: status, time, chart and app version, images, git commit,
    description, and the exact rollback and verify commands."""
    live = live_env(env, config_path)
    with helm_errors(live):
        found = ops.rows(live, limit=limit)
    ops.print_rows(live, found, fmt=fmt)
