"""Preflight judgements: what the rendered release needs from the cluster, and the command that
installs each missing piece (what the seed's setup-ingress.sh did by hand)."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass

from helmkit.core.model.live_manifests import KubeObject, of_kind

# API group -> (what provides it, the command that installs it).
PROVIDERS: dict[str, tuple[str, str]] = {
    "cert-manager.io": (
        "cert-manager",
        "helm upgrade --install cert-manager oci://quay.io/jetstack/charts/cert-manager "
        "--namespace cert-manager --create-namespace --set crds.enabled=true",
    ),
    "gateway.networking.k8s.io": (
        "the Gateway API CRDs",
        "kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/"
        "v1.3.0/standard-install.yaml",
    ),
    "monitoring.coreos.com": (
        "the Prometheus Operator CRDs",
        "helm upgrade --install prometheus-operator-crds prometheus-community/"
        "prometheus-operator-crds --namespace monitoring --create-namespace",
    ),
}
INGRESS_NGINX_INSTALL = (
    "helm upgrade --install ingress-nginx ingress-nginx/ingress-nginx --namespace ingress-nginx "
    "--create-namespace --set controller.ingressClassResource.name={name}"
    " (on the local cluster: `helmkit cluster up` with its real node serves the class `nginx`)"
)
ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer"
GATEWAY_HELP = "https://gateway-api.sigs.k8s.io/guides/"

# Every namespace helmkit creates enforces Pod Security "restricted".
PSA_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
}

# What a release job must be allowed to do in its namespace: (verb, group, resource).
REQUIRED_PERMISSIONS: tuple[tuple[str, str, str], ...] = (
    ("list", "", "secrets"),  # helm's release storage
    ("create", "", "secrets"),
    ("patch", "", "configmaps"),
    ("create", "", "services"),
    ("patch", "apps", "deployments"),
    ("patch", "apps", "statefulsets"),
    ("create", "batch", "jobs"),
    ("create", "", "pods"),  # helm test pods
    ("list", "", "events"),
    *(
        # the release lock (core/release/lock.py): read, taken, renewed; never deleted
        (verb, "coordination.k8s.io", "leases")
        for verb in ("get", "create", "update")
    ),
)
LEASE_PERMISSIONS = tuple(p for p in REQUIRED_PERMISSIONS if p[2] == "leases")
LOCK_ROLE = "helmkit-release-lock"


@dataclass(frozen=True)
class Problem:
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.what}\n    fix: {self.fix}"


def missing_apis(objects: Iterable[KubeObject], served: Set[str]) -> list[Problem]:
    """Objects whose apiVersion the API server does not serve (a CRD is missing)."""
    problems: dict[str, Problem] = {}
    for obj in objects:
        api = str(obj.get("apiVersion", ""))
        if not api or api in served or api in problems:
            continue
        group = api.split("/", 1)[0] if "/" in api else ""
        provider, command = PROVIDERS.get(group, ("its CRD", f"install the CRDs for {api}"))
        problems[api] = Problem(
            f"{obj.get('kind')} needs API {api}, which the cluster does not serve "
            f"({provider} is not installed)",
            command,
        )
    return list(problems.values())


def missing_ingress_classes(objects: Iterable[KubeObject], classes: Set[str]) -> list[Problem]:
    wanted = {
        str(ing.get("spec", {}).get("ingressClassName"))
        for ing in of_kind(objects, "Ingress")
        if ing.get("spec", {}).get("ingressClassName")
    }
    return [
        Problem(
            f"IngressClass {name!r} does not exist (no ingress controller serves it)",
            INGRESS_NGINX_INSTALL.format(name=name),
        )
        for name in sorted(wanted - set(classes))
    ]


def missing_issuers(objects: Iterable[KubeObject], issuers: Set[str] | None) -> list[Problem]:
    """ClusterIssuers named by Ingress annotations and not created by the release itself.
    `issuers` is None when cert-manager's API is absent (reported by missing_apis instead)."""
    created = {obj["metadata"]["name"] for obj in of_kind(objects, "ClusterIssuer")}
    wanted = {
        str(ing["metadata"]["annotations"][ISSUER_ANNOTATION])
        for ing in of_kind(objects, "Ingress")
        if ISSUER_ANNOTATION in (ing.get("metadata", {}).get("annotations") or {})
    }
    if issuers is None:
        provider, command = PROVIDERS["cert-manager.io"]
        return [
            Problem(
                f"Ingress asks cert-manager for ClusterIssuer {name!r} but {provider} is "
                "not installed",
                command,
            )
            for name in sorted(wanted - created)
        ]
    return [
        Problem(
            f"ClusterIssuer {name!r} does not exist",
            "set certManager.clusterIssuers.create=true (with an email) or create it: "
            "https://cert-manager.io/docs/configuration/acme/",
        )
        for name in sorted(wanted - created - set(issuers))
    ]


