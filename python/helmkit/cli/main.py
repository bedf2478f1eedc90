"""The helmkit command group. Verbs live one per module and are imported only when used,
so `helmkit --help` starts fast (no kubernetes client, no jsonschema)."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from helmkit import __version__
from helmkit.cli.options import write_atomically
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
    "adopt": ("helmkit.cli.adopt", "adopt", "Bring objects deployed without Helm under it."),
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

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGV] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """One handler maps every error to an exit code and a one-line message, never a
        traceback: helmkit errors (their own code), OSError (2, naming the path), Ctrl-C (130).
        A report file asked for with --output says the run failed whenever it did not finish,
        so a CI never reads an earlier run's success."""
        report = _Report.of(ctx.meta.get(_ARGV, []))
        try:
            report.mark_incomplete()
            return super().invoke(ctx)
        except HelmkitError as exc:
            report.fail(ctx, str(exc), exc.exit_code)
        except OSError as exc:
            report.fail(ctx, os_error_message(exc), 2)
        except KeyboardInterrupt:
            report.fail(ctx, "interrupted", INTERRUPTED)
        except click.ClickException as exc:
            report.write_failure(exc.format_message(), exc.exit_code)
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, VERBS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


_ARGV = "helmkit.argv"
INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def os_error_message(exc: OSError) -> str:
    """`Read-only file system: /repo/.helmkit-cache/x` (the path, and the second one of a
    rename or copy)."""
    reason = exc.strerror or str(exc)
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{reason}: {' -> '.join(paths)}" if paths else reason


@dataclass(frozen=True)
class _Report:
    """Where a verb asked its results to go (--format, --output), for reporting a failure."""

    verb: str
    fmt: str
    output: Path | None
    help: bool = False

    @classmethod
    def of(cls, args: list[str]) -> _Report:
        verb = next((a for a in args if not a.startswith("-")), "")
        if not any(a.startswith(("--format", "--output")) for a in args):
            return cls(verb, "text", None)  # the common case, without importing the formats
        from helmkit.core.render.report_format import report_target

        fmt, output = report_target(args)
        asks_help = any(a in ("--help", "-h") for a in args)
        return cls(verb, fmt, Path(output) if output else None, asks_help)

    def mark_incomplete(self) -> None:
        """Before the verb runs, an earlier report in --output is replaced by one that says
        the run did not complete; the verb overwrites it with its results."""
        if self.output is not None and not self.help:
            from helmkit.core.render.report_format import INCOMPLETE

            write_atomically(self.output, self.text(INCOMPLETE, 2) + "\n")

    def text(self, message: str, code: int) -> str:
        from helmkit.core.render.report_format import failure_report

        return failure_report(self.fmt, self.verb, message, code)

    def write_failure(self, message: str, code: int) -> None:
        """The failure report: in --output, else on stdout for a machine format."""
        if self.output is None:
            if self.fmt != "text":
                click.echo(self.text(message, code))
            return
        try:
            write_atomically(self.output, self.text(message, code) + "\n")
        except OSError as exc:
            click.echo(f"error: cannot write the report: {os_error_message(exc)}", err=True)

    def fail(self, ctx: click.Context, message: str, code: int) -> None:
        click.echo(f"error: {message}", err=True)
        self.write_failure(message, code)
        ctx.exit(code)


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
