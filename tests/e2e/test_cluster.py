"""The local control plane itself: nodes, storage, Pod Security, kwok Stages, failure injection."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_kube import Kube, condition, wait_for

from helmkit.core.cluster import config as cc
from helmkit.ops import cluster as ops

# One xdist worker runs every e2e test: the session cluster is shared and stopped once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

RESTRICTED_SPEC = """
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: c
    image: registry.invalid/x:1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
"""


def bare_pod(name: str, annotations: str = "") -> str:
    meta = f"  annotations: {{{annotations}}}\n" if annotations else ""
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{meta}"
        f"spec:\n  restartPolicy: Never{RESTRICTED_SPEC}"
    )


def pod_phase(kube: Kube, namespace: str, name: str) -> str:
    return str(kube.json("get", "pod", name, "-n", namespace).get("status", {}).get("phase", ""))


def test_up_again_is_a_no_op(cluster_paths: cc.ClusterPaths) -> None:
    assert ops.status(cluster_paths).phase is ops.Phase.UP
    assert ops.up(cluster_paths) == []


def test_three_ready_nodes_in_distinct_zones(kube: Kube) -> None:
    # The kwok nodes; the real node has no zone (it is no spread domain; test_real_node.py).
    nodes = kube.json("get", "nodes", "-l", "type=kwok")["items"]
    assert len(nodes) >= 3
    assert all(condition(n, "Ready") == "True" for n in nodes)
    labels = [n["metadata"]["labels"] for n in nodes]
    assert len({lab["kubernetes.io/hostname"] for lab in labels}) == len(nodes)
    assert len({lab["topology.kubernetes.io/zone"] for lab in labels}) == len(nodes)


def test_api_server_reports_pinned_version(kube: Kube) -> None:
    version = kube.json("version")["serverVersion"]
    assert version["gitVersion"].startswith("v1.")
    assert version["gitTreeState"] == "clean"
    assert "master" not in version["gitVersion"]


def test_pod_security_rejects_a_privileged_pod(kube: Kube, namespace: str) -> None:
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: rogue\nspec:\n  containers:\n"
        "  - name: c\n    image: registry.invalid/x:1\n    securityContext: {privileged: true}\n"
    )
    proc = kube.apply(manifest, namespace, check=False)
    assert proc.returncode != 0
    assert 'violates PodSecurity "restricted:latest"' in proc.stderr
    assert "privileged" in proc.stderr


def test_pvc_gets_bound_by_default_storage_class(kube: Kube, namespace: str) -> None:
    kube.apply(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
        "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n",
        namespace,
    )

    def bound() -> dict[str, Any] | None:
        pvc: dict[str, Any] = kube.json("get", "pvc", "data", "-n", namespace)
        return pvc if pvc.get("status", {}).get("phase") == "Bound" else None

    pvc = wait_for("PVC Bound", bound)
    assert pvc["spec"]["storageClassName"] == cc.STORAGE_CLASS


def test_bare_pod_runs_to_completion_and_deleted_pod_goes_away(kube: Kube, namespace: str) -> None:
    kube.apply(bare_pod("once"), namespace)
    wait_for("pod Succeeded", lambda: pod_phase(kube, namespace, "once") == "Succeeded")
    kube.run("delete", "pod", "once", "-n", namespace, "--wait=true", "--timeout=30s")
    assert kube.run("get", "pod", "once", "-n", namespace, check=False).returncode != 0


def test_fail_annotation_makes_a_bare_pod_fail(kube: Kube, namespace: str) -> None:
    kube.apply(bare_pod("doomed", f'"{cc.FAIL_ANNOTATION}": "true"'), namespace)
    wait_for("pod Failed", lambda: pod_phase(kube, namespace, "doomed") == "Failed")


def test_fail_annotation_keeps_deployment_pods_unready(kube: Kube, namespace: str) -> None:
    template = RESTRICTED_SPEC.replace("\n  ", "\n      ")
    kube.apply(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: sick\nspec:\n  replicas: 1\n"
        "  selector: {matchLabels: {app: sick}}\n  template:\n    metadata:\n"
        f'      labels: {{app: sick}}\n      annotations: {{"{cc.FAIL_ANNOTATION}": "true"}}\n'
        f"    spec:{template}",
        namespace,
    )

    def running_pods() -> list[dict[str, Any]]:
        pods = kube.items("pods", namespace, "app=sick")
        return [p for p in pods if p.get("status", {}).get("phase") == "Running"]

    pods = wait_for("pod Running", running_pods)
    assert all(condition(p, "Ready") == "False" for p in pods)
    deployment = kube.json("get", "deployment", "sick", "-n", namespace)
    assert not deployment["status"].get("readyReplicas")


def test_service_gets_endpoints_of_ready_pods(kube: Kube, namespace: str) -> None:
    template = RESTRICTED_SPEC.replace("\n  ", "\n      ")
    kube.apply(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n"
        f"      labels: {{app: web}}\n    spec:{template}"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
        "  selector: {app: web}\n  ports: [{port: 80}]\n",
        namespace,
    )

    def ready_addresses() -> list[str]:
        slices = kube.items("endpointslices", namespace, "kubernetes.io/service-name=web")
        return [
            addr
            for s in slices
            for ep in s.get("endpoints") or []
            if (ep.get("conditions") or {}).get("ready")
            for addr in ep["addresses"]
        ]

    addresses = wait_for(
        "2 ready endpoints", lambda: len(ready_addresses()) == 2 and ready_addresses()
    )
    assert all(a.startswith("10.244.") for a in addresses), addresses
