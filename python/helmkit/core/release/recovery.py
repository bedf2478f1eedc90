"""What to do with a release stuck in pending-install, pending-upgrade or pending-rollback.

A helm process that was killed (or a CI runner that vanished) leaves the newest revision pending
and every later helm call refuses with "another operation is in progress". The safe ways out go
through helm itself, never through deleting release Secrets:
- an earlier revision once ran (deployed or superseded): `helm rollback` to the newest such one;
- nothing ever ran (a first install that never finished): `helm uninstall`; PersistentVolumeClaims
  created by StatefulSets are not part of the release, so volumes are kept.
A pending revision younger than the grace period may belong to a helm that is still running, so
the decision is then to refuse and say when to retry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from helmkit.core.release.revisions import PENDING, Revision, previous_good


class Action(Enum):
    NONE = "none"
    ROLLBACK = "rollback"
    UNINSTALL = "uninstall"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Recovery:
    action: Action
    reason: str
    pending_revision: int | None = None
    to_revision: int | None = None


def decide(revisions: Sequence[Revision], *, now: datetime, grace_s: float) -> Recovery:
    if not revisions:
        return Recovery(Action.NONE, "no release yet")
    newest = revisions[-1]
    if newest.status not in PENDING:
        return Recovery(Action.NONE, f"revision {newest.number} is {newest.status}")
    age_s = (now - newest.updated).total_seconds() if newest.updated else float("inf")
    stuck = f"revision {newest.number} is {newest.status} since {age_s:.0f}s ago"
    if age_s < grace_s:
        return Recovery(
            Action.REFUSE,
            f"{stuck}, less than the {grace_s:.0f}s grace period: another helm may still be "
            f"running it. Retry after the grace period, or pass --pending-grace 0 if you know "
            f"nothing else is deploying",
            pending_revision=newest.number,
        )
    good = previous_good(revisions, newest.number)
    if good is not None:
        return Recovery(
            Action.ROLLBACK,
            f"{stuck} (helm was interrupted); rolling back to revision {good.number}, "
            f"the last one that ran ({good.status})",
            pending_revision=newest.number,
            to_revision=good.number,
        )
    return Recovery(
        Action.UNINSTALL,
        f"{stuck} and no earlier revision ever ran (a first install that never finished); "
        f"uninstalling it so the release can install again (PersistentVolumeClaims are kept)",
        pending_revision=newest.number,
    )


HEAD_LINES = 3
MAX_LINE_CHARS = 300


def brief_error(stderr: str, *, head_lines: int = HEAD_LINES) -> list[str]:
    """The useful part of a long helm error: its first lines and its last `Error:` line (helm's
    own summary), each cut to a readable width; the lines left out are counted, not shown."""
    lines = [line.rstrip() for line in stderr.strip().splitlines() if line.strip()]
    if not lines:
        return ["(helm printed no error text)"]
    errors = [i for i, line in enumerate(lines) if line.lstrip().lower().startswith("error")]
    last = errors[-1] if errors else len(lines) - 1
    shown = sorted({*range(min(head_lines, len(lines))), last})
    brief = [_cut(lines[i]) for i in shown]
    hidden = len(lines) - len(shown)
    if hidden:
        brief.insert(len(brief) - 1, f"... {hidden} more line(s); --verbose prints them all")
    return brief


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 3] + "..."
