"""The real node's volume provisioner: a claim of the StorageClass `local-path` binds with no
PersistentVolume made by hand, a restricted pod (uid 999, fsGroup 999) writes to it, the data
is in the node's volumes directory, and deleting the claim removes the volume and its
directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_kube import Kube, wait_for
from e2e_node import on_real_node

from helmkit.core.cluster import config as cc
from helmkit.core.cluster import real_node as rn

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CLAIM = f"""apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data}}
spec:
  storageClassName: {rn.VOLUMES_STORAGE_CLASS}
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 16Mi}}}}
"""


def writer_pod(image: str) -> str:
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: writer}\nspec:\n" + on_real_node(
        "  terminationGracePeriodSeconds: 1\n"
        "  securityContext:\n"
        "    runAsNonRoot: true\n    runAsUser: 999\n    runAsGroup: 999\n    fsGroup: 999\n"
        "    seccompProfile: {type: RuntimeDefault}\n"
        "  containers:\n"
        f"  - name: writer\n    image: {image}\n    imagePullPolicy: Never\n"
        "    command: [sh, -c, 'echo written-by-$(id -u) > /data/mark && sleep 600']\n"
        "    securityContext:\n"
        "      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n"
        "      capabilities: {drop: [ALL]}\n"
        "    volumeMounts: [{name: data, mountPath: /data}]\n"
        "  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]\n"
    )


def test_a_claim_binds_on_the_real_node_and_its_volume_goes_with_it(
    cluster_paths: cc.ClusterPaths, kube: Kube, namespace: str
) -> None:
    kube.apply(CLAIM, namespace)
    kube.apply(writer_pod(rn.VOLUMES_HELPER_IMAGE), namespace)

    def bound() -> dict[str, Any] | None:
        claim: dict[str, Any] = kube.json("get", "pvc", "data", "-n", namespace)
        return claim if claim["status"].get("phase") == "Bound" else None

    claim = wait_for("the claim Bound by the provisioner", bound, timeout_s=120)
    pv = kube.json("get", "pv", claim["spec"]["volumeName"])
    path = Path(pv["spec"]["local"]["path"])  # a `local` volume: the kubelet applies fsGroup
    volumes_dir = rn.node_paths(cluster_paths).volumes_dir
    assert path.parent == volumes_dir, (path, volumes_dir)
    mark = path / "mark"
    wait_for("the pod's file in the volume directory", mark.exists, timeout_s=120)
    assert mark.read_text().strip() == "written-by-999"
    assert mark.stat().st_uid == 999 and path.stat().st_gid == 999  # fsGroup applied

    kube.run("delete", "pod", "writer", "-n", namespace, "--wait=true")
    kube.run("delete", "pvc", "data", "-n", namespace, "--wait=true")
    gone = ("get", "pv", pv["metadata"]["name"])
    wait_for("the volume deleted", lambda: kube.run(*gone, check=False).returncode != 0, 120)
    wait_for("its directory removed by the teardown helper", lambda: not path.exists(), 120)
