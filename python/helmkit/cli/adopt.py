"""`helmkit adopt ENV`."""

from __future__ import annotations

import re
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
from helmkit.errors import UsageError
from helmkit.ops.adopt import AdoptOptions
from helmkit.ops.adopt import adopt as run_adopt

_KEEP = re.compile(r"^[A-Z][A-Za-z]+/[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")


def _checked_keep(keep: tuple[str, ...]) -> tuple[str, ...]:
    for item in keep:
        if not _KEEP.match(item):
            raise UsageError(
                f"--keep {item}: expected KIND/NAME as the plan prints it",
                hint="e.g. --keep Deployment/grafana (the kind capitalised, as in the manifest)",
            )
    return keep


def _ask(question: str) -> bool:
    return click.confirm(question, default=False)


@click.command("adopt")
@click.argument("env")
@click.option(
    "--existing-secret",
    default="",
    metavar="NAME",
    help="The Secret the chart reads as secrets.existingSecret; default: the one the "
    "namespace's workloads read.",
)
@click.option(
    "--keep",
    multiple=True,
    metavar="KIND/NAME",
    help="Leave this object as it is (not adopted, not deleted); repeatable.",
)
@click.option(
    "--values-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the values overlay; default: values/<env>-adopted.yaml next to "
    "helmkit.yaml.",
)
@click.option("--yes", is_flag=True, help="Do not ask before deleting what the plan replaces.")
@dry_run_option
@timeout_option
@lock_option
@config_option
def adopt(
    env: str,
    existing_secret: str,
    keep: tuple[str, ...],
    values_out: Path | None,
    yes: bool,
    dry_run: bool,
    timeout: str | None,
    wait_for_lock: str,
    config_path: Path | None,
) -> None:
    """Bring objects deployed without Helm (the seed's kubectl apply) under the release:
    plan, then label and annotate what Helm adopts, delete what the chart replaces, and move
    the PostgreSQL volume to the chart's claim. Run `helmkit release ENV` afterwards.

    Exit 0 adopted (or planned with --dry-run), 1 cancelled, 2 refused: nothing changed.
    """
    keep = _checked_keep(keep)
    live = live_env(env, config_path, timeout)
    out = values_out or live.config.path.parent / "values" / f"{env}-adopted.yaml"
    opts = AdoptOptions(out, existing_secret, keep, dry_run, yes)
    with helm_errors(live), release_lock(live, dry_run=dry_run, wait_for_lock=wait_for_lock):
        code = run_adopt(live, opts, _ask)
    raise SystemExit(code)
