"""Policy rules on rendered objects. Each rule is a pure function: objects in, findings out.

Rule ids are stable (waivers and docs name them). Pod Security "restricted" is judged by
`helmkit.core.lint.pod_security`; the rules here cover what Pod Security does not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from helmkit.core.lint import placement, policy_capacity, policy_pods
from helmkit.core.lint.credentials import secret_looking
from helmkit.core.lint.policy_findings import container_images, finding, pod_containers
from helmkit.core.model.findings import Finding
from helmkit.core.model.manifests import K8sObject
from helmkit.core.model.workloads import (
    LONG_RUNNING,
    WORKLOAD_KINDS,
    pod_spec,
    pod_spec_path,
    pod_template_metadata,
)

if TYPE_CHECKING:
    from helmkit.core.lint.checks import AnyRule, RuleRunner

Rule = Callable[[list[K8sObject]], Iterator[Finding]]

VERSION_LABELS = ("app.kubernetes.io/version", "helm.sh/chart", "chart", "version")


def resources_set(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        for path, container in pod_containers(obj):
            resources = container.get("resources") or {}
            missing = [
                f"{section}.{name}"
                for section in ("requests", "limits")
                for name in ("cpu", "memory")
                if not (resources.get(section) or {}).get(name)
            ]
            if missing:
                yield finding(
                    "resources",
                    obj,
                    f"{path}.resources",
                    f"container {container.get('name')!r} has no {', '.join(missing)}",
                    "set requests and limits for cpu and memory in the component's "
                    "`resources` values",
                )


def probes_present(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        if obj.kind not in LONG_RUNNING:
            continue
        spec = pod_spec(obj) or {}
        base = pod_spec_path(obj.kind)
        for position, container in enumerate(spec.get("containers") or []):
            missing = [p for p in ("readinessProbe", "livenessProbe") if p not in container]
            if missing:
                yield finding(
                    "probes",
                    obj,
                    f"{base}.containers[{position}]",
                    f"container {container.get('name')!r} has no {' and no '.join(missing)}",
                    "add readinessProbe and livenessProbe so rollouts wait for "
                    "readiness and hung processes restart",
                )


def image_problem(image: str) -> str:
    """Empty when image is pinned by digest, or by a tag other than latest."""
    if "@sha256:" in image:
        return ""
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag or digest (pulls `latest`)"
    if last.rsplit(":", 1)[1] in ("latest", ""):
        return "uses the `latest` tag"
    return ""


def images_pinned(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj, where, image in container_images(objects):
        problem = image_problem(image)
        if problem:
            yield finding(
                "image-pinned",
                obj,
                where,
                f"image {image!r} {problem}",
                "set image.tag (or image.digest) to a fixed version",
            )


def _hpa_targets(objects: list[K8sObject]) -> dict[tuple[str, str], K8sObject]:
    targets: dict[tuple[str, str], K8sObject] = {}
    for hpa in objects:
        if hpa.kind == "HorizontalPodAutoscaler":
            ref = (hpa.body.get("spec") or {}).get("scaleTargetRef") or {}
            targets[(str(ref.get("kind")), str(ref.get("name")))] = hpa
    return targets


def no_replicas_with_hpa(objects: list[K8sObject]) -> Iterator[Finding]:
    targets = _hpa_targets(objects)
    for obj in objects:
        hpa = targets.get((obj.kind, obj.name))
        if hpa is not None and "replicas" in (obj.body.get("spec") or {}):
            yield finding(
                "hpa-replicas",
                obj,
                "spec.replicas",
                f"sets replicas although {hpa.ref} scales it; every upgrade resets the scale",
                "omit spec.replicas when autoscaling is enabled (`{{- if not "
                ".Values.X.autoscaling.enabled }}`)",
            )


def _matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    match_labels = selector.get("matchLabels") or {}
    if selector.get("matchExpressions"):
        return False  # not used by this chart; treated as "cannot prove a match"
    return bool(match_labels) and all(labels.get(k) == v for k, v in match_labels.items())


def _replicas(obj: K8sObject, targets: dict[tuple[str, str], K8sObject]) -> int:
    hpa = targets.get((obj.kind, obj.name))
    if hpa is not None:
        return int((hpa.body.get("spec") or {}).get("minReplicas", 1))
    return int((obj.body.get("spec") or {}).get("replicas", 1))


def _allowed_disruptions(spec: dict[str, Any], replicas: int) -> int:
    def amount(value: Any, round_up: bool) -> int:
        if isinstance(value, str) and value.endswith("%"):
            share = replicas * int(value[:-1]) / 100
            return math.ceil(share) if round_up else math.floor(share)
        return int(value)

    if "minAvailable" in spec:
        return replicas - amount(spec["minAvailable"], round_up=True)
    if "maxUnavailable" in spec:
        return amount(spec["maxUnavailable"], round_up=True)
    return replicas


def _pdb_selections(
    objects: list[K8sObject],
) -> Iterator[tuple[K8sObject, list[K8sObject], int]]:
    """(PDB, the workloads it selects, their replicas: the HPA minimum where one scales)."""
    targets = _hpa_targets(objects)
    workloads = [o for o in objects if o.kind in LONG_RUNNING]
    for pdb in (o for o in objects if o.kind == "PodDisruptionBudget"):
        selector = (pdb.body.get("spec") or {}).get("selector") or {}
        selected = [
            w for w in workloads if _matches(selector, pod_template_metadata(w).get("labels") or {})
        ]
        yield pdb, selected, sum(_replicas(w, targets) for w in selected)


def pdb_satisfiable(objects: list[K8sObject]) -> Iterator[Finding]:
    for pdb, selected, replicas in _pdb_selections(objects):
        if not selected:
            yield finding(
                "pdb-satisfiable",
                pdb,
                "spec.selector",
                "selects no workload of this release",
                "align the PDB selector with the workload's selector labels, or disable the PDB",
            )
            continue
        if _allowed_disruptions(pdb.body.get("spec") or {}, replicas) < 1:
            names = ", ".join(w.ref for w in selected)
            yield finding(
                "pdb-satisfiable",
                pdb,
                "spec",
                f"allows no voluntary disruption with {replicas} replica(s) of {names}: "
                "node drains and cluster upgrades would hang",
                "render the PDB only when replicas (or autoscaling.minReplicas) > 1, or use "
                "maxUnavailable: 1",
            )


def pdb_protects_something(objects: list[K8sObject]) -> Iterator[Finding]:
    for pdb, selected, replicas in _pdb_selections(objects):
        if selected:
            names = ", ".join(w.ref for w in selected)
            yield from policy_capacity.pdb_protection(pdb, replicas, names)


def _version_labels(labels: dict[str, Any]) -> list[str]:
    return sorted(k for k in labels if k in VERSION_LABELS)


def _selectors(obj: K8sObject) -> Iterator[tuple[str, dict[str, Any]]]:
    spec = obj.body.get("spec") or {}
    if obj.kind in (*LONG_RUNNING, "ReplicaSet", "PodDisruptionBudget"):
        yield "spec.selector.matchLabels", ((spec.get("selector") or {}).get("matchLabels") or {})
    if obj.kind == "Service":
        yield "spec.selector", spec.get("selector") or {}
    if obj.kind == "StatefulSet":
        for position, claim in enumerate(spec.get("volumeClaimTemplates") or []):
            labels = (claim.get("metadata") or {}).get("labels") or {}
            yield f"spec.volumeClaimTemplates[{position}].metadata.labels", labels


def selectors_without_versions(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        for path, labels in _selectors(obj):
            bad = _version_labels(labels)
            if bad:
                yield finding(
                    "selector-version",
                    obj,
                    path,
                    f"carries version labels {bad}: the next version's upgrade fails on an "
                    "immutable field",
                    "select on app.kubernetes.io/name and instance only",
                )


# per-object verdicts by the digest of the object's text: scenarios share most objects, and
# these two rules scan every string of them
_SECRET_KEYS: dict[str, list[tuple[str, str]]] = {}
_NO_VALUE: dict[str, bool] = {}
_VERDICTS_MAX = 50_000  # a bound for long-lived processes (test runners, the pytest plugin)


def _secret_keys(obj: K8sObject) -> list[tuple[str, str]]:
    if obj.digest in _SECRET_KEYS:
        return _SECRET_KEYS[obj.digest]
    found = [
        (str(key), why)
        for key, value in sorted((obj.body.get("data") or {}).items())
        if (why := secret_looking(str(key), str(value)))
    ]
    if obj.digest:
        if len(_SECRET_KEYS) > _VERDICTS_MAX:
            _SECRET_KEYS.clear()
        _SECRET_KEYS[obj.digest] = found
    return found


def configmaps_without_secrets(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in (o for o in objects if o.kind == "ConfigMap"):
        for key, why in _secret_keys(obj):
            yield finding(
                "configmap-secret",
                obj,
                f"data.{key}",
                f"key {key!r}: {why}",
                "move it to the app Secret (secrets.* values or secrets.existingSecret)",
            )


def no_missing_values(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        missing = _NO_VALUE.get(obj.digest) if obj.digest else None
        if missing is None:
            missing = _has_no_value(obj.body)
            if obj.digest:
                if len(_NO_VALUE) > _VERDICTS_MAX:
                    _NO_VALUE.clear()
                _NO_VALUE[obj.digest] = missing
        if missing:
            yield finding(
                "no-value",
                obj,
                "",
                "rendered `<no value>`: a template reads a missing value",
                "give the value a default in values.yaml or guard it with `if`/`default`",
            )


def _has_no_value(data: Any) -> bool:
    """Any string value holding `<no value>` (walked with a stack: this runs on every object)."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "<no value>" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


