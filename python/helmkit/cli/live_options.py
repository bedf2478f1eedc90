"""Options shared by the live verbs (release, recover, history, verify, rollback, status,
uninstall, adopt), and the one place they turn an environment name into a `LiveEnv`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from helmkit.core.release.meta import parse_duration
from helmkit.errors import HelmError, HelmkitError, HelmTimeout
from helmkit.ops.live import LiveEnv, open_env

if TYPE_CHECKING:
    from helmkit.ops.lock import Held

F = TypeVar("F", bound=Callable[..., Any])


def timeout_option(func: F) -> F:
    return click.option(
        "--timeout",
        default=None,
        metavar="DURATION",
        help="helm --timeout (Go duration, e.g. 5m); default: the environment's timeout.",
    )(func)


def formats_option(*choices: str, help: str | None = None) -> Callable[[F], F]:
    """--format (into `fmt`, default text) with these choices."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default="text",
        show_default=True,
        help=help,
    )


def format_option(func: F) -> F:
    return formats_option("text", "json")(func)


def dry_run_option(func: F) -> F:
    return click.option("--dry-run", is_flag=True, help="Print the plan and stop.")(func)


def grace_option(func: F) -> F:
    return click.option(
        "--pending-grace",
        default="60s",
        show_default=True,
        metavar="DURATION",
        help="A pending revision younger than this may belong to a helm still running: "
        "refuse to recover it.",
    )(func)


def lock_option(func: F) -> F:
    return click.option(
        "--wait-for-lock",
        default="0s",
        show_default=True,
        metavar="DURATION",
        help="Wait this long for another run that holds the release lock; 0s: refuse at once, "
        "naming the holder.",
    )(func)


@contextlib.contextmanager
def release_lock(
    live: LiveEnv, *, dry_run: bool, wait_for_lock: str, create_namespace: bool = False
) -> Iterator[Held | None]:
    """The release lock around a mutating verb; a dry run changes nothing and takes none."""
    from helmkit.ops.lock import held, note_for_dry_run

    wait_s = parse_duration(wait_for_lock)
    if dry_run:
        note_for_dry_run(live)
        yield None
        return

    with held(live, wait_s=wait_s, create_namespace=create_namespace) as lock:
        yield lock


def verbose_option(func: F) -> F:
    return click.option(
        "--verbose",
        is_flag=True,
        help="Print helm's whole error text (Secret values still masked), not its useful part.",
    )(func)


def live_env(
    env: str, config_path: Path | None, timeout: str | None = None, *, verbose: bool = False
) -> LiveEnv:
    return open_env(env, config_path=config_path, timeout=timeout, echo=click.echo, verbose=verbose)


def seconds(text: str) -> float:
    return parse_duration(text)


@contextlib.contextmanager
def helm_errors(live: LiveEnv) -> Iterator[None]:
    """A helm failure that reaches the user: its useful lines only (all with --verbose), with the
    namespace's Secret values masked; exit 2 as before."""
    try:
        yield
    except HelmTimeout:
        raise  # no helm text to trim or mask, and the API server may be what does not answer
    except HelmError as exc:
        raise HelmkitError(
            f"`{live.command(exc.argv[1:])}` failed (exit {exc.returncode}):"
            f"{live.brief_error(exc.stderr)}",
            hint=exc.hint,
        ) from exc