def missing_permissions(denied: Iterable[tuple[str, str, str]], namespace: str) -> list[Problem]:
    """One problem per denied (verb, resource); the lock's leases get the Role to add."""
    denied = list(denied)
    problems = [
        Problem(
            f"this identity may not {verb} {resource}{'.' + group if group else ''} in "
            f"namespace {namespace}",
            f"grant it a Role with that verb (see `kubectl auth can-i {verb} {resource} "
            f"-n {namespace}`)",
        )
        for verb, group, resource in denied
        if resource != "leases"
    ]
    verbs = [verb for verb, _, resource in denied if resource == "leases"]
    if verbs:
        problems.append(missing_lease_permissions(verbs, namespace))
    return problems


def missing_lease_permissions(verbs: Iterable[str], namespace: str) -> Problem:
    """The release lock needs get, create and update on Leases in the release namespace: the
    problem names the verbs denied and the RBAC that grants all three."""
    wanted = ",".join(verb for verb, _, _ in LEASE_PERMISSIONS)
    return Problem(
        f"this identity may not {', '.join(verbs)} leases.coordination.k8s.io in namespace "
        f"{namespace} (the release lock is a Lease there)",
        f"kubectl create role {LOCK_ROLE} -n {namespace} --verb={wanted} "
        f"--resource=leases.coordination.k8s.io && kubectl create rolebinding {LOCK_ROLE} "
        f"-n {namespace} --role={LOCK_ROLE} --serviceaccount=NAMESPACE:NAME (or --user=NAME: "
        "the identity of the release job)",
    )


def missing_secrets(required: Iterable[str], present: Set[str], namespace: str) -> list[Problem]:
    return [
        Problem(
            f"Secret {name!r} is required in namespace {namespace} and does not exist",
            f"kubectl create secret generic {name} -n {namespace} --from-env-file=FILE "
            "(keys: JWT_SECRET_KEY, DATABASE_URL, REDIS_URL, POSTGRES_PASSWORD, "
            "OPENAI_API_KEY, GEMINI_API_KEY)",
        )
        for name in required
        if name not in present
    ]


def wanted_gateways(objects: Iterable[KubeObject], namespace: str) -> set[str]:
    """`namespace/name` of every Gateway the rendered HTTPRoutes attach to (a parentRef without
    a namespace means the route's own, the release namespace)."""
    wanted: set[str] = set()
    for route in of_kind(objects, "HTTPRoute"):
        for ref in route.get("spec", {}).get("parentRefs") or []:
            if ref.get("kind", "Gateway") == "Gateway" and ref.get("name"):
                wanted.add(f"{ref.get('namespace') or namespace}/{ref['name']}")
    return wanted


def missing_gateways(
    objects: Iterable[KubeObject], gateways: Set[str] | None, namespace: str
) -> list[Problem]:
    """Gateways named by HTTPRoutes that do not exist. `gateways` is None when the Gateway API is
    absent (then missing_apis names the CRDs to install)."""
    if gateways is None:
        return []
    return [
        Problem(
            f"Gateway {ref} does not exist (HTTPRoutes of this release attach to it)",
            f"install a Gateway API implementation and create Gateway {ref.split('/')[1]} in "
            f"namespace {ref.split('/')[0]} with the listeners gateway.parentRefs names "
            f"(see {GATEWAY_HELP}), or fix gateway.parentRefs",
        )
        for ref in sorted(wanted_gateways(objects, namespace) - set(gateways))
    ]
