"""Recover a release stuck in a pending state (the rules: `helmkit.core.release.recovery`)."""

from __future__ import annotations

from datetime import UTC, datetime

from helmkit.core.helm import argv as hal
from helmkit.core.release import recovery
from helmkit.core.release import revisions as rv
from helmkit.core.release.recovery import Action, Recovery
from helmkit.errors import EnvironmentProblem, HelmError, HelmkitError
from helmkit.ops import progress
from helmkit.ops.live import LiveEnv

DEFAULT_GRACE_S = 60.0


def plan(
    live: LiveEnv, revisions: list[rv.Revision], *, grace_s: float
) -> tuple[Recovery, list[str]]:
    decision = recovery.decide(revisions, now=datetime.now(UTC), grace_s=grace_s)
    if decision.action is Action.ROLLBACK and decision.to_revision is not None:
        return decision, hal.rollback_argv(
            live.version, live.target, decision.to_revision, timeout=live.timeout
        )
    if decision.action is Action.UNINSTALL:
        return decision, hal.uninstall_argv(live.version, live.target, timeout=live.timeout)
    return decision, []


def recover(live: LiveEnv, *, grace_s: float = DEFAULT_GRACE_S, dry_run: bool = False) -> Recovery:
    """Print why, then roll back or uninstall through helm; refuse while another helm may run."""
    return recover_state(live, grace_s=grace_s, dry_run=dry_run)[0]


def recover_state(
    live: LiveEnv, *, grace_s: float = DEFAULT_GRACE_S, dry_run: bool = False
) -> tuple[Recovery, list[rv.Revision]]:
    """`recover`, also returning the revisions as they are afterwards (oldest first)."""
    revisions = live.history()
    decision, argv = plan(live, revisions, grace_s=grace_s)
    if decision.action is Action.NONE:
        live.echo(f"recover: nothing to do ({decision.reason})")
        return decision, revisions
    live.echo(f"recover: {decision.reason}")
    if decision.action is Action.REFUSE:
        raise EnvironmentProblem(
            f"release {live.env.release} in {live.env.namespace} is busy: {decision.reason}",
            hint=f"helmkit recover {live.env.name} --pending-grace 0",
        )
    live.echo(f"recover: {'would run' if dry_run else 'running'}: {live.command(argv)}")
    if dry_run:
        return decision, revisions
    try:
        with progress.pod_progress(live.env.kube_context, live.env.namespace, live.echo):
            live.run(argv)
    except HelmError as exc:
        raise HelmkitError(
            f"recovery failed: `{live.command(exc.argv[1:])}` exited {exc.returncode}:"
            f"{live.brief_error(exc.stderr)}",
            hint=f"inspect `helmkit history {live.env.name}` and `helmkit status "
            f"{live.env.name}`, fix the cause, then run `helmkit recover {live.env.name}` again "
            "(--verbose prints helm's whole error)",
        ) from exc
    after = live.history()
    newest = after[-1] if after else None
    if newest is not None and newest.status != rv.DEPLOYED:
        raise HelmkitError(
            f"recovery ran but revision {newest.number} is {newest.status}",
            hint=f"inspect with `helm history {live.env.release} -n {live.env.namespace}`",
        )
    live.echo(
        f"recover: done; revision {newest.number} is deployed"
        if newest
        else "recover: done; the release is gone, volumes kept"
    )
    return decision, after
