"""Scrape a Prometheus exporter inside a test network namespace and read its text format.

Only what the exporter tests need: sample lines `name{label="value",...} number`, comments and
blank lines skipped. A scrape that does not answer 200 within the timeout fails the test.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
from image_runner import in_netns

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


def parse(text: str) -> list[Sample]:
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = _SAMPLE.match(line.strip())
        if match is None:
            raise ValueError(f"not a Prometheus text sample: {line!r}")
        labels = dict(_LABEL.findall(match.group(3) or ""))
        samples.append(Sample(match.group(1), labels, float(match.group(4))))
    return samples


class Scrape:
    """One scrape's samples, by metric name."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = parse(text)

    def names(self) -> set[str]:
        return {s.name for s in self.samples}

    def values(self, name: str, **labels: str) -> list[float]:
        wanted = labels.items()
        return [s.value for s in self.samples
                if s.name == name and all(s.labels.get(k) == v for k, v in wanted)]  # fmt: skip

    def one(self, name: str, **labels: str) -> float:
        found = self.values(name, **labels)
        assert len(found) == 1, f"{name}{labels}: expected one sample, got {found}"
        return found[0]

    def total(self, name: str) -> float:
        return sum(self.values(name))


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
