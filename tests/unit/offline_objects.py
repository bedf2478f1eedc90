"""Builders of rendered objects for the unit tests of the offline rules."""

from __future__ import annotations

from typing import Any

from helmkit.core.model.manifests import K8sObject


def obj(body: dict[str, Any], source: str = "demo/templates/x.yaml") -> K8sObject:
    meta = body.setdefault("metadata", {})
    return K8sObject(
        body.get("apiVersion", "v1"),
        body["kind"],
        meta.get("name", "x"),
        meta.get("namespace", ""),
        source,
        body,
    )


def container(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "app",
        "image": "example/app:1.0",
        "resources": {
            "requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "1", "memory": "128Mi"},
        },
        "readinessProbe": {"tcpSocket": {"port": 80}},
        "livenessProbe": {"tcpSocket": {"port": 80}},
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def workload(
    kind: str = "Deployment",
    name: str = "web",
    *,
    replicas: int | None = 2,
    labels: dict[str, str] | None = None,
    **container_overrides: Any,
) -> K8sObject:
    labels = labels or {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": "r"}
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(labels)},
        "template": {
            "metadata": {"labels": dict(labels)},
            "spec": {"containers": [container(**container_overrides)]},
        },
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return obj({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": spec})


def hpa(target: str, min_replicas: int = 2) -> K8sObject:
    return obj(
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": target},
            "spec": {
                "scaleTargetRef": {"kind": "Deployment", "name": target},
                "minReplicas": min_replicas,
                "maxReplicas": 5,
            },
        }
    )


def pdb(name: str, selector: dict[str, str], **spec: Any) -> K8sObject:
    return obj(
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": selector}, **spec},
        }
    )
