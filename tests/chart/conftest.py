"""Session fixtures of the chart tests: one helm runner, every scenario rendered up front."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chart_env import HELMS, SCENARIOS, HelmRuns, lint_args, template_args


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep every chart test on one xdist worker so the session's renders are shared."""
    for item in items:
        if "tests/chart/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("chart"))


@pytest.fixture(scope="session")
def helm_runs() -> Iterator[HelmRuns]:
    runs = HelmRuns(workers=2)
    # Prefetch: every scenario's lint and render with both helms start now, in the background.
    for helm in HELMS:
        for scenario in SCENARIOS:
            runs.submit(helm, template_args(scenario.values))
            runs.submit(helm, lint_args(scenario.values))
    yield runs
    runs.close()


@pytest.fixture(scope="session")
def rendered(helm_runs: HelmRuns) -> dict[str, list[dict[str, Any]]]:
    """Scenario name -> objects rendered by Helm 4 (with the optional CRD APIs announced)."""
    return {s.name: helm_runs.run("helm4", template_args(s.values)).objects() for s in SCENARIOS}
