"""`helmkit rollback ENV`."""

from __future__ import annotations

from pathlib import Path

import click

from helmkit.cli.live_options import (
    dry_run_option,
    helm_errors,
    live_env,
    lock_option,
    release_lock,
    timeout_option,
    verbose_option,
)
from helmkit.cli.options import config_option
from helmkit.ops.rollback import RollbackOptions
from helmkit.ops.rollback import rollback as run_rollback


@click.command("rollback")
@click.argument("env")
@click.option(
    "--to",
    "to",
    type=click.IntRange(1),
    default=None,
    help="Revision to return to; default: the one before the running one.",
)
@click.option(
    "--component",
    default=None,
    metavar="NAME",
    help="Restore only this component's values from that revision (as an upgrade).",
)
@dry_run_option
@click.option("--skip-tests", is_flag=True, help="Do not run the helm test pods in verify.")
@timeout_option
@lock_option
@verbose_option
@config_option
def rollback(
    env: str,
    to: int | None,
    component: str | None,
    dry_run: bool,
    skip_tests: bool,
    timeout: str | None,
    wait_for_lock: str,
    verbose: bool,
    config_path: Path | None,
) -> None:
    """Roll back the release, or one component, then verify."""
    live = live_env(env, config_path, timeout, verbose=verbose)
    with helm_errors(live), release_lock(live, dry_run=dry_run, wait_for_lock=wait_for_lock):
        code = run_rollback(live, RollbackOptions(to, component, dry_run, not skip_tests))
    raise SystemExit(code)
