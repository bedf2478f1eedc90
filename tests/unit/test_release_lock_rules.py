"""The release lock's decisions: who holds it, whether it expired, what the next run does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helmkit.core.release import lock as rl

NOW = datetime(2026, 12, 3, 8, 0, 0, tzinfo=UTC)
ME = "host runner-1, pid 42"


def lease(holder: str, renewed_ago_s: float | None, *, version: str = "7") -> rl.Lease:
    renewed = NOW - timedelta(seconds=renewed_ago_s) if renewed_ago_s is not None else None
    return rl.Lease(holder, renewed, 30, version, transitions=2)


def test_holder_names_ci_job_host_and_pid() -> None:
    assert rl.holder_identity({}, "laptop", 7) == "host laptop, pid 7"
    in_ci = rl.holder_identity({"GITHUB_RUN_ID": "991"}, "runner-3", 4711)
    assert in_ci == "CI job github_run_id-991, host runner-3, pid 4711"


def test_lease_name_is_per_release() -> None:
    assert rl.lease_name("ai-native") == "helmkit-release-ai-native"
    assert rl.lease_name("other") != rl.lease_name("ai-native")


@pytest.mark.parametrize(
    ("renewed_ago_s", "expired"), [(0, False), (29.9, False), (30, True), (600, True)]
)
def test_expiry_is_renew_time_plus_duration(renewed_ago_s: float, expired: bool) -> None:
    assert lease("other", renewed_ago_s).expired(NOW) is expired


def test_a_lease_never_renewed_is_expired() -> None:
    assert lease("other", None).expired(NOW)


def test_no_lease_is_created() -> None:
    plan = rl.plan(None, ME, NOW)
    assert plan.step is rl.Step.CREATE and not plan.took_over_expired


def test_a_live_holder_makes_the_next_run_wait_and_is_named() -> None:
    plan = rl.plan(lease("CI job 12, host ci-7, pid 99", 5), ME, NOW)
    assert plan.step is rl.Step.WAIT
    assert "held by CI job 12, host ci-7, pid 99" in plan.reason
    assert "expires in 25s unless renewed" in plan.reason


def test_an_expired_holder_is_taken_over_and_its_pending_work_is_dead() -> None:
    plan = rl.plan(lease("host ci-7, pid 99", 45), ME, NOW)
    assert plan.step is rl.Step.TAKE and plan.took_over_expired
    assert "host ci-7, pid 99 expired 15s ago" in plan.reason


def test_a_released_lock_is_free_and_says_nothing_about_pending_work() -> None:
    plan = rl.plan(lease("", 5), ME, NOW)
    assert plan.step is rl.Step.TAKE and not plan.took_over_expired


def test_a_lease_naming_this_process_is_taken_back() -> None:
    plan = rl.plan(lease(ME, 5), ME, NOW)
    assert plan.step is rl.Step.TAKE and not plan.took_over_expired


def test_lease_body_replaces_optimistically_and_counts_transitions() -> None:
    previous = lease("host ci-7, pid 99", 45, version="123")
    body = rl.lease_body("helmkit-release-x", "ns", ME, NOW, previous=previous)
    assert body["apiVersion"] == "coordination.k8s.io/v1" and body["kind"] == "Lease"
    assert body["metadata"]["resourceVersion"] == "123"
    spec = body["spec"]
    assert spec["holderIdentity"] == ME and spec["leaseDurationSeconds"] == 30
    assert spec["renewTime"] == "2026-12-03T08:00:00.000000Z"
    assert spec["leaseTransitions"] == 3
    fresh = rl.lease_body("helmkit-release-x", "ns", ME, NOW)
    assert "resourceVersion" not in fresh["metadata"] and fresh["spec"]["leaseTransitions"] == 0


def test_parse_lease_round_trips_the_body() -> None:
    body = rl.lease_body("helmkit-release-x", "ns", ME, NOW)
    body["metadata"]["resourceVersion"] = "9"
    parsed = rl.parse_lease(body)
    assert parsed == rl.Lease(ME, NOW, 30, "9", 0)
    assert rl.parse_lease(None) is None


def test_renewal_moves_only_the_renew_time() -> None:
    body = rl.lease_body("helmkit-release-x", "ns", ME, NOW)
    later = rl.renewed_body(body, NOW + timedelta(seconds=10))
    assert later["spec"]["renewTime"] == "2026-12-03T08:00:10.000000Z"
    assert later["spec"]["acquireTime"] == body["spec"]["acquireTime"]
    assert body["spec"]["renewTime"] == "2026-12-03T08:00:00.000000Z", "input unchanged"
    assert rl.released_body(later)["spec"]["holderIdentity"] is None
