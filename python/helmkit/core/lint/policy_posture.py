"""Per-environment posture (pure): outside a developer's own cluster, NetworkPolicies and TLS
stay on. The finding names the values key that turns each back on, found in the chart's
default values (any chart: `networkPolicy.enabled`, `ingress.tls.enabled`, ...)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from helmkit.core.lint.policy_findings import finding
from helmkit.core.lint.rules import RULES
from helmkit.core.model.findings import Finding
from helmkit.core.model.manifests import K8sObject, pod_spec

_NETWORK_POLICY_KEY = re.compile(r"^network[-_]?polic(y|ies)$", re.I)


@dataclass(frozen=True)
class PostureKeys:
    """The values keys that switch NetworkPolicies and TLS on ("" when the chart has none)."""

    network_policy: str = ""
    tls: str = ""


def _walk(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, str(key)), value
            yield from _walk(value, (*path, str(key)))


def _switch(path: tuple[str, ...], value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("enabled"), bool):
        return ".".join((*path, "enabled"))
    return ".".join(path) if isinstance(value, bool) else ""


def posture_keys(values: Any) -> PostureKeys:
    """The first NetworkPolicy switch and the first TLS switch in the chart's values (the
    shallowest one: the umbrella's over a subchart's)."""
    network = tls = ""
    for path, value in sorted(_walk(values), key=lambda item: len(item[0])):
        last = path[-1]
        if not network and _NETWORK_POLICY_KEY.match(last):
            network = _switch(path, value)
        if not tls and last.lower() == "tls":
            tls = _switch(path, value)
    return PostureKeys(network, tls)


def _starts_pods(objects: list[K8sObject]) -> bool:
    return any(pod_spec(o) is not None for o in objects)


def network_policies_on(objects: list[K8sObject], keys: PostureKeys) -> Iterator[Finding]:
    if not _starts_pods(objects) or any(o.kind == "NetworkPolicy" for o in objects):
        return
    key = keys.network_policy
    yield Finding(
        rule="posture-network-policy",
        severity=RULES["posture-network-policy"].severity,
        message="no NetworkPolicy in an environment other than local: every pod in the cluster "
        "reaches the release's pods",
        hint=f"set `{key}: true`" if key else "add NetworkPolicies that deny by default",
        field_path=key,
    )


def _uncovered_hosts(ingress: K8sObject) -> list[str]:
    spec = ingress.body.get("spec") or {}
    covered = {h for entry in spec.get("tls") or [] for h in entry.get("hosts") or []}
    hosts = [str(r.get("host")) for r in spec.get("rules") or [] if r.get("host")]
    return [h for h in hosts if h not in covered]


def tls_on(objects: list[K8sObject], keys: PostureKeys) -> Iterator[Finding]:
    for ingress in (o for o in objects if o.kind == "Ingress"):
        hosts = _uncovered_hosts(ingress)
        if hosts:
            yield finding(
                "posture-tls",
                ingress,
                "spec.tls",
                f"serves {', '.join(hosts)} without TLS in an environment other than local: "
                "credentials and session cookies cross the network in clear text",
                f"set `{keys.tls}: true`" if keys.tls else "add a `tls` entry for every host",
            )


def posture_findings(objects: list[K8sObject], keys: PostureKeys) -> list[Finding]:
    return [*network_policies_on(objects, keys), *tls_on(objects, keys)]
