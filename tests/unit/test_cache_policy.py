"""Pruning of the content-addressed render cache."""

from __future__ import annotations

from helmkit.core.render import cache_policy as cp

DAY = 24 * 3600.0
NOW = 100 * DAY


def test_entries_unused_for_two_weeks_go_and_recent_ones_stay() -> None:
    entries = [cp.Entry("old", NOW - 15 * DAY, 10), cp.Entry("used", NOW - DAY, 10)]
    assert cp.to_prune(entries, NOW) == ["old"]


def test_the_oldest_recent_entries_go_until_the_cache_fits() -> None:
    entries = [cp.Entry(f"e{i}", NOW - i, 100) for i in range(5)]  # e4 is the oldest
    assert cp.to_prune(entries, NOW, max_bytes=250) == ["e4", "e3", "e2"]
    assert cp.to_prune(entries, NOW, max_bytes=500) == []


def test_pruning_runs_at_most_once_a_day() -> None:
    assert cp.due(None, NOW)
    assert not cp.due(NOW - DAY / 2, NOW)
    assert cp.due(NOW - DAY, NOW)
