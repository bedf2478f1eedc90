"""Smoke test of the throwaway fixture chart under Helm 4 (--wait=watcher) and Helm 3 (--wait)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_kube import Helm, Kube
from e2e_smoke import run_smoke

# One xdist worker runs every e2e test: the session cluster is shared and stopped once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CHART = Path(__file__).parent / "fixtures" / "mini"


def test_install_upgrade_rollback_test_uninstall(kube: Kube, helm: Helm, namespace: str) -> None:
    run_smoke(
        kube, helm, namespace, CHART,
        release="mini", values=[], upgrade_set=["image.tag=1.0.1"], new_tag="1.0.1",
        selector="app.kubernetes.io/instance=mini",
    )  # fmt: skip


def test_failing_test_pod_fails_helm_test(kube: Kube, helm: Helm, namespace: str) -> None:
    helm.run("install", "mini", str(CHART), "-n", namespace, "--set", "failTest=true", *helm.wait)
    proc = helm.run("test", "mini", "-n", namespace, "--timeout", "60s", check=False)
    assert proc.returncode != 0
    pod = kube.json("get", "pod", "mini-test", "-n", namespace)
    assert pod["status"]["phase"] == "Failed"
