"""Fixtures of the CLI tests: the real helm (Helm 4 and Helm 3) and a scratch copy of the demo
chart project, so caches and snapshot files land in a temporary directory."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import DEMO, helm_path


@pytest.fixture(params=["helm4", "helm3"])
def helm_binary(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test using this runs once with Helm 4 and once with Helm 3."""
    path = helm_path(request.param)
    monkeypatch.setenv("HELMKIT_HELM", path)
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the demo project (helmkit.yaml, chart, values, snapshots) as the cwd."""
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".helmkit-cache"))
    monkeypatch.chdir(target)
    yield target
