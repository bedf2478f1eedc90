"""The chart on the real node: local volumes, a crashing image, exec helpers for the platform e2e.

The cluster's default StorageClass is kwok's, whose volumes are hostPath directories owned by
root: the kubelet applies no fsGroup to hostPath, so PostgreSQL (uid 999) cannot create its data
directory there. The platform tests therefore bring their own storage: `local` PersistentVolumes
(which the kubelet does chown to the pod's fsGroup) in directories under the cluster's cache,
pinned to the real node and pre-bound to the release's claims, so an uninstall and a re-install
find the same data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from e2e_kube import Kube, condition, wait_for
from e2e_node import PACKER, PROBE_SRC

from helmkit.adapters import real_node as node_adapter
from helmkit.core import cluster_config as cc
from helmkit.core import real_node as rn

STORAGE_CLASS = "real-node-local"
CRASH_REF = "localhost/ai-native/backend:crash"


def storage_class_manifest() -> dict[str, Any]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": STORAGE_CLASS},
        "provisioner": "kubernetes.io/no-provisioner",
        "volumeBindingMode": "WaitForFirstConsumer",
        "reclaimPolicy": "Retain",
    }


def local_volume_manifest(name: str, path: Path, namespace: str, claim: str) -> dict[str, Any]:
    """A `local` PV on the real node, pre-bound to one claim of one namespace."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name, "labels": {"ai-native.dev/e2e-namespace": namespace}},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": STORAGE_CLASS,
            "claimRef": {"namespace": namespace, "name": claim},
            "local": {"path": str(path)},
            "nodeAffinity": {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "kubernetes.io/hostname",
                                    "operator": "In",
                                    "values": [rn.NODE_NAME],
                                }
                            ]
                        }
                    ]
                }
            },
        },
    }


def volumes_root(paths: cc.ClusterPaths, namespace: str) -> Path:
    return paths.root / "e2e-volumes" / namespace


def create_local_volumes(
    kube: Kube, paths: cc.ClusterPaths, namespace: str, claims: list[str]
) -> None:
    docs = [storage_class_manifest()]
    for claim in claims:
        directory = volumes_root(paths, namespace) / claim
        directory.mkdir(parents=True, exist_ok=True)
        docs.append(local_volume_manifest(f"{namespace}-{claim}", directory, namespace, claim))
    kube.run("apply", "-f", "-", stdin=yaml.safe_dump_all(docs))


def delete_local_volumes(kube: Kube, paths: cc.ClusterPaths, namespace: str) -> None:
    kube.run("delete", "pv", "-l", f"ai-native.dev/e2e-namespace={namespace}", "--wait=false",
             check=False)  # fmt: skip
    shutil.rmtree(volumes_root(paths, namespace), ignore_errors=True)


def create_namespace(kube: Kube, name: str, labels: dict[str, str]) -> None:
    manifest = {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "labels": labels}}  # fmt: skip
    kube.run("apply", "-f", "-", stdin=yaml.safe_dump(manifest))
    wait_for(
        "default ServiceAccount",
        lambda: kube.run("get", "sa", "default", "-n", name, check=False).returncode == 0,
    )


def crash_image(paths: cc.ClusterPaths) -> str:
    """`backend:crash`: the probe program started with an unknown command, so the container
    really starts and exits 1 (built once per probe source hash, imported into the node)."""
    digest = hashlib.sha256(b"crash\0")
    for path in sorted(PROBE_SRC.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    archive = paths.cache_dir / "images" / f"e2e-crash-{digest.hexdigest()[:16]}.tar"
    if not archive.exists():
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=archive.parent) as work:
            rootfs = Path(work) / "rootfs"
            rootfs.mkdir()
            config = Path(work) / "image.json"
            config.write_text('{"Entrypoint": ["/probe"], "Cmd": ["crash"], "User": "999:999"}')
            env = {**os.environ, "CGO_ENABLED": "0", "GOWORK": "off"}
            for argv, cwd in (
                (["go", "build", "-trimpath", "-ldflags", "-s -w", "-o", str(rootfs / "probe"),
                  "."], PROBE_SRC),
                ([sys.executable, str(PACKER), "--rootfs", str(rootfs), "--config", str(config),
                  "--tag", CRASH_REF, "--output", str(archive)], PROBE_SRC),
            ):  # fmt: skip
                proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                                      check=False)  # fmt: skip
                if proc.returncode != 0:
                    raise AssertionError(f"{' '.join(argv)} failed:\n{proc.stderr}")
    node_adapter.import_images(rn.node_paths(paths), {CRASH_REF: str(archive)})
    return CRASH_REF


def pod_named(kube: Kube, namespace: str, component: str) -> dict[str, Any]:
    pods = [
        p
        for p in kube.items("pods", namespace, f"app.kubernetes.io/name={component}")
        if not p["metadata"].get("deletionTimestamp") and p["status"].get("phase") == "Running"
    ]
    assert pods, f"no running {component} pod in {namespace}"
    return pods[0]


def exec_in(kube: Kube, namespace: str, pod: str, container: str, *argv: str) -> str:
    return kube.run("exec", pod, "-n", namespace, "-c", container, "--", *argv).stdout


def psql(kube: Kube, namespace: str, sql: str) -> list[list[str]]:
    """Rows of one SQL statement run by the database owner inside the PostgreSQL pod."""
    out = exec_in(
        kube, namespace, "ai-native-postgresql-0", "postgresql", "sh", "-c",
        'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -At -F "\t" -c "$0"', sql,
    )  # fmt: skip
    return [line.split("\t") for line in out.splitlines() if line]


def redis_cli(kube: Kube, namespace: str, *args: str) -> list[str]:
    out = exec_in(kube, namespace, "ai-native-redis-0", "redis", "redis-cli", *args)
    return out.splitlines()


def wait_ready(kube: Kube, namespace: str, pod: str, old_uid: str = "") -> dict[str, Any]:
    """The pod (a new one, when old_uid names the one deleted) Ready by the kubelet."""

    def ready() -> dict[str, Any] | None:
        proc = kube.run("get", "pod", pod, "-n", namespace, "-o", "json", check=False)
        if proc.returncode != 0:
            return None
        obj: dict[str, Any] = yaml.safe_load(proc.stdout)
        if obj["metadata"]["uid"] == old_uid or obj["metadata"].get("deletionTimestamp"):
            return None
        return obj if condition(obj, "Ready") == "True" else None

    return wait_for(f"pod {pod} Ready", ready, timeout_s=120)
