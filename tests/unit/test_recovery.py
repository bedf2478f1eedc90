"""Pending-state recovery decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helmkit.core.recovery import Action, decide
from helmkit.core.revisions import Revision

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def rev(number: int, status: str, age_s: float = 600) -> Revision:
    return Revision(number, status, NOW - timedelta(seconds=age_s), "c-0.1.0", "1.0", "")


def test_nothing_to_do() -> None:
    assert decide([], now=NOW, grace_s=60).action is Action.NONE
    assert decide([rev(1, "deployed")], now=NOW, grace_s=60).action is Action.NONE
    assert decide([rev(1, "deployed"), rev(2, "failed")], now=NOW, grace_s=60).action is Action.NONE


def test_pending_upgrade_rolls_back_to_last_deployed() -> None:
    got = decide(
        [rev(1, "superseded"), rev(2, "deployed"), rev(3, "pending-upgrade")], now=NOW, grace_s=60
    )
    assert (got.action, got.to_revision, got.pending_revision) == (Action.ROLLBACK, 2, 3)
    assert "rolling back to revision 2" in got.reason


def test_pending_rollback_skips_failed_revisions() -> None:
    got = decide(
        [rev(1, "superseded"), rev(2, "failed"), rev(3, "pending-rollback")], now=NOW, grace_s=0
    )
    assert (got.action, got.to_revision) == (Action.ROLLBACK, 1)


def test_first_install_that_never_finished_is_uninstalled() -> None:
    got = decide([rev(1, "pending-install")], now=NOW, grace_s=60)
    assert got.action is Action.UNINSTALL
    assert "PersistentVolumeClaims are kept" in got.reason


def test_young_pending_revision_is_refused() -> None:
    got = decide([rev(1, "deployed"), rev(2, "pending-upgrade", age_s=5)], now=NOW, grace_s=60)
    assert got.action is Action.REFUSE
    assert "--pending-grace 0" in got.reason
    assert (
        decide([rev(1, "deployed"), rev(2, "pending-upgrade", age_s=5)], now=NOW, grace_s=0).action
        is Action.ROLLBACK
    )