# metadata.name as the API server validates it (helm lint checks the same per values set)
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_RBAC_KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")


def _path_segment(name: str) -> bool:
    return name not in (".", "..") and "/" not in name and "%" not in name


def _dns1035_label(name: str) -> bool:
    return len(name) <= 63 and _DNS1035_LABEL.fullmatch(name) is not None


def _dns1123_label(name: str) -> bool:
    return len(name) <= 63 and _DNS1123_LABEL.fullmatch(name) is not None


def _dns1123_subdomain(name: str) -> bool:
    return len(name) <= 253 and all(_DNS1123_LABEL.fullmatch(p) for p in name.split("."))


_NAME_RULES: dict[str, tuple[Callable[[str], bool], str]] = {
    **{
        kind: (_path_segment, "a path segment name cannot be '.' or '..' or hold '/' or '%'")
        for kind in _RBAC_KINDS
    },
    "Service": (
        _dns1035_label,
        "a Service name is a DNS-1035 label: at most 63 lowercase letters, digits and '-', "
        "starting with a letter and ending with a letter or digit",
    ),
    "Namespace": (
        _dns1123_label,
        "a Namespace name is a DNS-1123 label: at most 63 lowercase letters, digits and '-'",
    ),
}
_SUBDOMAIN_RULE = (
    _dns1123_subdomain,
    "a name is a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', "
    "each part starting and ending with a letter or digit",
)


