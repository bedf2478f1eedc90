"""Smoke test of the ai-native chart with values/local.yaml, under Helm 4 and Helm 3: install,
upgrade to a new image tag, rollback, `helm test`, uninstall, asserting on the live objects."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_kube import Helm, Kube
from e2e_smoke import run_smoke

# One xdist worker runs every e2e test: the session cluster is shared and stopped once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "ai-native"
LOCAL_VALUES = REPO / "values" / "local.yaml"
NEW_TAG = "1.0.1-e2e"


def test_install_upgrade_rollback_test_uninstall(kube: Kube, helm: Helm, namespace: str) -> None:
    assert (CHART / "Chart.yaml").is_file(), f"{CHART} is missing"
    run_smoke(
        kube, helm, namespace, CHART,
        release="ai-native",
        values=[LOCAL_VALUES] if LOCAL_VALUES.is_file() else [],
        upgrade_set=[f"backend.image.tag={NEW_TAG}", f"frontend.image.tag={NEW_TAG}"],
        new_tag=NEW_TAG,
        selector="app.kubernetes.io/instance=ai-native",
    )  # fmt: skip
