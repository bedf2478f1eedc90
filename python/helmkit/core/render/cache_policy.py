"""Which files of the content-addressed cache (.helmkit-cache/renders) to delete, and which
helm outputs are complete enough to be stored at all (pure).

Every entry is named by a hash of what produced it, so a changed chart, values file or helmkit
leaves the old entries unreachable. Entries a run reads are touched, so their modification time
says when they were last useful: the ones unused for `max_age_s` go, and then the oldest until
the cache fits in `max_bytes`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_AGE_S = 14 * 24 * 3600.0
MAX_BYTES = 256 * 2**20
PRUNE_EVERY_S = 24 * 3600.0


@dataclass(frozen=True)
class Entry:
    name: str
    mtime: float
    size: int


def to_prune(
    entries: Sequence[Entry],
    now: float,
    *,
    max_age_s: float = MAX_AGE_S,
    max_bytes: int = MAX_BYTES,
) -> list[str]:
    """Names to delete: unused for longer than max_age_s, then the oldest beyond max_bytes."""
    stale = [e for e in entries if now - e.mtime > max_age_s]
    kept = sorted((e for e in entries if now - e.mtime <= max_age_s), key=lambda e: e.mtime)
    total = sum(e.size for e in kept)
    while kept and total > max_bytes:
        oldest = kept.pop(0)
        stale.append(oldest)
        total -= oldest.size
    return [e.name for e in stale]


def due(last_pruned: float | None, now: float) -> bool:
    """A run prunes at most once a day (a scan of the directory is not free)."""
    return last_pruned is None or now - last_pruned >= PRUNE_EVERY_S


# What may be stored: only the output of a complete, successful helm run. Helm 4 answers
# SIGINT during `helm template` with this line on stdout and exit 0 (pkg/cmd/install.go).
_CANCELLED = re.compile(r"^Release \S+ has been cancelled\.$", re.MULTILINE)
CANCELLED_RENDER = (
    "helm was interrupted (it printed 'Release ... has been cancelled.' and exit 0): the "
    "render is incomplete and was not used"
)
# `N chart(s) linted, M chart(s) failed`: the last line of every helm lint that ran to its
# end (stdout when it passed, stderr as `Error: ...` when it failed)
_LINT_SUMMARY = re.compile(r"^(?:Error: )?\d+ chart\(s\) linted, \d+ chart\(s\) failed$", re.M)
INCOMPLETE_LINT = (
    "[ERROR] helm lint ended without its summary line (interrupted?): the chart was not linted"
)


def render_complete(stdout: str) -> bool:
    return not _CANCELLED.search(stdout)


def lint_complete(stdout: str, stderr: str) -> bool:
    return bool(_LINT_SUMMARY.search(stdout) or _LINT_SUMMARY.search(stderr))