def name_problem(kind: str, name: str) -> str:
    """Why the API server would refuse this name for this kind ("" when it is valid)."""
    valid, rule = _NAME_RULES.get(kind, _SUBDOMAIN_RULE)
    return "" if valid(name) else rule


def valid_names(objects: list[K8sObject]) -> Iterator[Finding]:
    for obj in objects:
        problem = name_problem(obj.kind, obj.name) if obj.name else ""
        if problem:
            yield finding(
                "object-name",
                obj,
                "metadata.name",
                f"name {obj.name!r} would be refused by the API server: {problem}",
                "names are built from the release name (and fullnameOverride where the chart has "
                "one): pick a shorter, lowercase release name",
            )


OBJECT_RULES: dict[str, Rule] = {
    "object-name": valid_names,
    "resources": resources_set,
    "probes": probes_present,
    "image-pinned": images_pinned,
    "hpa-replicas": no_replicas_with_hpa,
    "pdb-satisfiable": pdb_satisfiable,
    "pdb-protects-nothing": pdb_protects_something,
    "selector-version": selectors_without_versions,
    "configmap-secret": configmaps_without_secrets,
    "no-value": no_missing_values,
    "env-duplicate": policy_pods.env_duplicates,
    "env-secret": policy_pods.env_secrets,
    "emptydir-size": policy_pods.emptydir_sizes,
    "toleration-all": policy_pods.tolerations_of_everything,
    "quota-admit": policy_capacity.quota_admits,
    "anti-affinity-nodes": placement.anti_affinity_nodes,
}
# rules for environments other than a developer's own cluster (Scenario.shared)
SHARED_ENV_RULES: dict[str, Rule] = {
    "image-mutable-tag": policy_pods.mutable_tags,
}


def run_plainly(name: str, rule: AnyRule, objects: list[K8sObject]) -> list[Finding]:
    return list(rule(objects))


def run_rules(
    objects: list[K8sObject], *, shared: bool = False, run: RuleRunner = run_plainly
) -> list[Finding]:
    """Every object rule (and the shared-environment ones); `run` calls each rule by its id."""
    rules = {**OBJECT_RULES, **(SHARED_ENV_RULES if shared else {})}
    return [found for name, rule in rules.items() for found in run(name, rule, objects)]


__all__ = ["OBJECT_RULES", "WORKLOAD_KINDS", "run_rules"]
