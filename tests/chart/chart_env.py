"""Shared pieces of the chart tests: the helm binaries, the scenarios, and a parallel runner.

Every helm invocation goes through `HelmRuns`, which runs them in a small thread pool (helm is a
separate process, so threads overlap fine) and memoises the result per (helm, args), so each
scenario is rendered once per Helm version for the whole session.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "ai-native"
CACHE = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native"))
BIN = CACHE / "bin"
HELMS = ("helm4", "helm3")
RELEASE = "ai-native"
NAMESPACE = "ai-native-test"
# CRD APIs announced to `helm template` so the gated objects render in the ci scenarios.
OPTIONAL_APIS = ("cert-manager.io/v1", "monitoring.coreos.com/v1")
KUBE_VERSIONS = ("1.31", "1.32", "1.33", "1.34", "1.35")


@dataclass(frozen=True)
class Scenario:
    """A values combination the chart must accept: the defaults, an overlay or a ci file."""

    name: str
    values: tuple[Path, ...]


def scenarios() -> list[Scenario]:
    found = [Scenario("defaults", ())]
    found += [Scenario(f"values/{p.name}", (p,)) for p in sorted((REPO / "values").glob("*.yaml"))]
    found += [Scenario(f"ci/{p.name}", (p,)) for p in sorted((CHART / "ci").glob("*-values.yaml"))]
    return found


SCENARIOS = scenarios()
SCENARIO_IDS = [s.name for s in SCENARIOS]


def helm_binary(name: str) -> Path:
    """The cached helm binary; a missing one fails the test with the command that builds it."""
    path = BIN / name
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: run `bash scripts/build-helm.sh` (or `make setup`)")
    return path


@dataclass(frozen=True)
class HelmResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def objects(self) -> list[dict[str, Any]]:
        assert self.returncode == 0, f"{' '.join(self.argv)} failed:\n{self.stderr}"
        return [doc for doc in yaml.safe_load_all(self.stdout) if doc]


def template_args(values: Sequence[Path], *extra: str, apis: bool = True) -> tuple[str, ...]:
    args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    for path in values:
        args += ["-f", str(path)]
    if apis:
        for api in OPTIONAL_APIS:
            args += ["--api-versions", api]
    return (*args, *extra)


def lint_args(values: Sequence[Path]) -> tuple[str, ...]:
    args = ["lint", "--strict", str(CHART), "--namespace", NAMESPACE]
    for path in values:
        args += ["-f", str(path)]
    return tuple(args)


class HelmRuns:
    """Memoised, parallel helm invocations."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="helm")
        self._lock = threading.Lock()
        self._futures: dict[tuple[str, tuple[str, ...]], Future[HelmResult]] = {}

    def submit(self, helm: str, args: Sequence[str]) -> Future[HelmResult]:
        key = (helm, tuple(args))
        with self._lock:
            if key not in self._futures:
                self._futures[key] = self._pool.submit(_run, helm_binary(helm), key[1])
            return self._futures[key]

    def run(self, helm: str, args: Sequence[str]) -> HelmResult:
        return self.submit(helm, args).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _run(binary: Path, args: tuple[str, ...]) -> HelmResult:
    argv = (str(binary), *args)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    return HelmResult(argv, proc.returncode, proc.stdout, proc.stderr)


def find(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [
        o for o in objects
        if o.get("kind") == kind and (name is None or o["metadata"]["name"] == name)
    ]


def one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = find(objects, kind, name)
    have = sorted(o["metadata"]["name"] for o in find(objects, kind))
    assert len(matches) == 1, f"expected one {kind}/{name}, have {have}"
    return matches[0]
