"""`helmkit rollback ENV [--to N] [--component NAME]`: plan, then act, then verify.

Whole release: `helm rollback` to N (default: the revision before the running one).
One component: an upgrade with the running revision's values where only that component's
subtree comes from revision N, so Helm records what runs (no `kubectl rollout undo` drift).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from helmkit.core.helm import argv as hal
from helmkit.core.release import component_rollback as cr
from helmkit.core.release import revisions as rv
from helmkit.errors import HelmError, UsageError
from helmkit.ops import progress
from helmkit.ops import verify as verify_ops
from helmkit.ops.live import LiveEnv


@dataclass(frozen=True)
class RollbackOptions:
    to: int | None = None
    component: str | None = None
    dry_run: bool = False
    run_tests: bool = True


def _choose(
    live: LiveEnv, revisions: list[rv.Revision], to: int | None
) -> tuple[rv.Revision, rv.Revision]:
    running = rv.current(revisions)
    if running is None:
        raise UsageError(
            f"release {live.env.release} does not exist in {live.env.namespace}",
            hint=f"release it first: helmkit release {live.env.name}",
        )
    if to is None:
        target = rv.previous_good(revisions, running.number)
        if target is None:
            raise UsageError(
                f"revision {running.number} is the only one that ever ran; "
                "there is nothing to roll back to"
            )
        return running, target
    found = [r for r in revisions if r.number == to]
    if not found:
        known = ", ".join(str(r.number) for r in revisions)
        raise UsageError(
            f"revision {to} does not exist (known: {known})",
            hint=f"see `helmkit history {live.env.name}`",
        )
    return running, found[0]


def _values(live: LiveEnv, revision: int | None, *, all_values: bool) -> dict[str, Any]:
    argv = hal.get_values_argv(live.target, revision=revision, all_values=all_values)
    loaded = json.loads(live.read(argv).stdout or "{}")
    return loaded if isinstance(loaded, dict) else {}


@contextlib.contextmanager
def _private_values_file(values: dict[str, Any]) -> Iterator[Path]:
    """Values may hold credentials: a 0600 file that is removed right after use."""
    fd, name = tempfile.mkstemp(prefix="helmkit-rollback-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yaml.safe_dump(values, handle, sort_keys=True)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _image_lines(before: dict[str, Any], after: dict[str, Any], component: str) -> list[str]:
    """Image values are shown (never credentials); other changed keys by name only."""
    lines = []
    old = (before.get(component) or {}).get("image") or {}
    new = (after.get(component) or {}).get("image") or {}
    for key in ("registry", "repository", "tag", "digest"):
        if old.get(key) != new.get(key):
            lines.append(f"    {component}.image.{key}: {old.get(key)!r} -> {new.get(key)!r}")
    return lines


def _component_rollback(
    live: LiveEnv, running: rv.Revision, target: rv.Revision, opts: RollbackOptions
) -> None:
    component = str(opts.component)
    current_values = _values(live, None, all_values=False)
    current_all = _values(live, None, all_values=True)
    new_values = cr.restore_component(
        current_values,
        _values(live, target.number, all_values=True),
        component,
        revision=target.number,
        revision_app_version=target.app_version,
    )
    effective = {**current_all, component: new_values[component]}
    keys = [k for k in cr.changed_keys(current_all, effective) if k.startswith(component + ".")]
    live.echo(
        f"plan: upgrade {live.env.release} restoring only {component!r} from revision "
        f"{target.number}; the other components keep revision {running.number}'s values"
    )
    live.echo(f"  changed keys: {', '.join(keys) or '(none)'}")
    for line in _image_lines(current_all, effective, component):
        live.echo(line)
    chart = str(live.config.chart)
    with _private_values_file(new_values) as path:
        argv = hal.upgrade_install_argv(
            live.version,
            live.target,
            chart,
            values_files=[str(path)],
            timeout=live.timeout,
            description=f"helmkit rollback {live.env.name} --component {component} "
            f"--to {target.number}",
        )
        _act(live, argv, dry_run=opts.dry_run)


def _act(live: LiveEnv, argv: list[str], *, dry_run: bool) -> None:
    """Show the exact command, then stop (dry run) or run it with the pod progress display."""
    live.echo(f"  command: {hal.shown(argv)}")
    if dry_run:
        live.echo("dry run: stopped after the plan")
        return
    with progress.pod_progress(live.env.kube_context, live.env.namespace, live.echo):
        live.run(argv)


def rollback(live: LiveEnv, opts: RollbackOptions) -> int:
    revisions = live.history()
    running, target = _choose(live, revisions, opts.to)
    try:
        if opts.component:
            _component_rollback(live, running, target, opts)
        else:
            argv = hal.rollback_argv(live.version, live.target, target.number, timeout=live.timeout)
            live.echo(
                f"plan: roll back {live.env.release} from revision {running.number} "
                f"({running.chart}) to revision {target.number} ({target.chart})"
            )
            _act(live, argv, dry_run=opts.dry_run)
    except HelmError as exc:
        live.echo(
            f"rollback failed: `{live.command(exc.argv[1:])}` exited {exc.returncode}:"
            f"{live.brief_error(exc.stderr)}"
        )
        return 1
    if opts.dry_run:
        return 0
    now = rv.current(live.history())
    assert now is not None
    live.echo(f"rolled back: revision {now.number} is {now.status}")
    result = verify_ops.verify(live, revision=now.number, run_tests=opts.run_tests)
    verify_ops.print_result(live, result, fmt="text")
    return result.exit_code
