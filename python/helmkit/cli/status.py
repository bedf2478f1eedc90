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
    help="Also show a component's logs (real clusters only).",
)
@config_option
def status(
    env: str, watch: bool, interval: str, logs: str | None, config_path: Path | None
) -> None:
    """Pods, HPA, ingress and TLS, recent revisions and events (the old monitor.sh)."""
    live = live_env(env, config_path)
    try:
        with helm_errors(live):
            ops.status(live, watch=watch, interval_s=seconds(interval), logs=logs)
    except KeyboardInterrupt:
        raise SystemExit(0) from None
