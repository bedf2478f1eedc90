"""`helmkit uninstall ENV`."""

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
)
from helmkit.cli.options import config_option
from helmkit.ops.uninstall import UninstallOptions
from helmkit.ops.uninstall import uninstall as run_uninstall


def _ask(question: str) -> bool:
    return click.confirm(question, default=False)


@click.command("uninstall")
@click.argument("env")
@click.option("--delete-data", is_flag=True, help="Also delete the release's volumes (PVCs).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--keep-history", is_flag=True, help="Keep the release history (helm --keep-history)."
)
@dry_run_option
@timeout_option
@lock_option
@config_option
def uninstall(
    env: str,
    delete_data: bool,
    yes: bool,
    keep_history: bool,
    dry_run: bool,
    timeout: str | None,
    wait_for_lock: str,
    config_path: Path | None,
) -> None:
    """Uninstall the release after asking; volumes are kept unless --delete-data."""
    live = live_env(env, config_path, timeout)
    opts = UninstallOptions(delete_data, yes, dry_run, keep_history)
    with helm_errors(live), release_lock(live, dry_run=dry_run, wait_for_lock=wait_for_lock):
        code = run_uninstall(live, opts, _ask)
    raise SystemExit(code)
