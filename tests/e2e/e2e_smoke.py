"""The chart smoke scenario shared by the fixture chart and the ai-native chart.

install -> upgrade (new image tag) -> rollback -> helm test -> uninstall, with assertions on the
real objects the API server holds, for one Helm major version at a time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from e2e_kube import Helm, Kube, wait_for


def digests(kube: Kube, namespace: str, selector: str) -> dict[str, str]:
    """Secret name -> digest of its data: compared across upgrades without ever printing values."""
    out: dict[str, str] = {}
    for secret in kube.items("secrets", namespace, selector):
        if secret.get("type") == "helm.sh/release.v1":
            continue
        blob = repr(sorted((secret.get("data") or {}).items())).encode()
        out[secret["metadata"]["name"]] = hashlib.sha256(blob).hexdigest()
    return out


def active_images(kube: Kube, namespace: str, selector: str) -> dict[str, set[str]]:
    """Deployment name -> images of its ReplicaSets that still have replicas."""
    images: dict[str, set[str]] = {}
    for rs in kube.items("replicasets", namespace, selector):
        owner = rs["metadata"]["ownerReferences"][0]["name"]
        if rs["spec"].get("replicas", 0) > 0:
            for c in rs["spec"]["template"]["spec"]["containers"]:
                images.setdefault(owner, set()).add(c["image"])
    return images


def replicaset_count(kube: Kube, namespace: str, selector: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rs in kube.items("replicasets", namespace, selector):
        owner = rs["metadata"]["ownerReferences"][0]["name"]
        counts[owner] = counts.get(owner, 0) + 1
    return counts


def owned_pods(kube: Kube, namespace: str, selector: str) -> list[dict[str, Any]]:
    """Pods of controllers; bare test-hook Pods outlive an uninstall by design."""
    return [
        p for p in kube.items("pods", namespace, selector) if p["metadata"].get("ownerReferences")
    ]


def assert_all_ready(kube: Kube, namespace: str, selector: str) -> None:
    for dep in kube.items("deployments", namespace, selector):
        want = dep["spec"].get("replicas", 1)
        status = dep.get("status", {})
        assert status.get("readyReplicas", 0) == want, dep["metadata"]["name"]
        assert status.get("updatedReplicas", 0) == want, dep["metadata"]["name"]
    for sts in kube.items("statefulsets", namespace, selector):
        want = sts["spec"].get("replicas", 1)
        assert sts.get("status", {}).get("readyReplicas", 0) == want, sts["metadata"]["name"]
    for pvc in kube.items("pvc", namespace):
        assert pvc["status"]["phase"] == "Bound", pvc["metadata"]["name"]


def assert_admitted_under_restricted(kube: Kube, namespace: str) -> None:
    """The namespace enforces restricted: every pod that exists was admitted under it, and no
    controller was refused one (which would show as a FailedCreate event)."""
    ns = kube.json("get", "namespace", namespace)
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    refused = [
        e["message"]
        for e in kube.items("events", namespace)
        if "violates PodSecurity" in e.get("message", "")
    ]
    assert not refused, refused
    assert kube.items("pods", namespace), "no pod was created at all"


def run_smoke(
    kube: Kube,
    helm: Helm,
    namespace: str,
    chart: Path,
    *,
    release: str,
    values: list[Path],
    upgrade_set: list[str],
    new_tag: str,
    selector: str,
) -> None:
    base = ["-n", namespace, "--timeout", "180s"]
    vals = [arg for v in values for arg in ("-f", str(v))]

    helm.run("install", release, str(chart), *base, *vals, *helm.wait)
    assert_all_ready(kube, namespace, selector)
    assert_admitted_under_restricted(kube, namespace)
    secrets_before = digests(kube, namespace, selector)
    assert secrets_before, "the chart generated no Secret to compare across the upgrade"
    rs_before = replicaset_count(kube, namespace, selector)
    images_before = active_images(kube, namespace, selector)
    assert rs_before and all(n == 1 for n in rs_before.values()), rs_before

    helm.run(
        "upgrade",
        release,
        str(chart),
        *base,
        *vals,
        *[a for kv in upgrade_set for a in ("--set", kv)],
        *helm.wait,
    )
    assert_all_ready(kube, namespace, selector)
    rs_after = replicaset_count(kube, namespace, selector)
    assert all(rs_after[d] == rs_before[d] + 1 for d in rs_before), (rs_before, rs_after)
    images_after = active_images(kube, namespace, selector)
    assert all(any(new_tag in i for i in imgs) for imgs in images_after.values()), images_after
    assert (
        digests(kube, namespace, selector) == secrets_before
    ), "generated Secret changed on upgrade"

    helm.run("rollback", release, "1", *base, *helm.wait)
    assert_all_ready(kube, namespace, selector)
    wait_for(
        "old ReplicaSets active again",
        lambda: active_images(kube, namespace, selector) == images_before,
    )
    assert digests(kube, namespace, selector) == secrets_before

    helm.run("test", release, *base)
    assert_admitted_under_restricted(kube, namespace)

    pvcs = {p["metadata"]["name"] for p in kube.items("pvc", namespace)}
    assert pvcs, "no PersistentVolumeClaim was created"
    helm.run("uninstall", release, *base)
    wait_for("workload pods gone", lambda: not owned_pods(kube, namespace, selector) or None)
    kept: list[dict[str, Any]] = kube.items("pvc", namespace)
    assert {p["metadata"]["name"] for p in kept} == pvcs, "PVCs must survive uninstall"
    assert all(p["status"]["phase"] == "Bound" for p in kept)
