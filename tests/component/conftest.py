"""Session-scoped real servers for the component tests, stopped (dirs removed) at the end."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The app's models (tests/contract/app_models.py), shared with the stand-in backend image.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))
from component_servers import PostgresServer, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server
