"""Take, renew and give back the release lock (the rules are in `helmkit.core.release.lock`).

with held(live, wait_s=0) as lock:   # refuses at once, naming the holder
    ...                               # renewed every 10 s by a thread while this runs
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from helmkit.adapters.kube import KubeError
from helmkit.core.release import lock as rl
from helmkit.core.release import preflight
from helmkit.errors import EnvironmentProblem, HelmkitError
from helmkit.ops.live import LiveEnv

POLL_S = 2.0
PERMISSION_HINT = (
    "the release job needs get, create and update on leases.coordination.k8s.io in the "
    "release namespace"
)


class LockHeld(EnvironmentProblem):
    """Another run holds the release lock."""


@dataclass
class Held:
    """The lock this run holds: how it was taken, and whether a renewal found it taken away."""

    plan: rl.Plan
    lost: threading.Event = field(default_factory=threading.Event)

    def recovery_grace(self, grace_s: float) -> float:
        """A pending revision left by a holder that died holding the lock has no live helm
        behind it: recover it at once instead of waiting out the grace period."""
        return 0.0 if self.plan.took_over_expired else grace_s


def _now() -> datetime:
    return datetime.now(UTC)


def identity() -> str:
    return rl.holder_identity(os.environ, socket.gethostname(), os.getpid())


@contextlib.contextmanager
def held(
    live: LiveEnv,
    *,
    wait_s: float,
    create_namespace: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Held]:
    """Hold the release's lock for the duration of the block (see module docstring). The lock
    lives in the release namespace: a release creates a missing one (as it would a moment
    later); the other verbs find no release in a missing namespace and need no lock there."""
    namespace, name, me = live.env.namespace, rl.lease_name(live.env.release), identity()
    try:
        check_lease_access(live)
        ready = _namespace_ready(live, create_namespace)
        acquired = _acquire(live, name, me, wait_s, sleep) if ready else None
    except KubeError as exc:
        raise EnvironmentProblem(
            f"cannot take the release lock: {exc.message}", hint=PERMISSION_HINT
        ) from exc
    if acquired is None:
        yield Held(rl.Plan(rl.Step.CREATE, f"namespace {namespace} does not exist"))
        return
    lease, plan = acquired
    taken = f" ({plan.reason})" if plan.step is rl.Step.TAKE else ""
    live.echo(f"lock: {namespace}/{name} held by {me}{taken}")
    lock = Held(plan)
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(live, lease, stop, lock), name="helmkit-lock-renewer", daemon=True
    )
    renewer.start()
    try:
        yield lock
    finally:
        stop.set()
        renewer.join(timeout=30)
        with contextlib.suppress(HelmkitError):  # it expires by itself anyway
            current = live.kube.lease(namespace, name)
            if current is not None and (current.get("spec") or {}).get("holderIdentity") == me:
                live.kube.replace_lease(namespace, rl.released_body(current))


def note_for_dry_run(live: LiveEnv) -> None:
    """A dry run takes no lock, but says when a real run would have to wait for one."""
    name = rl.lease_name(live.env.release)
    with contextlib.suppress(HelmkitError):
        plan = rl.plan(
            rl.parse_lease(live.kube.lease(live.env.namespace, name)), identity(), _now()
        )
        if plan.step is rl.Step.WAIT:
            live.echo(f"lock: the release is {plan.reason}; a real run would wait or refuse")


def check_lease_access(live: LiveEnv) -> None:
    """Ask the API server (SelfSubjectAccessReview) whether this identity may get, create and
    update Leases in the release namespace before taking the lock: a renewal refused while
    helm runs would lose the lock half-way, so a missing verb is refused up front with the
    RBAC that grants it."""
    namespace = live.env.namespace
    live.kube.ready()  # connect once, before the threads share the client
    with ThreadPoolExecutor(max_workers=len(preflight.LEASE_PERMISSIONS)) as pool:
        allowed = list(
            pool.map(
                lambda p: live.kube.can_i(p[0], p[1], p[2], namespace), preflight.LEASE_PERMISSIONS
            )
        )
    denied = [
        v for (v, _, _), ok in zip(preflight.LEASE_PERMISSIONS, allowed, strict=True) if not ok
    ]
    if denied:
        problem = preflight.missing_lease_permissions(denied, namespace)
        raise EnvironmentProblem(f"cannot take the release lock: {problem.what}", hint=problem.fix)


def _namespace_ready(live: LiveEnv, create: bool) -> bool:
    """The namespace exists, or was created now (Pod Security "restricted")."""
    namespace = live.env.namespace
    if live.kube.namespace(namespace) is not None:
        return True
    if not create:
        return False
    try:
        live.kube.create_namespace(namespace, preflight.PSA_LABELS)
    except KubeError as exc:
        raise EnvironmentProblem(
            f"namespace {namespace} does not exist and this identity may not create it "
            f"({exc.message})",
            hint=f"kubectl create namespace {namespace}",
        ) from exc
    live.echo(f"lock: created namespace {namespace} (Pod Security restricted) to hold the lock")
    return True


def _acquire(
    live: LiveEnv, name: str, me: str, wait_s: float, sleep: Callable[[float], None]
) -> tuple[dict[str, Any], rl.Plan]:
    namespace = live.env.namespace
    deadline = time.monotonic() + wait_s
    waiting_for = ""
    while True:
        current = rl.parse_lease(live.kube.lease(namespace, name))
        plan = rl.plan(current, me, _now())
        made: dict[str, Any] | None = None
        if plan.step is rl.Step.CREATE:
            made = live.kube.create_lease(namespace, rl.lease_body(name, namespace, me, _now()))
        elif plan.step is rl.Step.TAKE:
            body = rl.lease_body(name, namespace, me, _now(), previous=current)
            made = live.kube.replace_lease(namespace, body)
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _refusal(live, plan, wait_s)
            holder = plan.previous.holder if plan.previous else ""
            if holder != waiting_for:
                live.echo(
                    f"lock: release {live.env.release} is {plan.reason}; waiting up to "
                    f"{wait_s:.0f}s for it"
                )
                waiting_for = holder
            sleep(min(POLL_S, left))
            continue
        if made is not None:
            return made, plan
        # another run changed the lease between our read and write: read it again


def _refusal(live: LiveEnv, plan: rl.Plan, wait_s: float) -> LockHeld:
    waited = f" after waiting {wait_s:.0f}s" if wait_s else ""
    return LockHeld(
        f"release {live.env.release} in {live.env.namespace} is locked{waited}: {plan.reason}",
        hint="another helmkit run is changing this release: wait for it with --wait-for-lock "
        "DURATION (e.g. 15m), or run again when it is done; a holder that died frees the lock "
        f"within {rl.LEASE_DURATION_S}s",
    )


def _renew(live: LiveEnv, lease: dict[str, Any], stop: threading.Event, lock: Held) -> None:
    """Renew until stopped; a renewal refused (someone took the lease: this run stalled
    beyond its duration) is said once, and helm is left to finish."""
    namespace = live.env.namespace
    while not stop.wait(rl.RENEW_EVERY_S):
        try:
            renewed = live.kube.replace_lease(namespace, rl.renewed_body(lease, _now()))
        except HelmkitError:
            continue  # one failed request: the next renewal is still within the duration
        if renewed is None:
            lock.lost.set()
            live.echo("lock: WARNING: the release lock was taken over by another run")
            return
        lease = renewed
