"""Options shared by the offline verbs, and the one place that loads helmkit.yaml for them.

Nothing heavy is imported here: `helmkit --help` stays fast.
"""

from __future__ import annotations

import errno
import functools
import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from helmkit.core.config import HelmkitConfig

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="helmkit.yaml to use (default: the nearest one from the current directory up).",
    )(func)


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json", "junit"]),
        default="text",
        show_default=True,
        help="Output format of the results.",
    )(func)


def output_option(func: F) -> F:
    return click.option(
        "--output",
        "output_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write the results to this file instead of stdout (e.g. a JUnit report).",
    )(func)


# the `--set*` flags helm accepts, and what each does (they apply in this order, as in helm)
_SET_FLAGS = (
    ("--set-json", "set_json", "A value as JSON (repeatable), as helm --set-json."),
    ("--set", "set_values", "Override one value (repeatable), as helm --set."),
    ("--set-string", "set_string", "A value kept as a string (repeatable), as helm --set-string."),
    ("--set-file", "set_file", "A value read from a file (repeatable), as helm --set-file."),
    ("--set-literal", "set_literal", "A literal string value (repeatable), as helm --set-literal."),
)


def set_options(func: F) -> F:
    """helm's --set, --set-string, --set-json, --set-file and --set-literal; the verb gets them
    all in `set_values` (core.strvals.encode), in the order helm applies them, checked as helm
    checks them (a UsageError before anything runs)."""

    @functools.wraps(func)
    def with_set_values(*args: Any, **kwargs: Any) -> Any:
        from helmkit.core import strvals, values

        items = [
            strvals.encode(flag, text)
            for flag, name, _ in _SET_FLAGS
            for text in kwargs.pop(name, ())
        ]
        kwargs["set_values"] = strvals.in_helm_order(items)
        values.check_set_values(kwargs["set_values"])
        return func(*args, **kwargs)

    wrapped: Any = with_set_values
    for flag, name, help_text in reversed(_SET_FLAGS):
        metavar = "K=PATH" if flag == "--set-file" else "K=V"
        wrapped = click.option(flag, name, multiple=True, metavar=metavar, help=help_text)(
            wrapped
        )
    return wrapped  # type: ignore[no-any-return]


def values_options(func: F) -> F:
    func = set_options(func)
    return click.option(
        "--values",
        "-f",
        "values_files",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_read_streams,
        help="A values file (repeatable); `-`, /dev/stdin and <(command) are read once.",
    )(func)


def _read_streams(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[Path, ...]:
    from helmkit.adapters.input_files import materialise

    return materialise(tuple(value or ()))


def cache_option(func: F) -> F:
    return click.option("--no-cache", is_flag=True, help="Render again even when nothing changed.")(
        func
    )


def short_lived_run() -> None:
    """A CLI run parses a few hundred thousand small containers and exits: Python's cyclic
    collector would walk them again and again (about 5% of the run); reference counting
    still frees everything the run drops. Switched back on when the verb returns (click's
    test runner runs verbs inside a long-lived process)."""
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)


def load(config_path: Path | None) -> HelmkitConfig:
    """helmkit.yaml (validated by core.config.load_config: fast gate first, jsonschema only to
    name what the gate rejected)."""
    from helmkit.core.config import find_config, load_config

    return load_config(config_path or find_config(Path.cwd()))


def emit(text: str, output_file: Path | None) -> None:
    if output_file is None:
        click.echo(text)
        return
    write_atomically(output_file, text + "\n")
    click.echo(f"wrote {output_file}", err=True)


def write_atomically(path: Path, text: str) -> None:
    """The whole file or the old one, never half a report. Anything but a regular file
    (/dev/stdout, a pipe, a device) is written in place: renaming onto it would replace it."""
    try:
        if path.exists() and not path.is_file():
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        if path.parent.exists() and not path.parent.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:  # a full disk names no file by itself
        raise OSError(exc.errno, exc.strerror, exc.filename or str(path)) from exc


def finish(ok: bool) -> None:
    """Exit 1 when the run found problems (0 otherwise)."""
    if not ok:
        raise SystemExit(1)
