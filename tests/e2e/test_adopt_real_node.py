"""`helmkit adopt` on the real node, with Helm 4 and Helm 3: a staging deployed the seed's way
(`kubectl apply` of plain manifests, a Secret made with `kubectl create secret`, PostgreSQL as
its own StatefulSet with a claim named after it, Redis as a Deployment without a volume) with
rows in its database, then adopt (refused until the Secret has what the chart needs, planned,
applied, run again), then `helmkit release`: the rows are still there, on the same volume, and
Helm owns every object.

The seed-shaped objects are written here from the seed's description (names, labels, kinds),
not copied from it; its pods run the stand-in images on the real node like the chart's do.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PSA_LABELS, isolated_helm
from e2e_kube import Kube
from e2e_platform import (
    PIN_VALUES,
    REAL_NODE_VALUES,
    STORAGE_CLASS,
    create_namespace,
    exec_in,
    local_volume_manifest,
    removed_afterwards,
    storage_class_manifest,
    volumes_root,
    wait_ready,
)
from live_cli import LOCAL_VALUES, RELEASE, LiveCli, require_ingress_class

from helmkit.core.cluster import config as cc

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SEED_CLAIM = "postgres-storage-postgresql-0"
CHART_CLAIM = "data-ai-native-postgresql-0"
REDIS_CLAIM = "data-ai-native-redis-0"
SECRET = "ai-native-secrets"
ROW = "seed-row-kept"
PIN: dict[str, Any] = {
    "nodeSelector": {"type": "real"},
    "tolerations": [
        {"key": "ai-native.dev/real-node", "operator": "Equal", "value": "true",
         "effect": "NoSchedule"},
    ],
}  # fmt: skip
RESTRICTED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
USER = {"runAsUser": 999, "runAsGroup": 999, "fsGroup": 999}


def pod_spec(container: dict[str, Any], volumes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **PIN,
        "securityContext": {**USER, "runAsNonRoot": True,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{**container, "securityContext": RESTRICTED}],
        "volumes": volumes,
    }  # fmt: skip


def seed_manifests(namespace: str) -> list[dict[str, Any]]:
    """The seed's staging, shaped like its manifests 02, 04, 05, 06 and 08 (namespace 01 is the
    test's; the Secret of 03 is made with `kubectl create secret` below)."""
    pg_labels, redis_labels = {"app": "postgresql"}, {"app": "redis"}
    backend_labels = {"app": "ai-native-backend"}
    scratch = [{"name": "run", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}]
    postgres = {
        "name": "postgres",
        "image": "localhost/ai-native/postgres:stand-in",
        "imagePullPolicy": "Never",
        "env": [
            {"name": "POSTGRES_USER", "value": "ai_native"},
            {"name": "POSTGRES_DB", "value": "ai_native"},
            {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
            {"name": "POSTGRES_PASSWORD",
             "valueFrom": {"secretKeyRef": {"name": SECRET, "key": "POSTGRES_PASSWORD"}}},
        ],
        "ports": [{"containerPort": 5432}],
        "readinessProbe": {"exec": {"command": ["pg_isready", "-h", "127.0.0.1"]},
                           "periodSeconds": 3},
        "volumeMounts": [
            {"name": "postgres-storage", "mountPath": "/var/lib/postgresql/data"},
            {"name": "run", "mountPath": "/var/run/postgresql"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
    }  # fmt: skip
    redis = {
        "name": "redis",
        "image": "localhost/ai-native/redis:stand-in",
        "imagePullPolicy": "Never",
        "command": ["redis-server", "--dir", "/tmp", "--appendonly", "yes"],
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    meta = {"namespace": namespace}
    return [
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {**meta, "name": "ai-native-config", "labels": {"app": "ai-native"}},
         "data": {"ENVIRONMENT": "staging", "LLM_CACHE_BACKEND": "redis", "DB_POOL_SIZE": "20",
                  "DB_MAX_OVERFLOW": "40"}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet",
         "metadata": {**meta, "name": "postgresql", "labels": pg_labels},
         "spec": {"replicas": 1, "serviceName": "ai-native-postgresql",
                  "selector": {"matchLabels": pg_labels},
                  "template": {"metadata": {"labels": pg_labels},
                               "spec": pod_spec(postgres, scratch)},
                  "volumeClaimTemplates": [{
                      "metadata": {"name": "postgres-storage"},
                      "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": STORAGE_CLASS,
                               "resources": {"requests": {"storage": "1Gi"}}}}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {**meta, "name": "ai-native-postgresql", "labels": pg_labels},
         "spec": {"selector": pg_labels, "ports": [{"port": 5432, "targetPort": 5432}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {**meta, "name": "redis", "labels": redis_labels},
         "spec": {"replicas": 1, "selector": {"matchLabels": redis_labels},
                  "template": {"metadata": {"labels": redis_labels},
                               "spec": pod_spec(redis, scratch[1:])}}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {**meta, "name": "redis", "labels": redis_labels},
         "spec": {"selector": redis_labels, "ports": [{"port": 6379}]}},
        # the backend's shape (its selector is what matters); no pod needed to show adoption
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {**meta, "name": "ai-native-backend", "labels": backend_labels},
         "spec": {"replicas": 0, "selector": {"matchLabels": backend_labels},
                  "template": {"metadata": {"labels": backend_labels},
                               "spec": pod_spec({"name": "backend",
                                                 "image": "localhost/ai-native/backend:stand-in",
                                                 "envFrom": [{"secretRef": {"name": SECRET}}]},
                                                [])}}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {**meta, "name": "ai-native-backend", "labels": backend_labels},
         "spec": {"selector": backend_labels, "ports": [{"port": 8000}]}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {**meta, "name": "ai-native-backend-hpa"},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "ai-native-backend"},
                  "minReplicas": 1, "maxReplicas": 2}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
         "metadata": {**meta, "name": "ai-native-ingress"},
         "spec": {"ingressClassName": "nginx", "rules": [{"host": "api-staging.example.edu",
                  "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                      "service": {"name": "ai-native-backend", "port": {"number": 8000}}}}]}}]}},
    ]  # fmt: skip


def seed_volume(paths: cc.ClusterPaths, namespace: str, claim: str, policy: str) -> dict[str, Any]:
    directory = volumes_root(paths, namespace) / claim
    directory.mkdir(parents=True, exist_ok=True)
    pv = local_volume_manifest(f"{namespace}-{claim}", directory, namespace, claim)
    pv["spec"]["persistentVolumeReclaimPolicy"] = policy
    return pv


def seed_psql(kube: Kube, namespace: str, pod: str, container: str, sql: str) -> list[str]:
    out = exec_in(
        kube, namespace, pod, container, "sh", "-c",
        'psql -v ON_ERROR_STOP=1 -U ai_native -d ai_native -At -c "$0"', sql,
    )  # fmt: skip
    return [line for line in out.splitlines() if line]


class Seeded:
    def __init__(self, cli: LiveCli, kube: Kube, namespace: str, workdir: Path) -> None:
        self.cli, self.kube, self.namespace, self.workdir = cli, kube, namespace, workdir
        self.overlay = workdir / "values" / "e2e-adopted.yaml"
        self.storage = workdir / "storage.yaml"
        self.storage.write_text(yaml.safe_dump({"global": {"storageClass": STORAGE_CLASS}}))

    def config(self, *, adopted: bool) -> None:
        values = [LOCAL_VALUES, REAL_NODE_VALUES, PIN_VALUES, self.storage]
        self.cli.write_config(values=[*values, self.overlay] if adopted else values, timeout="4m")

    def pv(self, claim: str) -> dict[str, Any]:
        return dict(self.kube.json("get", "pv", f"{self.namespace}-{claim}"))


@pytest.fixture(scope="module", params=["helm4", "helm3"])
def seeded(
    request: pytest.FixtureRequest,
    cluster_paths: cc.ClusterPaths,
    kube: Kube,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Seeded]:
    """Helm 4 adopts with server-side apply, Helm 3 with a three-way merge patch: both."""
    helm_name = str(request.param)
    namespace = f"adopt-{helm_name}-{secrets.token_hex(3)}"
    workdir = tmp_path_factory.mktemp("adopt")
    create_namespace(kube, namespace, PSA_LABELS)
    require_ingress_class(kube)
    volumes = [
        storage_class_manifest(),
        # the seed's volume as a dynamic provisioner leaves it: reclaim policy Delete
        seed_volume(cluster_paths, namespace, SEED_CLAIM, "Delete"),
        seed_volume(cluster_paths, namespace, REDIS_CLAIM, "Retain"),
    ]
    kube.run("apply", "-f", "-", stdin=yaml.safe_dump_all(volumes))
    helm = isolated_helm(helm_name, cluster_paths, workdir)
    seed = Seeded(LiveCli(helm, kube, namespace, workdir), kube, namespace, workdir)
    seed.config(adopted=False)
    password = secrets.token_urlsafe(16)
    with removed_afterwards(kube, helm, cluster_paths, namespace):
        kube.run(
            "create", "secret", "generic", SECRET, "-n", namespace,
            f"--from-literal=JWT_SECRET_KEY={secrets.token_urlsafe(32)}",
            f"--from-literal=DATABASE_URL=postgresql://ai_native:{password}@ai-native-postgresql"
            ":5432/ai_native",
            f"--from-literal=POSTGRES_PASSWORD={password}",
            "--from-literal=OPENAI_API_KEY=", "--from-literal=GEMINI_API_KEY=",
        )  # fmt: skip
        kube.run("apply", "-f", "-", stdin=yaml.safe_dump_all(seed_manifests(namespace)))
        wait_ready(kube, namespace, "postgresql-0")
        seed_psql(kube, namespace, "postgresql-0", "postgres",
                  "CREATE TABLE marks (id text PRIMARY KEY, note text NOT NULL)")  # fmt: skip
        seed_psql(kube, namespace, "postgresql-0", "postgres",
                  f"INSERT INTO marks VALUES ('{ROW}', 'written by the seed')")  # fmt: skip
        yield seed


def kinds_present(kube: Kube, namespace: str) -> set[str]:
    items = kube.json("get", "deploy,sts,svc,cm,ingress,hpa", "-n", namespace)["items"]
    return {f"{o['kind']}/{o['metadata']['name']}" for o in items}


def test_adopt_refuses_a_secret_without_what_the_chart_needs_and_changes_nothing(
    seeded: Seeded,
) -> None:
    before = kinds_present(seeded.kube, seeded.namespace)
    out = seeded.cli.ok("adopt", "e2e", "--dry-run", code=2)
    assert f"Secret {SECRET} lacks REDIS_URL, which the chart needs" in out, out
    fix = '{"stringData": {"REDIS_URL": "redis://ai-native-redis:6379/0"}}'
    assert fix in out, out
    assert kinds_present(seeded.kube, seeded.namespace) == before
    assert not seeded.overlay.exists()
    # the fix adopt printed, as the user would run it
    seeded.kube.run("patch", "secret", SECRET, "-n", seeded.namespace, "--type", "merge",
                    "-p", fix)  # fmt: skip


def test_the_dry_run_lists_what_is_adopted_replaced_kept_and_carried(seeded: Seeded) -> None:
    out = seeded.cli.ok("adopt", "e2e", "--dry-run")
    for line in (
        "adopt    Service/ai-native-postgresql",
        "adopt    ConfigMap/ai-native-config",
        "replace  Deployment/ai-native-backend",
        "retire   Deployment/redis: deleted: replaced by the chart's StatefulSet/ai-native-redis",
        "retire   StatefulSet/postgresql",
        "retire   Ingress/ai-native-ingress",
        "retire   HorizontalPodAutoscaler/ai-native-backend-hpa",
        f"keep     Secret/{SECRET}: kept, the chart reads it as secrets.existingSecret",
        f"carry    PersistentVolumeClaim/{SEED_CLAIM}",
        f"from claim {SEED_CLAIM} to {CHART_CLAIM} of StatefulSet ai-native-postgresql",
        "existingSecret: ai-native-secrets",
        "dry run: nothing changed",
    ):
        assert line in out, f"{line!r} not in:\n{out}"
    assert seeded.pv(SEED_CLAIM)["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert "StatefulSet/postgresql" in kinds_present(seeded.kube, seeded.namespace)
    for value in seeded.cli.secret_values():
        assert value not in out


def test_adopt_moves_the_volume_and_hands_the_objects_to_helm(seeded: Seeded) -> None:
    kube, ns = seeded.kube, seeded.namespace
    out = seeded.cli.ok("adopt", "e2e", "--yes")
    assert f"adopt: claim {CHART_CLAIM} is bound to the carried volume" in out, out
    pv = seeded.pv(SEED_CLAIM)
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["claimRef"]["name"] == CHART_CLAIM
    claim = kube.json("get", "pvc", CHART_CLAIM, "-n", ns)
    assert (
        claim["status"]["phase"] == "Bound"
        and claim["spec"]["volumeName"] == pv["metadata"]["name"]
    )
    assert kube.run("get", "pvc", SEED_CLAIM, "-n", ns, check=False).returncode != 0
    present = kinds_present(kube, ns)
    assert {"Deployment/redis", "StatefulSet/postgresql", "Deployment/ai-native-backend",
            "Ingress/ai-native-ingress"}.isdisjoint(present), present  # fmt: skip
    svc = kube.json("get", "svc", "ai-native-postgresql", "-n", ns)["metadata"]
    assert svc["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert svc["annotations"]["meta.helm.sh/release-name"] == RELEASE
    overlay = yaml.safe_load(seeded.overlay.read_text())
    assert overlay["secrets"] == {"existingSecret": SECRET}
    assert overlay["postgresql"]["runAsUser"] == 999
    # run again: everything is done already, nothing is deleted twice
    again = seeded.cli.ok("adopt", "e2e", "--yes")
    assert ": deleted" not in again, again


def test_the_release_takes_over_and_the_seeds_rows_are_still_there(seeded: Seeded) -> None:
    kube, ns = seeded.kube, seeded.namespace
    seeded.config(adopted=True)
    out = seeded.cli.ok("release", "e2e", "--skip-tests")
    assert "revision 1 deployed" in out, out
    wait_ready(kube, ns, "ai-native-postgresql-0")
    rows = seed_psql(kube, ns, "ai-native-postgresql-0", "postgresql",
                     f"SELECT note FROM marks WHERE id = '{ROW}'")  # fmt: skip
    assert rows == ["written by the seed"], rows
    # the same volume: the chart's claim is the one adopt bound to the seed's volume
    claim = kube.json("get", "pvc", CHART_CLAIM, "-n", ns)
    assert claim["spec"]["volumeName"] == f"{ns}-{SEED_CLAIM}"
    manifest = seeded.cli.helm.run("get", "manifest", RELEASE, "-n", ns).stdout
    owned = {f"{d['kind']}/{d['metadata']['name']}" for d in yaml.safe_load_all(manifest) if d}
    assert {"Service/ai-native-postgresql", "ConfigMap/ai-native-config"} <= owned
    # every object someone created in the namespace is the release's, except the Secret the
    # chart reads as existingSecret and the volume claims (the StatefulSets' own)
    kinds = "deploy,sts,svc,cm,ingress,hpa,pdb,networkpolicy,secret,cronjob"
    for obj in kube.json("get", kinds, "-n", ns)["items"]:
        meta = obj["metadata"]
        key = f"{obj['kind']}/{meta['name']}"
        if meta.get("ownerReferences") or key in (f"Secret/{SECRET}", "ConfigMap/kube-root-ca.crt"):
            continue
        if obj.get("type") == "helm.sh/release.v1":
            continue
        assert key in owned, f"{key} is not in the release's manifest"
        assert (meta.get("labels") or {}).get("app.kubernetes.io/managed-by") == "Helm", key
        assert (meta.get("annotations") or {}).get("meta.helm.sh/release-name") == RELEASE, key
    secret = kube.json("get", "secret", SECRET, "-n", ns)
    assert (
        base64.b64decode(secret["data"]["REDIS_URL"]).decode() == "redis://ai-native-redis:6379/0"
    )
