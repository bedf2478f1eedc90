"""ops.render.prune on a real directory: hits are touched, unused entries go, once a day."""

from __future__ import annotations

import os
import time
from pathlib import Path

from helmkit.ops import render


def test_prune_deletes_stale_entries_once_a_day(tmp_path: Path) -> None:
    old, fresh = tmp_path / "a.yaml", tmp_path / "b.findings"
    old.write_text("x")
    fresh.write_text("y")
    month_ago = time.time() - 30 * 24 * 3600
    os.utime(old, (month_ago, month_ago))
    assert render.prune(tmp_path) == ["a.yaml"]
    assert not old.exists() and fresh.exists()
    os.utime(fresh, (month_ago, month_ago))
    assert render.prune(tmp_path) == [], "pruned already today"
    render.touch(fresh)
    assert time.time() - fresh.stat().st_mtime < 60, "a hit refreshes the entry"
    assert render.prune(None) == []
