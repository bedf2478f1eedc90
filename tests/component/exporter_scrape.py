"""Scrape a Prometheus exporter inside a test network namespace (the text format is read by
tests/chart/exporter_metrics.py). A scrape that never shows its `up` sample at 1 fails the test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from image_runner import in_netns

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chart"))
from exporter_metrics import Scrape


def scrape(ns: str, port: int, path: str = "/metrics") -> Scrape | None:
    """GET http://127.0.0.1:port/path from inside the namespace; None when it does not answer."""
    proc = in_netns(ns, "curl", "-fsS", "--max-time", "10", f"http://127.0.0.1:{port}{path}")
    return Scrape(proc.stdout) if proc.returncode == 0 else None


def scrape_until(ns: str, port: int, ready: str, timeout: float = 60) -> Scrape:
    """Scrapes until the sample `ready` (e.g. `pg_up`) reads 1; fails with the last scrape."""
    deadline = time.monotonic() + timeout
    last: Scrape | None = None
    while time.monotonic() < deadline:
        last = scrape(ns, port)
        if last is not None and last.values(ready) == [1.0]:
            return last
        time.sleep(0.5)
    shown = "no answer" if last is None else f"{ready} = {last.values(ready)}"
    pytest.fail(f"exporter on :{port}: {ready} not 1 within {timeout}s ({shown})")
