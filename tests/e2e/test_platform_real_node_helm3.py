"""The release lifecycle on the real node under Helm 3 (Helm 4 runs the whole platform module,
test_platform_real_node.py): install, a crashing upgrade rolled back by itself, an explicit
rollback, uninstall keeping the volumes and a re-install over them; a row written at the start
is there at every step."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from e2e_kube import Kube, wait_for
from e2e_platform import (
    CLAIMS,
    assert_marks,
    crash_image,
    image_args,
    pod_named,
    released_platform,
    wait_ready,
    write_marks,
)
from live_cli import SELECTOR, deployed_revision

from helmkit.core.cluster import config as cc
from helmkit.core.cluster import real_node as rn

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_helm3_install_crashing_upgrade_rollback_uninstall_reinstall(
    cluster_paths: cc.ClusterPaths, kube: Kube, tmp_path: Path
) -> None:
    with released_platform("helm3", cluster_paths, kube, tmp_path, backup=False) as p:
        backend = pod_named(kube, p.namespace, "backend")
        assert backend["spec"]["nodeName"] == rn.NODE_NAME
        mark = f"helm3-{secrets.token_hex(4)}"
        write_marks(p, mark)

        # revision 2: a harmless change; revision 3: the crashing image, rolled back (4).
        p.release("--skip-tests", "--set", "backend.podAnnotations.e2e/revision=two")
        out = p.release("--skip-tests", *image_args(crash_image(p.paths)), code=1, timeout="30s")
        assert "release failed" in out and "rolled back" in out, out
        history = p.cli.helm_history()
        assert [h["status"] for h in history] == ["superseded", "superseded", "failed", "deployed"]
        assert_marks(p, mark)

        # An explicit rollback to revision 1 (revision 5).
        p.cli.ok("rollback", "e2e", "--to", "1", "--skip-tests")
        assert deployed_revision(p.cli.helm_history()) == 5
        backend = wait_for(
            "the revision 1 backend",
            lambda: [
                pod
                for pod in kube.items("pods", p.namespace, "app.kubernetes.io/name=backend")
                if "e2e/revision" not in (pod["metadata"].get("annotations") or {})
                and not pod["metadata"].get("deletionTimestamp")
            ],
            timeout_s=120,
        )[0]
        wait_ready(kube, p.namespace, backend["metadata"]["name"])
        assert_marks(p, mark)

        # Uninstall keeps the volumes; the re-install finds the data.
        claims = {
            c["metadata"]["name"]: c["metadata"]["uid"] for c in kube.items("pvc", p.namespace)
        }
        p.cli.ok("uninstall", "e2e", "--yes")
        wait_for(
            "the release's pods gone",
            lambda: not kube.items("pods", p.namespace, SELECTOR) or None,
            timeout_s=120,
        )
        assert {
            c["metadata"]["name"]: c["metadata"]["uid"] for c in kube.items("pvc", p.namespace)
        } == claims
        assert set(claims) == set(CLAIMS)
        out = p.release("--skip-tests")
        assert "revision 1 deployed" in out, out
        assert_marks(p, mark)
