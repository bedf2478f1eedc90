"""Helpers of the CLI tests (a uniquely named module: several test folders have a conftest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "tests" / "fixtures" / "demo"
BIN = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native")) / "bin"


def helm_path(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `scripts/bootstrap.sh` (builds Helm 4 and Helm 3)")
    return str(path)
