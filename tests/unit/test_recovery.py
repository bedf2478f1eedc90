"""Pending-state recovery decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helmkit.core.release.recovery import Action, brief_error, decide
from helmkit.core.release.revisions import Revision

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


HELM_ROLLBACK_ERROR = "\n".join(
    [
        'Error: UPGRADE FAILED: cannot patch "ai-native-postgresql" with kind StatefulSet:',
        "  spec: Forbidden: updates to statefulset spec for fields other than 'replicas'",
        *[f"  detail line {n}" for n in range(40)],
        "",
        "Error: release ai-native failed, and has been rolled back due to rollback-on-failure",
    ]
)


def test_brief_error_keeps_first_lines_and_last_error_line() -> None:
    brief = brief_error(HELM_ROLLBACK_ERROR)
    assert brief[0].startswith("Error: UPGRADE FAILED: cannot patch")
    assert brief[1].startswith("  spec: Forbidden")
    assert brief[2] == "  detail line 0"
    assert brief[3] == "... 39 more line(s); --verbose prints them all"
    assert brief[-1].startswith("Error: release ai-native failed, and has been rolled back")
    assert len(brief) == 5


def test_brief_error_of_short_or_empty_text() -> None:
    assert brief_error("Error: one line") == ["Error: one line"]
    assert brief_error("  \n") == ["(helm printed no error text)"]
    assert brief_error("x" * 1000)[0].endswith("...") and len(brief_error("x" * 1000)[0]) == 300
    assert brief_error("a\nb\nError: last", head_lines=0) == [
        "... 2 more line(s); --verbose prints them all",
        "Error: last",
    ]
