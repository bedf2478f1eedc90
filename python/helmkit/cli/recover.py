"""`helmkit recover ENV`."""

from __future__ import annotations

from pathlib import Path

import click

from helmkit.cli.live_options import (
    dry_run_option,
    grace_option,
    helm_errors,
    live_env,
    lock_option,
    release_lock,
    seconds,
    timeout_option,
    verbose_option,
)
from helmkit.cli.options import config_option
from helmkit.ops.recover import recover as run_recover


@click.command("recover")
@click.argument("env")
@dry_run_option
@timeout_option
@grace_option
@lock_option
@verbose_option
@config_option
def recover(
    env: str,
    dry_run: bool,
    timeout: str | None,
    pending_grace: str,
    wait_for_lock: str,
    verbose: bool,
    config_path: Path | None,
) -> None:
    """Recover a release stuck in pending-install/upgrade/rollback through helm (rollback to
    the last revision that ran, or uninstall a first install that never finished; volumes kept)."""
    live = live_env(env, config_path, timeout, verbose=verbose)
    grace = seconds(pending_grace)
    with (
        helm_errors(live),
        release_lock(live, dry_run=dry_run, wait_for_lock=wait_for_lock) as lock,
    ):
        run_recover(live, grace_s=lock.recovery_grace(grace) if lock else grace, dry_run=dry_run)
