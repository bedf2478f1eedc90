"""The helmkit command group. Verbs live one per module and are imported only when used,
so `helmkit --help` starts fast (no kubernetes client, no jsonschema)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from helmkit import __version__
from helmkit.errors import HelmkitError

# verb -> (module, attribute, one-line help). The help text is here so --help needs no import.
VERBS: dict[str, tuple[str, str, str]] = {
    "lint": ("helmkit.cli.lint", "lint", "Lint the chart in every scenario."),
    "render": ("helmkit.cli.render", "render", "Render an environment's manifests."),
    "snapshot": ("helmkit.cli.snapshot", "snapshot", "Compare renders with committed snapshots."),
    "test": ("helmkit.cli.test", "test", "Lint and snapshot in one run (the CI gate)."),
    "docs": ("helmkit.cli.docs", "docs", "Generate the values table and values.schema.json."),
    "cluster": ("helmkit.cli.cluster", "cluster", "Run the local Kubernetes control plane."),
    "release": ("helmkit.cli.release", "release", "Release the chart to an environment."),
    "recover": ("helmkit.cli.recover", "recover", "Recover a release stuck in a pending state."),
    "history": ("helmkit.cli.history", "history", "Revisions with their rollback/verify commands."),
    "verify": ("helmkit.cli.verify", "verify", "Check what runs against a revision."),
    "rollback": ("helmkit.cli.rollback", "rollback", "Roll back the release or one component."),
    "status": ("helmkit.cli.status", "status", "Pods, HPA, events, routes and revisions."),
    "uninstall": ("helmkit.cli.uninstall", "uninstall", "Uninstall a release, keeping volumes."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, spec in VERBS.items() if _module_exists(spec[0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = VERBS.get(cmd_name)
        if spec is None or not _module_exists(spec[0]):
            return None
        command = getattr(importlib.import_module(spec[0]), spec[1])
        if not isinstance(command, click.Command):
            raise TypeError(f"{spec[0]}.{spec[1]} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """One handler maps helmkit errors to exit codes: a message, never a traceback."""
        try:
            return super().invoke(ctx)
        except HelmkitError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, VERBS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="helmkit")
def cli() -> None:
    """Lint, render, snapshot-test, release and verify the ai-native chart.

    Exit codes: 0 ok, 1 findings or failed checks, 2 usage or environment error.
    """


def main(argv: list[str] | None = None) -> None:
    """Console entry point; click maps its own usage errors to exit code 2."""
    cli.main(args=argv, prog_name="helmkit")
