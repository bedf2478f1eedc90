"""The chart on the real node: local volumes, a crashing image, exec helpers for the platform e2e.

The cluster's default StorageClass is kwok's, whose volumes are hostPath directories owned by
root: the kubelet applies no fsGroup to hostPath, so PostgreSQL (uid 999) cannot create its data
directory there. The platform tests therefore bring their own storage: `local` PersistentVolumes
(which the kubelet does chown to the pod's fsGroup) in directories under the cluster's cache,
pinned to the real node and pre-bound to the release's claims, so an uninstall and a re-install
find the same data.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from conftest import PSA_LABELS, dump_namespace, isolated_helm
from e2e_kube import Helm, Kube, condition, wait_for
from e2e_node import PACKER, PROBE_SRC
from live_cli import LOCAL_VALUES, RELEASE, LiveCli, require_ingress_class

from helmkit.adapters import real_node as node_adapter
from helmkit.core.cluster import config as cc
from helmkit.core.cluster import real_node as rn

STORAGE_CLASS = "real-node-local"
REPO = Path(__file__).resolve().parents[2]
REAL_NODE_VALUES = REPO / "values" / "real-node.yaml"
PIN_VALUES = REPO / "values" / "real-node-pin.yaml"
CLAIMS = ["data-ai-native-postgresql-0", "data-ai-native-redis-0"]
BACKUP_CLAIM = "ai-native-db-backup"
CRASH_REF = "localhost/ai-native/backend:crash"


@dataclass
class Platform:
    """One release of the chart on the real node, driven through helmkit with one Helm."""

    cli: LiveCli
    kube: Kube
    namespace: str
    paths: cc.ClusterPaths
    values: list[Path]
    install_s: float = 0.0

    def release(self, *args: str, code: int = 0, timeout: str = "4m") -> str:
        self.cli.write_config(values=self.values, timeout=timeout)
        return self.cli.ok("release", "e2e", *args, code=code)


@contextlib.contextmanager
def released_platform(
    helm_name: str,
    paths: cc.ClusterPaths,
    kube: Kube,
    workdir: Path,
    backup: bool,
    backend: dict[str, Any] | None = None,
    extra_values: dict[str, Any] | None = None,
) -> Iterator[Platform]:
    """`helmkit release` of values/local.yaml + the stand-in images + the real-node pin into a
    namespace of its own on local volumes; everything (volumes included) removed afterwards.
    `backend` replaces the backend values written below (the load bench sizes the HPA);
    `extra_values` is one more values file, layered last."""
    namespace = f"platform-{helm_name}-{secrets.token_hex(3)}"
    create_namespace(kube, namespace, PSA_LABELS)
    create_local_volumes(kube, paths, namespace, CLAIMS + ([BACKUP_CLAIM] if backup else []))
    require_ingress_class(kube)
    # Real CPU usage feeds the HPA here: the backend's start-up alone (50m request in local.yaml;
    # even 250m on a busy machine) scaled it to two pods mid-test, and verify then rightly saw a
    # pod not Ready. The HPA stays on, held at one pod; the load bench passes its own `backend`.
    # Host names of its own: an Ingress of another release with values/local.yaml's hosts (a
    # kwok-based test, `helmkit release local`) would share the cluster's controller and hosts.
    overlay: dict[str, Any] = {
        "global": {"storageClass": STORAGE_CLASS},
        "backend": backend or {
            "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}},
            "autoscaling": {"minReplicas": 1, "maxReplicas": 1},
        },
        "ingress": {"hosts": {"api": f"api.{namespace}.localhost",
                              "app": f"app.{namespace}.localhost"}},
    }  # fmt: skip
    if backup:  # a 1Gi backup volume: the size of the local PVs
        overlay["postgresql"] = {"backup": {"enabled": True, "persistence": {"size": "1Gi"}}}
    storage = workdir / "storage.yaml"
    storage.write_text(yaml.safe_dump(overlay))
    helm = isolated_helm(helm_name, paths, workdir)
    cli = LiveCli(helm, kube, namespace, workdir)
    values = [LOCAL_VALUES, REAL_NODE_VALUES, PIN_VALUES, storage]
    if extra_values:
        values.append(workdir / "extra.yaml")
        values[-1].write_text(yaml.safe_dump(extra_values))
    platform = Platform(cli, kube, namespace, paths, values)
    started = time.monotonic()
    with removed_afterwards(kube, helm, paths, namespace):
        out = platform.release("--skip-tests")
        platform.install_s = time.monotonic() - started
        print(f"{helm_name}: helmkit release to all pods Ready: {platform.install_s:.1f}s")
        assert "revision 1 deployed" in out, out
        yield platform


@contextlib.contextmanager
def removed_afterwards(
    kube: Kube, helm: Helm, paths: cc.ClusterPaths, namespace: str
) -> Iterator[None]:
    """A failure prints the namespace's state first; in every case the release is uninstalled
    and the namespace and its local volumes are removed."""
    try:
        yield
    except BaseException:
        print(dump_namespace(kube, namespace))
        raise
    finally:
        helm.run("uninstall", RELEASE, "-n", namespace, "--wait", check=False)
        kube.run("delete", "namespace", namespace, "--timeout=120s", check=False)
        delete_local_volumes(kube, paths, namespace)


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


def settled(kube: Kube, namespace: str) -> None:
    """Every Deployment and StatefulSet of the namespace has all its replicas Ready."""

    def all_ready() -> bool:
        objs = kube.items("deployments,statefulsets", namespace)
        return all(
            o["status"].get("readyReplicas", 0) == o["spec"]["replicas"]
            and o["status"].get("updatedReplicas", 0) == o["spec"]["replicas"]
            for o in objs
        )

    wait_for(f"every workload of {namespace} Ready", all_ready, timeout_s=120)


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


def write_marks(p: Platform, mark: str) -> None:
    redis_cli(p.kube, p.namespace, "SET", f"e2e:{mark}", mark)
    psql(
        p.kube, p.namespace,
        f"INSERT INTO sessions (id, student_id, activity_id) VALUES ('{mark}', 'e2e', 'e2e')",
    )  # fmt: skip


def assert_marks(p: Platform, mark: str, redis_too: bool = True) -> None:
    rows = psql(p.kube, p.namespace, f"SELECT student_id FROM sessions WHERE id = '{mark}'")
    assert rows == [["e2e"]], rows
    if redis_too:
        assert redis_cli(p.kube, p.namespace, "GET", f"e2e:{mark}") == [mark]


def image_args(ref: str) -> list[str]:
    """helmkit release flags that run the backend from one image reference."""
    registry, _, rest = ref.partition("/")
    repository, _, tag = rest.partition(":")
    return [
        "--set", f"backend.image.registry={registry}",
        "--set", f"backend.image.repository={repository}",
        "--set", f"backend.image.tag={tag}",
    ]  # fmt: skip
