"""`helmkit verify ENV`."""

from __future__ import annotations

from pathlib import Path

import click

from helmkit.cli.live_options import format_option, helm_errors, live_env, timeout_option
from helmkit.cli.options import config_option
from helmkit.ops import verify as ops


@click.command("verify")
@click.argument("env")
@click.option(
    "--revision",
    type=click.IntRange(1),
    default=None,
    help="Compare what runs with revision N (default: the running one). helm test can only run "
    "the running revision's test pods: the api check says so when N is not the running one.",
)
@format_option
@click.option("--skip-tests", is_flag=True, help="Do not run the helm test pods.")
@timeout_option
@config_option
def verify(
    env: str,
    revision: int | None,
    fmt: str,
    skip_tests: bool,
    timeout: str | None,
    config_path: Path | None,
) -> None:
    """The 10 checks of the old verify.sh plus "live objects match revision N".

    Every check reads what runs now; the revision check compares it with N. The API check runs
    the running revision's helm test pods (helm runs no other). Exit 0 with at most warnings,
    1 on errors."""
    live = live_env(env, config_path, timeout)
    with helm_errors(live):
        result = ops.verify(live, revision=revision, run_tests=not skip_tests)
    ops.print_result(live, result, fmt=fmt)
    raise SystemExit(result.exit_code)
