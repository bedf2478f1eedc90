"""Objects shaped like the seed's staging (kubectl apply of plain manifests) and like the chart's
render, written here for the adopt unit tests (not copied from either)."""

from __future__ import annotations

from typing import Any

NS = "ai-native-staging"
RELEASE = "ai-native"


def meta(name: str, uid: str = "", **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": NS, "uid": uid or f"uid-{name}", **extra}


def pod_template(
    labels: dict[str, str], containers: list[dict[str, Any]], **spec: Any
) -> dict[str, Any]:
    return {"metadata": {"labels": labels}, "spec": {"containers": containers, **spec}}


def seed_postgres(
    pgdata: str = "/var/lib/postgresql/data/pgdata", image: str = "postgres:15-alpine"
) -> dict[str, Any]:
    container = {
        "name": "postgres",
        "image": image,
        "env": [
            {"name": "POSTGRES_USER", "value": "ai_native"},
            {"name": "POSTGRES_DB", "value": "ai_native"},
            {"name": "PGDATA", "value": pgdata},
            {
                "name": "POSTGRES_PASSWORD",
                "valueFrom": {
                    "secretKeyRef": {"name": "ai-native-secrets", "key": "POSTGRES_PASSWORD"}
                },
            },
        ],
        "volumeMounts": [{"name": "postgres-storage", "mountPath": "/var/lib/postgresql/data"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta("postgresql"),
        "spec": {
            "replicas": 1,
            "serviceName": "ai-native-postgresql",
            "selector": {"matchLabels": {"app": "postgresql"}},
            "template": pod_template({"app": "postgresql"}, [container]),
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "postgres-storage"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "50Gi"}},
                    },
                }
            ],
        },
    }


def seed_claim() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta("postgres-storage-postgresql-0", labels={"app": "postgresql"}),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "volumeName": "pv-seed",
            "storageClassName": "standard",
            "resources": {"requests": {"storage": "50Gi"}},
        },
        "status": {"phase": "Bound"},
    }


def volume(
    policy: str = "Delete", claim: str = "postgres-storage-postgresql-0", uid: str = "uid-c"
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "pv-seed", "annotations": {}},
        "spec": {
            "capacity": {"storage": "50Gi"},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": policy,
            "storageClassName": "standard",
            "volumeMode": "Filesystem",
            "claimRef": {"namespace": NS, "name": claim, "uid": uid},
        },
    }


def deployment(name: str, labels: dict[str, str], image: str, **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(name, **extra),
        "spec": {
            "selector": {"matchLabels": labels},
            "template": pod_template(
                labels,
                [
                    {
                        "name": name,
                        "image": image,
                        "envFrom": [{"secretRef": {"name": "ai-native-secrets"}}],
                    }
                ],
            ),
        },
    }


def service(
    name: str, selector: dict[str, str], port: int, headless: bool = False
) -> dict[str, Any]:
    spec: dict[str, Any] = {"selector": selector, "ports": [{"port": port}]}
    spec["clusterIP"] = "None" if headless else "10.96.0.10"
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name), "spec": spec}


def configmap(name: str, data: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name, **extra), "data": data}


def secret(name: str, keys: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": meta(name),
        "data": dict.fromkeys(keys, ""),
    }


SEED_KEYS = [
    "JWT_SECRET_KEY",
    "DATABASE_URL",
    "POSTGRES_PASSWORD",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
]


def seed_objects() -> list[dict[str, Any]]:
    return [
        configmap("ai-native-config", {"ENVIRONMENT": "staging"}),
        configmap("kube-root-ca.crt", {"ca.crt": "x"}),
        secret("ai-native-secrets", SEED_KEYS),
        seed_postgres(),
        seed_claim(),
        service("ai-native-postgresql", {"app": "postgresql"}, 5432),
        deployment("redis", {"app": "redis"}, "redis:7-alpine"),
        service("redis", {"app": "redis"}, 6379),
        deployment("ai-native-backend", {"app": "ai-native-backend"}, "backend:1"),
        service("ai-native-backend", {"app": "ai-native-backend"}, 8000),
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": meta("ai-native-backend-abc", ownerReferences=[{"kind": "Deployment"}]),
        },
    ]


CHART_SELECTOR = {"app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": RELEASE}


def chart_postgres() -> dict[str, Any]:
    container = {
        "name": "postgresql",
        "image": "postgres:17.6-bookworm",
        "env": [
            {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
            {
                "name": "POSTGRES_PASSWORD",
                "valueFrom": {
                    "secretKeyRef": {"name": "ai-native-secrets", "key": "POSTGRES_PASSWORD"}
                },
            },
        ],
        "volumeMounts": [
            {"name": "data", "mountPath": "/var/lib/postgresql/data"},
            {"name": "run", "mountPath": "/var/run/postgresql"},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "ai-native-postgresql", "namespace": NS},
        "spec": {
            "serviceName": "ai-native-postgresql-headless",
            "selector": {"matchLabels": CHART_SELECTOR},
            "template": pod_template(CHART_SELECTOR, [container]),
            "volumeClaimTemplates": [
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "data", "labels": CHART_SELECTOR},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "50Gi"}},
                    },
                }
            ],
        },
    }


def chart_objects() -> list[dict[str, Any]]:
    backend = {"app.kubernetes.io/name": "backend", "app.kubernetes.io/instance": RELEASE}
    redis = {"app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": RELEASE}
    cm = configmap(
        "ai-native-config",
        {"ENVIRONMENT": "staging", "DB_POOL_SIZE": "5"},
        labels={"app.kubernetes.io/component": "platform"},
    )
    redis_sts = chart_postgres() | {"metadata": {"name": "ai-native-redis"}}
    redis_sts = {
        **redis_sts,
        "spec": {
            **redis_sts["spec"],
            "selector": {"matchLabels": redis},
            "template": pod_template(redis, [{"name": "redis", "image": "redis:8"}]),
        },
    }
    return [
        cm,
        chart_postgres(),
        service("ai-native-postgresql", CHART_SELECTOR, 5432),
        service("ai-native-postgresql-headless", CHART_SELECTOR, 5432, headless=True),
        redis_sts,
        service("ai-native-redis", redis, 6379),
        deployment("ai-native-backend", backend, "backend:2"),
        service("ai-native-backend", backend, 8000),
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": "ai-native-db-schema-1",
                "annotations": {"helm.sh/hook": "post-install"},
            },
        },
    ]
