"""Combinations the chart renders on purpose but that are probably not what was meant (pure).

The chart refuses only what cannot run; these it lists as warnings in its install notes
(templates/_warnings.tpl). The ones visible in the rendered objects are warned about here too,
so `helmkit lint` shows them before an install does.
"""

from __future__ import annotations

import re
from typing import Any

from helmkit.core.model.findings import Finding, Severity
from helmkit.core.model.manifests import K8sObject, containers, pod_spec, pod_spec_path

_ISSUERS = ("ClusterIssuer", "Issuer")
_WORKLOADS = ("StatefulSet", "Deployment")
_DIR = re.compile(r"^\s*dir\s+(\S+)\s*$", re.MULTILINE)
_AOF_ON = re.compile(r"^\s*appendonly\s+yes\s*$", re.MULTILINE)
REDIS_IMAGE_WORKDIR = "/data"  # the official image's working directory, redis' default `dir`


def acme_without_email(objects: list[K8sObject]) -> list[Finding]:
    findings = []
    for issuer in objects:
        acme = (issuer.body.get("spec") or {}).get("acme")
        if issuer.kind in _ISSUERS and isinstance(acme, dict) and not acme.get("email"):
            findings.append(
                Finding(
                    rule="acme-email",
                    severity=Severity.WARNING,
                    message="ACME account without an email: Let's Encrypt cannot warn about "
                    "certificates that fail to renew",
                    hint="set certManager.clusterIssuers.email",
                    obj=issuer.ref,
                    field_path="spec.acme.email",
                    file=issuer.source,
                )
            )
    return findings


def _aof_dirs(objects: list[K8sObject]) -> dict[str, str]:
    """ConfigMap name -> redis `dir` for each redis.conf that turns the append-only file on."""
    found = {}
    for config in objects:
        if config.kind != "ConfigMap":
            continue
        conf = str((config.body.get("data") or {}).get("redis.conf", ""))
        if _AOF_ON.search(conf):
            directory = _DIR.search(conf)
            found[config.name] = directory.group(1) if directory else REDIS_IMAGE_WORKDIR
    return found


def _volume_at(spec: dict[str, Any], path: str) -> dict[str, Any] | None:
    volumes = {v.get("name"): v for v in spec.get("volumes") or []}
    for _, container in containers(spec):
        for mount in container.get("volumeMounts") or []:
            if str(mount.get("mountPath", "")).rstrip("/") == path.rstrip("/"):
                return volumes.get(mount.get("name"))
    return None


def redis_aof_on_emptydir(objects: list[K8sObject]) -> list[Finding]:
    aof = _aof_dirs(objects)
    findings = []
    for workload in objects:
        spec = pod_spec(workload)
        if workload.kind not in _WORKLOADS or spec is None:
            continue
        configs = [
            v["configMap"].get("name") for v in spec.get("volumes") or [] if v.get("configMap")
        ]
        for name in (c for c in configs if c in aof):
            volume = _volume_at(spec, aof[name])
            if volume is not None and "emptyDir" in volume:
                findings.append(
                    Finding(
                        rule="redis-aof-emptydir",
                        severity=Severity.WARNING,
                        message=f"appendonly yes (ConfigMap/{name}) writes to {aof[name]}, an "
                        "emptyDir: the append-only file vanishes with the pod",
                        hint="set redis.persistence.enabled=true, or redis.appendonly=false",
                        obj=workload.ref,
                        field_path=f"{pod_spec_path(workload.kind)}.volumes",
                        file=workload.source,
                    )
                )
    return findings


def unusual_values(objects: list[K8sObject]) -> list[Finding]:
    return acme_without_email(objects) + redis_aof_on_emptydir(objects)
