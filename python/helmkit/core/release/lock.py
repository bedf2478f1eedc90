"""The release lock: one Kubernetes Lease (coordination.k8s.io/v1) per release, in its namespace.

Every mutating verb (release, rollback, recover, uninstall) holds it while it works and renews
it while helm runs; a second run waits for it or refuses at once, naming the holder. A holder
that dies (SIGKILL, a vanished CI runner) stops renewing: its lease expires after
LEASE_DURATION_S, and the next run takes it over, knowing that a revision left pending by that
holder has no live helm behind it. The decisions are here (pure); the API calls are in the kube
adapter, the loop in `helmkit.ops.lock`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from helmkit.core.release.meta import ci_job

LEASE_DURATION_S = 30
RENEW_EVERY_S = 10.0  # three renewals per lease duration: one lost request is harmless
LEASE_PREFIX = "helmkit-release-"
_NAME_UNSAFE = re.compile(r"[^a-z0-9.-]")
_MICRO = "%Y-%m-%dT%H:%M:%S.%fZ"


def lease_name(release: str) -> str:
    """`helmkit-release-<release>` (release names are DNS labels, so it is a valid name)."""
    return (LEASE_PREFIX + _NAME_UNSAFE.sub("-", release.lower()))[:253]


def holder_identity(environ: Mapping[str, str], host: str, pid: int) -> str:
    """Who holds the lock, for the person refused: CI job (when in CI), host and PID."""
    parts = [f"host {host}", f"pid {pid}"]
    job = ci_job(environ)
    return ", ".join([f"CI job {job}", *parts] if job else parts)


@dataclass(frozen=True)
class Lease:
    """What matters of a Lease object."""

    holder: str
    renewed: datetime | None
    duration_s: int
    resource_version: str
    transitions: int = 0

    def expires(self) -> datetime | None:
        return self.renewed + timedelta(seconds=self.duration_s) if self.renewed else None

    def expired(self, now: datetime) -> bool:
        """Not renewed within its duration (or never): its holder is gone."""
        ends = self.expires()
        return ends is None or now >= ends


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    """A Lease MicroTime: RFC 3339 with microseconds, in UTC."""
    return moment.astimezone(UTC).strftime(_MICRO)


def parse_lease(obj: Mapping[str, Any] | None) -> Lease | None:
    if not obj:
        return None
    spec = obj.get("spec") or {}
    return Lease(
        holder=str(spec.get("holderIdentity") or ""),
        renewed=parse_time(spec.get("renewTime") or spec.get("acquireTime")),
        duration_s=int(spec.get("leaseDurationSeconds") or LEASE_DURATION_S),
        resource_version=str((obj.get("metadata") or {}).get("resourceVersion") or ""),
        transitions=int(spec.get("leaseTransitions") or 0),
    )


class Step(enum.Enum):
    CREATE = "create"  # no lease yet
    TAKE = "take"  # free (released) or expired: replace it, optimistic on resourceVersion
    WAIT = "wait"  # another live holder


@dataclass(frozen=True)
class Plan:
    step: Step
    reason: str
    previous: Lease | None = None

    @property
    def took_over_expired(self) -> bool:
        """A holder died holding the lock: what it left pending has no live helm behind it."""
        return self.step is Step.TAKE and self.previous is not None and bool(self.previous.holder)


def plan(current: Lease | None, identity: str, now: datetime) -> Plan:
    if current is None:
        return Plan(Step.CREATE, "no lock yet")
    if not current.holder:
        return Plan(Step.TAKE, "the lock is free", current)
    if current.holder == identity:
        # a lease naming this very process (same host and PID) is a leftover: take it back
        return Plan(Step.TAKE, "the lock names this process", None)
    if current.expired(now):
        ends = current.expires()
        ago = (now - ends).total_seconds() if ends else 0.0
        return Plan(
            Step.TAKE,
            f"the lock of {current.holder} expired {ago:.0f}s ago (it stopped renewing it)",
            current,
        )
    return Plan(Step.WAIT, describe_holder(current, now), current)


def describe_holder(lease: Lease, now: datetime) -> str:
    ends = lease.expires()
    left = f", expires in {(ends - now).total_seconds():.0f}s unless renewed" if ends else ""
    return f"held by {lease.holder} (renewed every {RENEW_EVERY_S:.0f}s{left})"


def lease_body(
    name: str,
    namespace: str,
    identity: str,
    now: datetime,
    *,
    previous: Lease | None = None,
    duration_s: int = LEASE_DURATION_S,
) -> dict[str, Any]:
    """The Lease to create, or to replace `previous` with (its resourceVersion makes the
    replacement fail if another run changed it in between)."""
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": {"app.kubernetes.io/managed-by": "helmkit"},
    }
    if previous is not None and previous.resource_version:
        metadata["resourceVersion"] = previous.resource_version
    changed_hands = previous is not None and previous.holder not in ("", identity)
    transitions = (previous.transitions if previous else 0) + (1 if changed_hands else 0)
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": metadata,
        "spec": {
            "holderIdentity": identity,
            "leaseDurationSeconds": duration_s,
            "acquireTime": format_time(now),
            "renewTime": format_time(now),
            "leaseTransitions": transitions,
        },
    }


def renewed_body(obj: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The same Lease with a new renewTime (resourceVersion kept: a lease someone else took
    over in between is not overwritten)."""
    spec = {**(obj.get("spec") or {}), "renewTime": format_time(now)}
    return {**obj, "spec": spec}


def released_body(obj: dict[str, Any]) -> dict[str, Any]:
    """The Lease with no holder: free for the next run at once."""
    spec = {**(obj.get("spec") or {}), "holderIdentity": None}
    return {**obj, "spec": spec}
