"""Session-scoped real servers for the component tests, stopped (dirs removed) at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from component_servers import PostgresServer, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server
