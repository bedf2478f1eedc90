"""Kubernetes APIs removed or deprecated, from the Kubernetes deprecated API migration guide
(kubernetes.io/docs/reference/using-api/deprecation-guide), and the built-in API groups.

A removed API is refused by the API server of that version; a deprecated one still works but
is announced for removal. Lint reports both in every scenario, with the replacement.
"""

from __future__ import annotations

from dataclasses import dataclass

from helmkit.core.lint.kube_schema import minor_of


@dataclass(frozen=True)
class ApiChange:
    api_version: str
    kind: str
    deprecated_in: str  # minor version, e.g. "1.21"
    removed_in: str  # "" while still served
    replacement: str  # "apps/v1 Deployment", or what to do instead


def _many(
    api_versions: tuple[str, ...], kinds: tuple[str, ...], deprecated: str, removed: str, to: str
) -> list[ApiChange]:
    """One entry per (apiVersion, kind); `to` is the replacement apiVersion (the kind stays)."""
    return [
        ApiChange(api, kind, deprecated, removed, f"{to} {kind}" if "/" in to or to == "v1" else to)
        for api in api_versions
        for kind in kinds
    ]


_WORKLOADS = ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")
_RBAC = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
_PSP = "remove it: PodSecurityPolicy is gone, use Pod Security admission (namespace labels)"

CHANGES: tuple[ApiChange, ...] = (
    # removed in 1.16
    *_many(("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2"), _WORKLOADS, "1.9", "1.16",
           "apps/v1"),
    *_many(("extensions/v1beta1",), ("NetworkPolicy",), "1.9", "1.16", "networking.k8s.io/v1"),
    ApiChange("extensions/v1beta1", "PodSecurityPolicy", "1.11", "1.16", _PSP),
    # removed in 1.22
    *_many(("admissionregistration.k8s.io/v1beta1",),
           ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"), "1.16", "1.22",
           "admissionregistration.k8s.io/v1"),
    *_many(("apiextensions.k8s.io/v1beta1",), ("CustomResourceDefinition",), "1.16", "1.22",
           "apiextensions.k8s.io/v1"),
    *_many(("apiregistration.k8s.io/v1beta1",), ("APIService",), "1.19", "1.22",
           "apiregistration.k8s.io/v1"),
    *_many(("authentication.k8s.io/v1beta1",), ("TokenReview",), "1.19", "1.22",
           "authentication.k8s.io/v1"),
    *_many(("authorization.k8s.io/v1beta1",),
           ("SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview"),
           "1.19", "1.22", "authorization.k8s.io/v1"),
    *_many(("certificates.k8s.io/v1beta1",), ("CertificateSigningRequest",), "1.19", "1.22",
           "certificates.k8s.io/v1"),
    *_many(("coordination.k8s.io/v1beta1",), ("Lease",), "1.19", "1.22", "coordination.k8s.io/v1"),
    *_many(("extensions/v1beta1", "networking.k8s.io/v1beta1"), ("Ingress",), "1.14", "1.22",
           "networking.k8s.io/v1"),
    *_many(("networking.k8s.io/v1beta1",), ("IngressClass",), "1.19", "1.22",
           "networking.k8s.io/v1"),
    *_many(("rbac.authorization.k8s.io/v1beta1",), _RBAC, "1.17", "1.22",
           "rbac.authorization.k8s.io/v1"),
    *_many(("scheduling.k8s.io/v1beta1",), ("PriorityClass",), "1.14", "1.22",
           "scheduling.k8s.io/v1"),
    *_many(("storage.k8s.io/v1beta1",),
           ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"), "1.19", "1.22",
           "storage.k8s.io/v1"),
    # removed in 1.25
    *_many(("batch/v1beta1",), ("CronJob",), "1.21", "1.25", "batch/v1"),
    *_many(("discovery.k8s.io/v1beta1",), ("EndpointSlice",), "1.21", "1.25",
           "discovery.k8s.io/v1"),
    *_many(("events.k8s.io/v1beta1",), ("Event",), "1.19", "1.25", "events.k8s.io/v1"),
    *_many(("autoscaling/v2beta1",), ("HorizontalPodAutoscaler",), "1.22", "1.25",
           "autoscaling/v2"),
    *_many(("policy/v1beta1",), ("PodDisruptionBudget",), "1.21", "1.25", "policy/v1"),
    ApiChange("policy/v1beta1", "PodSecurityPolicy", "1.21", "1.25", _PSP),
    *_many(("node.k8s.io/v1beta1",), ("RuntimeClass",), "1.20", "1.25", "node.k8s.io/v1"),
    # removed in 1.26
    *_many(("flowcontrol.apiserver.k8s.io/v1beta1",),
           ("FlowSchema", "PriorityLevelConfiguration"), "1.23", "1.26",
           "flowcontrol.apiserver.k8s.io/v1"),
    *_many(("autoscaling/v2beta2",), ("HorizontalPodAutoscaler",), "1.23", "1.26",
           "autoscaling/v2"),
    # removed in 1.27
    *_many(("storage.k8s.io/v1beta1",), ("CSIStorageCapacity",), "1.24", "1.27",
           "storage.k8s.io/v1"),
    # removed in 1.29
    *_many(("flowcontrol.apiserver.k8s.io/v1beta2",),
           ("FlowSchema", "PriorityLevelConfiguration"), "1.26", "1.29",
           "flowcontrol.apiserver.k8s.io/v1"),
    # removed in 1.32
    *_many(("flowcontrol.apiserver.k8s.io/v1beta3",),
           ("FlowSchema", "PriorityLevelConfiguration"), "1.29", "1.32",
           "flowcontrol.apiserver.k8s.io/v1"),
    # deprecated, still served
    ApiChange("v1", "Endpoints", "1.33", "", "discovery.k8s.io/v1 EndpointSlice"),
)  # fmt: skip

_BY_KEY = {(c.api_version, c.kind): c for c in CHANGES}

# the groups the API server serves itself (a CRD group may also end in .k8s.io, e.g. the
# Gateway API's gateway.networking.k8s.io: a suffix alone does not tell)
BUILT_IN_GROUPS = frozenset(
    {
        "", "apps", "batch", "autoscaling", "policy", "extensions",
        "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
        "authentication.k8s.io", "authorization.k8s.io", "certificates.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io",
        "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "networking.k8s.io",
        "node.k8s.io", "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io",
        "storage.k8s.io", "storagemigration.k8s.io",
    }
)  # fmt: skip


def change(api_version: str, kind: str) -> ApiChange | None:
    return _BY_KEY.get((api_version, kind))


def built_in(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return group in BUILT_IN_GROUPS


def _key(minor: str) -> tuple[int, int]:
    major, _, rest = minor.partition(".")
    return int(major), int(rest)


def removed_in(found: ApiChange, versions: list[str]) -> list[str]:
    """The target versions (minors) that no longer serve the API."""
    if not found.removed_in:
        return []
    return [minor_of(v) for v in versions if _key(minor_of(v)) >= _key(found.removed_in)]


def deprecated_in(found: ApiChange, versions: list[str]) -> list[str]:
    return [minor_of(v) for v in versions if _key(minor_of(v)) >= _key(found.deprecated_in)]
