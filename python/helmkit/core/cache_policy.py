"""Which files of the content-addressed cache (.helmkit-cache/renders) to delete (pure).

Every entry is named by a hash of what produced it, so a changed chart, values file or helmkit
leaves the old entries unreachable. Entries a run reads are touched, so their modification time
says when they were last useful: the ones unused for `max_age_s` go, and then the oldest until
the cache fits in `max_bytes`.
"""

from __future__ import annotations

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
