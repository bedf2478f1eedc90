"""Preflight: what the render needs from the cluster, each with the command that installs it."""

from __future__ import annotations

from helmkit.core.release import preflight as pf

INGRESS = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "metadata": {"name": "web", "annotations": {pf.ISSUER_ANNOTATION: "letsencrypt-staging"}},
    "spec": {"ingressClassName": "nginx"},
}
CERT = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c"}}
ROUTE = {
    "apiVersion": "gateway.networking.k8s.io/v1",
    "kind": "HTTPRoute",
    "metadata": {"name": "r"},
}
SERVED = {"v1", "apps/v1", "networking.k8s.io/v1"}


def test_missing_crds_name_the_provider_and_command() -> None:
    problems = pf.missing_apis([INGRESS, CERT, ROUTE, CERT], SERVED)
    assert len(problems) == 2
    assert "cert-manager is not installed" in problems[0].what
    assert "--set crds.enabled=true" in problems[0].fix
    assert "Gateway API CRDs" in problems[1].what
    assert "standard-install.yaml" in problems[1].fix
    assert pf.missing_apis([INGRESS], SERVED) == []


def test_ingress_class() -> None:
    (problem,) = pf.missing_ingress_classes([INGRESS], set())
    assert "IngressClass 'nginx'" in problem.what
    assert "ingress-nginx/ingress-nginx" in problem.fix
    assert pf.missing_ingress_classes([INGRESS], {"nginx"}) == []


def test_issuers() -> None:
    (absent,) = pf.missing_issuers([INGRESS], None)
    assert "cert-manager" in absent.what
    (missing,) = pf.missing_issuers([INGRESS], {"other"})
    assert "ClusterIssuer 'letsencrypt-staging' does not exist" in missing.what
    assert pf.missing_issuers([INGRESS], {"letsencrypt-staging"}) == []
    created = {"kind": "ClusterIssuer", "metadata": {"name": "letsencrypt-staging"}}
    assert pf.missing_issuers([INGRESS, created], set()) == []


def test_permissions_and_secrets() -> None:
    (perm,) = pf.missing_permissions([("patch", "apps", "deployments")], "ns")
    assert perm.what == "this identity may not patch deployments.apps in namespace ns"
    assert "kubectl auth can-i patch deployments -n ns" in perm.fix
    (secret,) = pf.missing_secrets(["ai-native-secrets", "present"], {"present"}, "ns")
    assert "Secret 'ai-native-secrets' is required in namespace ns" in str(secret)
    assert "kubectl create secret generic ai-native-secrets -n ns" in secret.fix


def _route(*refs: dict[str, str]) -> dict[str, object]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "r"},
        "spec": {"parentRefs": list(refs)},
    }


def test_gateways_named_by_routes_must_exist() -> None:
    objects = [
        _route({"name": "public", "namespace": "gateway-system", "sectionName": "https"}),
        _route({"name": "local"}, {"kind": "Service", "name": "mesh"}),
    ]
    assert pf.wanted_gateways(objects, "app") == {"gateway-system/public", "app/local"}
    problems = pf.missing_gateways(objects, {"gateway-system/public"}, "app")
    assert [p.what for p in problems] == [
        "Gateway app/local does not exist (HTTPRoutes of this release attach to it)"
    ]
    assert "create Gateway local in namespace app" in problems[0].fix
    assert pf.missing_gateways(objects, {"gateway-system/public", "app/local"}, "app") == []
    assert pf.missing_gateways(objects, None, "app") == [], "no Gateway API: missing_apis says so"


def test_release_preflight_asks_for_the_lock_lease_verbs() -> None:
    leases = [p for p in pf.REQUIRED_PERMISSIONS if p[2] == "leases"]
    assert leases == [
        ("get", "coordination.k8s.io", "leases"),
        ("create", "coordination.k8s.io", "leases"),
        ("update", "coordination.k8s.io", "leases"),
    ]
    assert list(pf.LEASE_PERMISSIONS) == leases


def test_denied_lease_verbs_are_one_problem_with_the_role_to_add() -> None:
    denied = [("update", "coordination.k8s.io", "leases"), ("create", "", "services")]
    denied.insert(0, ("get", "coordination.k8s.io", "leases"))
    services, lease = pf.missing_permissions(denied, "prod")
    assert "may not create services in namespace prod" in services.what
    assert lease.what == (
        "this identity may not get, update leases.coordination.k8s.io in namespace prod "
        "(the release lock is a Lease there)"
    )
    assert lease.fix.startswith(
        "kubectl create role helmkit-release-lock -n prod --verb=get,create,update "
        "--resource=leases.coordination.k8s.io && kubectl create rolebinding "
        "helmkit-release-lock -n prod --role=helmkit-release-lock"
    )
