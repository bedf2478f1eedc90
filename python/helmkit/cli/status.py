"""`helmkit status ENV`."""

from __future__ import annotations

from pathlib import Path

import click

from helmkit.cli.live_options import helm_errors, live_env, seconds
from helmkit.cli.options import config_option
from helmkit.ops import status as ops


@click.command("status")
@click.argument("env")
@click.option("--watch", is_flag=True, help="Refresh until interrupted.")
@click.option("--interval", default="5s", show_default=True, metavar="DURATION")
@click.option(
    "--logs",
    default=None,
    metavar="COMPONENT",
    help="Also show the last lines of every pod of a component (real nodes only).",
)
@click.option(
    "--follow",
    is_flag=True,
    help="With --logs: follow every pod of the component, each line prefixed with its pod, "
    "picking up pods that start later (like kubectl logs -f -l).",
)
@config_option
def status(
    env: str,
    watch: bool,
    interval: str,
    logs: str | None,
    follow: bool,
    config_path: Path | None,
) -> None:
    """Pods, resource usage, HPA, ingress and TLS, recent revisions and events (the old
    monitor.sh); --logs COMPONENT --follow streams a component's logs."""
    if follow and not logs:
        raise click.UsageError("--follow needs --logs COMPONENT (e.g. --logs backend --follow)")
    if follow and watch:
        raise click.UsageError("--follow and --watch do not combine: follow the logs alone")
    live = live_env(env, config_path)
    try:
        with helm_errors(live):
            if follow and logs:
                ops.follow_logs(live, logs)
            else:
                ops.status(live, watch=watch, interval_s=seconds(interval), logs=logs)
    except KeyboardInterrupt:
        raise SystemExit(0) from None
