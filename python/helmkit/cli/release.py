"""`helmkit release ENV`."""

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
from helmkit.cli.options import config_option, set_options
from helmkit.ops.release import ReleaseOptions
from helmkit.ops.release import release as run_release


@click.command("release")
@click.argument("env")
@set_options
@dry_run_option
@timeout_option
@grace_option
@lock_option
@click.option("--skip-tests", is_flag=True, help="Do not run the helm test pods in verify.")
@verbose_option
@config_option
def release(
    env: str,
    set_values: tuple[str, ...],
    dry_run: bool,
    timeout: str | None,
    pending_grace: str,
    wait_for_lock: str,
    skip_tests: bool,
    verbose: bool,
    config_path: Path | None,
) -> None:
    """Recover, preflight, lint, plan, upgrade --install (rolled back on failure), verify.

    Exit 0 deployed and verified, 1 failed (rolled back) or unhealthy, 2 preflight or usage.
    """
    live = live_env(env, config_path, timeout, verbose=verbose)
    grace = seconds(pending_grace)
    with (
        helm_errors(live),
        release_lock(
            live, dry_run=dry_run, wait_for_lock=wait_for_lock, create_namespace=True
        ) as lock,
    ):
        opts = ReleaseOptions(
            set_values, dry_run, lock.recovery_grace(grace) if lock else grace, not skip_tests
        )
        code = run_release(live, opts)
    raise SystemExit(code)
