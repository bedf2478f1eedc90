"""What the rendered objects say: names, labels and selectors, replicas vs HPA, config checksum,
images, routes, capability-gated objects, guardrails and NetworkPolicies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_env import CHART, HelmRuns, find, one, template_args

SELECTOR_KEYS = {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
Objects = list[dict[str, Any]]


def _render(helm_runs: HelmRuns, tmp_path: Path, values: dict[str, Any], *extra: str,
            apis: bool = True) -> Objects:
    path = tmp_path / f"v{abs(hash(yaml.safe_dump(values)))}.yaml"
    path.write_text(yaml.safe_dump(values))
    return helm_runs.run("helm4", template_args([path], *extra, apis=apis)).objects()


def _pod(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def test_names_of_release_ai_native(rendered: dict[str, Objects]) -> None:
    objects = rendered["defaults"]
    for kind, name in [
        ("Deployment", "ai-native-backend"), ("Deployment", "ai-native-frontend"),
        ("Service", "ai-native-backend"), ("Service", "ai-native-frontend"),
        ("StatefulSet", "ai-native-postgresql"), ("Service", "ai-native-postgresql"),
        ("Service", "ai-native-postgresql-headless"), ("Service", "ai-native-redis"),
        ("ConfigMap", "ai-native-config"), ("Secret", "ai-native-secrets"),
        ("HorizontalPodAutoscaler", "ai-native-backend"), ("Ingress", "ai-native"),
        ("ResourceQuota", "ai-native-quota"), ("LimitRange", "ai-native-limits"),
    ]:
        one(objects, kind, name)


@pytest.mark.parametrize(("release", "prefix"), [("web", "web-ai-native"),
                                                 ("ai-native-prod", "ai-native-prod")])
def test_names_of_other_releases(helm_runs: HelmRuns, release: str, prefix: str) -> None:
    args = list(template_args(()))
    args[1] = release
    objects = helm_runs.run("helm4", args).objects()
    one(objects, "Deployment", f"{prefix}-backend")
    one(objects, "Secret", f"{prefix}-secrets")


def test_ports(rendered: dict[str, Objects]) -> None:
    objects = rendered["defaults"]
    backend = one(objects, "Service", "ai-native-backend")["spec"]["ports"]
    frontend = one(objects, "Service", "ai-native-frontend")["spec"]["ports"]
    assert backend == [{"name": "http", "port": 8000, "targetPort": "http", "protocol": "TCP"}]
    assert frontend == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    container = _pod(one(objects, "Deployment", "ai-native-frontend"))["containers"][0]
    assert container["ports"][0]["containerPort"] == 8080


def test_selectors_carry_only_name_and_instance(rendered: dict[str, Objects]) -> None:
    for scenario, objects in rendered.items():
        for obj in objects:
            where = f"{scenario}: {obj['kind']}/{obj['metadata']['name']}"
            if obj["kind"] in ("Deployment", "StatefulSet"):
                assert set(obj["spec"]["selector"]["matchLabels"]) == SELECTOR_KEYS, where
                for claim in obj["spec"].get("volumeClaimTemplates", []):
                    assert set(claim["metadata"].get("labels", {})) <= SELECTOR_KEYS, where
            if obj["kind"] == "Service":
                assert set(obj["spec"]["selector"]) == SELECTOR_KEYS, where
            if obj["kind"] == "PodDisruptionBudget":
                assert set(obj["spec"]["selector"]["matchLabels"]) == SELECTOR_KEYS, where


def test_standard_labels(rendered: dict[str, Objects]) -> None:
    labels = one(rendered["defaults"], "Deployment", "ai-native-backend")["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == "backend"
    assert labels["app.kubernetes.io/instance"] == "ai-native"
    assert labels["app.kubernetes.io/component"] == "backend"
    assert labels["app.kubernetes.io/part-of"] == "ai-native"
    assert labels["app.kubernetes.io/managed-by"] == "Helm"
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert labels["app.kubernetes.io/version"] == chart["appVersion"]
    assert labels["helm.sh/chart"] == f"ai-native-{chart['version']}"


def test_hpa_owns_replicas(rendered: dict[str, Objects]) -> None:
    objects = rendered["defaults"]
    assert "replicas" not in one(objects, "Deployment", "ai-native-backend")["spec"]
    hpa = one(objects, "HorizontalPodAutoscaler", "ai-native-backend")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"]
               for m in hpa["metrics"]}
    assert targets == {"cpu": 70, "memory": 80}
    assert "behavior" not in hpa  # Kubernetes' defaults unless the values say otherwise


def test_hpa_behavior_from_values(helm_runs: HelmRuns, tmp_path: Path) -> None:
    behavior = {"scaleDown": {"stabilizationWindowSeconds": 30, "selectPolicy": "Max",
                              "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]},
                "scaleUp": {"stabilizationWindowSeconds": 0}}  # fmt: skip
    objects = _render(helm_runs, tmp_path, {"backend": {"autoscaling": {"behavior": behavior}}})
    assert one(objects, "HorizontalPodAutoscaler", "ai-native-backend")["spec"]["behavior"] == (
        behavior
    )


def test_fixed_replicas_without_autoscaling(rendered: dict[str, Objects]) -> None:
    objects = rendered["ci/hardened-values.yaml"]
    assert one(objects, "Deployment", "ai-native-backend")["spec"]["replicas"] == 4
    assert find(objects, "HorizontalPodAutoscaler") == []


def test_seed_resources_and_replicas(rendered: dict[str, Objects]) -> None:
    objects = rendered["values/staging.yaml"]
    backend = _pod(one(objects, "Deployment", "ai-native-backend"))["containers"][0]
    frontend = one(objects, "Deployment", "ai-native-frontend")
    assert backend["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"},
                                    "limits": {"cpu": "2", "memory": "4Gi"}}
    assert frontend["spec"]["replicas"] == 2
    assert _pod(frontend)["containers"][0]["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }


def test_backend_probes_env_and_wait_containers(rendered: dict[str, Objects]) -> None:
    pod = _pod(one(rendered["defaults"], "Deployment", "ai-native-backend"))
    container = pod["containers"][0]
    assert container["startupProbe"]["httpGet"]["path"] == "/api/v1/health/live"
    assert container["livenessProbe"]["httpGet"]["path"] == "/api/v1/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready"
    assert {"configMapRef": {"name": "ai-native-config"}} in container["envFrom"]
    waits = {c["name"]: c["args"][0] for c in pod["initContainers"]}
    assert "nc -z -w 2 ai-native-postgresql 5432" in waits["wait-for-postgresql"]
    assert "nc -z -w 2 ai-native-redis 6379" in waits["wait-for-redis"]
    assert all("deadline" in script for script in waits.values())


def test_anti_affinity_presets(rendered: dict[str, Objects]) -> None:
    soft = _pod(one(rendered["defaults"], "Deployment", "ai-native-backend"))["affinity"]
    hard = _pod(one(rendered["ci/hardened-values.yaml"], "Deployment", "ai-native-backend"))
    none = _pod(one(rendered["ci/minimal-values.yaml"], "Deployment", "ai-native-backend"))
    assert "preferredDuringSchedulingIgnoredDuringExecution" in soft["podAntiAffinity"]
    assert "requiredDuringSchedulingIgnoredDuringExecution" in hard["affinity"]["podAntiAffinity"]
    assert "affinity" not in none
    spread = _pod(one(rendered["defaults"], "Deployment", "ai-native-backend"))
    assert spread["topologySpreadConstraints"][0]["topologyKey"] == "kubernetes.io/hostname"


def test_config_checksum_follows_the_config_only(helm_runs: HelmRuns, tmp_path: Path) -> None:
    def checksum(values: dict[str, Any]) -> str:
        deployment = one(_render(helm_runs, tmp_path, values), "Deployment", "ai-native-backend")
        annotation: str = deployment["spec"]["template"]["metadata"]["annotations"][
            "checksum/config"]
        return annotation

    base = checksum({})
    assert checksum({"backend": {"replicaCount": 5}}) == base
    assert checksum({"config": {"database": {"poolSize": 6}}}) != base


def test_configmap_keys(rendered: dict[str, Objects]) -> None:
    data = one(rendered["defaults"], "ConfigMap", "ai-native-config")["data"]
    assert data["JWT_ALGORITHM"] == "HS256" and data["JWT_ACCESS_TOKEN_EXPIRE_MINUTES"] == "30"
    assert data["LLM_CACHE_BACKEND"] == "redis"
    assert [data[k] for k in ("DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT",
                              "DB_POOL_RECYCLE")] == ["5", "10", "30", "3600"]
    assert data["DATABASE_HOST"] == "ai-native-postgresql"
    assert data["REDIS_HOST"] == "ai-native-redis"


def test_images_tag_registry_and_digest(rendered: dict[str, Objects]) -> None:
    default = _pod(one(rendered["defaults"], "Deployment", "ai-native-backend"))
    assert default["containers"][0]["image"] == "ai-native-backend:1.0.0"
    objects = rendered["ci/gateway-monitoring-values.yaml"]
    backend = _pod(one(objects, "Deployment", "ai-native-backend"))
    frontend = _pod(one(objects, "Deployment", "ai-native-frontend"))
    assert backend["containers"][0]["image"] == (
        "registry.example.edu/mirror/ai-native-backend@sha256:" + "0123456789abcdef" * 4)
    assert frontend["containers"][0]["image"] == (
        "other.example.edu/ai-native-frontend@sha256:" + "fedcba9876543210" * 4)
    assert backend["initContainers"][0]["image"] == "registry.example.edu/mirror/busybox:1.37.0"
    assert backend["imagePullSecrets"] == [{"name": "regcred"}, {"name": "regcred-2"}]


def test_ingress(rendered: dict[str, Objects]) -> None:
    ingress = one(rendered["defaults"], "Ingress", "ai-native")
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/limit-rps"] == "100"
    assert notes["nginx.ingress.kubernetes.io/limit-rpm"] == "6000"
    assert notes["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    assert notes["cert-manager.io/cluster-issuer"] == "letsencrypt-staging"
    assert notes["nginx.ingress.kubernetes.io/custom-headers"] == (
        "ai-native-test/ai-native-security-headers")
    assert not [key for key in notes if "snippet" in key]
    rules = {r["host"]: r["http"]["paths"][0]["backend"]["service"]["name"]
             for r in ingress["spec"]["rules"]}
    assert rules == {"api-staging.ai-native.example.edu": "ai-native-backend",
                     "app-staging.ai-native.example.edu": "ai-native-frontend"}
    assert ingress["spec"]["tls"][0]["secretName"] == "ai-native-tls"
    headers = one(rendered["defaults"], "ConfigMap", "ai-native-security-headers")["data"]
    assert set(headers) == {"X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                            "X-XSS-Protection", "Strict-Transport-Security"}
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_gateway_routes_and_gated_crds(rendered: dict[str, Objects]) -> None:
    objects = rendered["ci/gateway-monitoring-values.yaml"]
    assert find(objects, "Ingress") == []
    routes = {r["metadata"]["name"]: r for r in find(objects, "HTTPRoute")}
    assert set(routes) == {"ai-native-backend", "ai-native-frontend", "ai-native-https-redirect"}
    rule = routes["ai-native-backend"]["spec"]["rules"][0]
    assert rule["backendRefs"] == [{"name": "ai-native-backend", "port": 8000}]
    headers = {h["name"]: h["value"]
               for h in rule["filters"][0]["responseHeaderModifier"]["set"]}
    assert headers == {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
                       "Referrer-Policy": "strict-origin-when-cross-origin",
                       "X-XSS-Protection": "1; mode=block",
                       "Strict-Transport-Security": "max-age=31536000; includeSubDomains"}
    # TLS on every public route: the app routes attach to the HTTPS listener only, and plain
    # HTTP gets nothing but a redirect
    https, http = ({"name": "public", "namespace": "gateway-system", "sectionName": s}
                   for s in ("https", "http"))
    for name in ("ai-native-backend", "ai-native-frontend"):
        assert routes[name]["spec"]["parentRefs"] == [https]
    redirect = routes["ai-native-https-redirect"]["spec"]
    assert redirect["parentRefs"] == [http]
    assert redirect["hostnames"] == ["api-staging.ai-native.example.edu",
                                     "app-staging.ai-native.example.edu"]
    assert redirect["rules"] == [{"filters": [{"type": "RequestRedirect", "requestRedirect": {
        "scheme": "https", "statusCode": 301}}]}]
    issuers = {i["metadata"]["name"]: i["spec"]["acme"] for i in find(objects, "ClusterIssuer")}
    assert sorted(issuers) == ["letsencrypt-prod", "letsencrypt-staging"]
    for acme in issuers.values():  # no Ingress here: HTTP-01 through the Gateway's HTTP listener
        assert acme["solvers"] == [{"http01": {"gatewayHTTPRoute": {"parentRefs": [http]}}}]
    monitor = one(objects, "ServiceMonitor", "ai-native-backend")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_crds_are_skipped_when_their_api_is_missing(helm_runs: HelmRuns) -> None:
    values = [CHART / "ci" / "gateway-monitoring-values.yaml"]
    objects = helm_runs.run("helm4", template_args(values, apis=False)).objects()
    assert find(objects, "ClusterIssuer") == [] and find(objects, "ServiceMonitor") == []


def test_crds_only_when_asked(rendered: dict[str, Objects]) -> None:
    # the defaults are rendered with both APIs announced
    objects = rendered["defaults"]
    assert find(objects, "ClusterIssuer") == [] and find(objects, "ServiceMonitor") == []
    assert find(objects, "HTTPRoute") == []


def test_issuers_solve_http01_through_the_ingress_class(
    helm_runs: HelmRuns, tmp_path: Path
) -> None:
    objects = _render(helm_runs, tmp_path, {"certManager": {"clusterIssuers": {
        "create": True, "email": "ops@example.edu"}}})
    for issuer in find(objects, "ClusterIssuer"):
        assert issuer["spec"]["acme"]["solvers"] == [
            {"http01": {"ingress": {"ingressClassName": "nginx"}}}]
    assert len(find(objects, "ClusterIssuer")) == 2


def test_no_redirect_route_without_tls(helm_runs: HelmRuns, tmp_path: Path) -> None:
    http = [{"name": "gw", "sectionName": "http"}]
    objects = _render(helm_runs, tmp_path, {
        "ingress": {"tls": {"enabled": False}},
        "gateway": {"enabled": True, "parentRefs": http, "httpParentRefs": http}})
    routes = {r["metadata"]["name"]: r for r in find(objects, "HTTPRoute")}
    assert set(routes) == {"ai-native-backend", "ai-native-frontend"}
    headers = {h["name"] for h in routes["ai-native-frontend"]["spec"]["rules"][0]["filters"][0][
        "responseHeaderModifier"]["set"]}
    assert "Strict-Transport-Security" not in headers and "X-Frame-Options" in headers


def test_guardrails(rendered: dict[str, Objects]) -> None:
    quota = one(rendered["defaults"], "ResourceQuota", "ai-native-quota")["spec"]["hard"]
    assert quota == {"requests.cpu": "20", "requests.memory": "40Gi",
                     "limits.cpu": "40", "limits.memory": "80Gi"}
    limits = one(rendered["defaults"], "LimitRange", "ai-native-limits")["spec"]["limits"][0]
    assert limits["default"] == {"cpu": "500m", "memory": "512Mi"}
    assert limits["defaultRequest"] == {"cpu": "100m", "memory": "128Mi"}
    assert find(rendered["defaults"], "Namespace") == []


def _selected(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    selector = policy["spec"]["podSelector"]
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    return all(labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", []))


def _pod_labels(obj: dict[str, Any]) -> dict[str, str] | None:
    if obj["kind"] == "Pod":
        return dict(obj["metadata"]["labels"])
    if obj["kind"] == "CronJob":
        return dict(obj["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"])
    if obj["kind"] in ("Deployment", "StatefulSet", "Job"):
        return dict(obj["spec"]["template"]["metadata"]["labels"])
    return None


@pytest.mark.parametrize("scenario", ["defaults", "ci/external-services-values.yaml",
                                      "ci/hardened-values.yaml"])
def test_every_pod_is_denied_by_default_and_opened_by_a_policy(
    rendered: dict[str, Objects], scenario: str
) -> None:
    objects = rendered[scenario]
    policies = find(objects, "NetworkPolicy")
    deny_policy = one(objects, "NetworkPolicy", "ai-native-default-deny")
    deny = deny_policy["spec"]
    assert deny["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny
    for obj in objects:
        labels = _pod_labels(obj)
        if labels is None:
            continue
        opened = [p["metadata"]["name"] for p in policies
                  if _selected(p, labels) and p["metadata"]["name"] not in (
                      "ai-native-default-deny", "ai-native-allow-dns")]
        assert _selected(deny_policy, labels), obj["metadata"]["name"]
        assert opened, f"{obj['kind']}/{obj['metadata']['name']} has no allow policy"


def test_database_policy_admits_backend_jobs_and_tests(rendered: dict[str, Objects]) -> None:
    policy = one(rendered["defaults"], "NetworkPolicy", "ai-native-postgresql")["spec"]
    [rule] = policy["ingress"]
    [peer] = rule["from"]
    names = next(e["values"] for e in peer["podSelector"]["matchExpressions"]
                 if e["key"] == "app.kubernetes.io/name")
    assert sorted(names) == ["backend", "db-backup", "db-schema", "tests"]
    assert rule["ports"] == [{"port": 5432, "protocol": "TCP"}]


def test_backend_egress_for_llm_apis(rendered: dict[str, Objects]) -> None:
    egress = one(rendered["defaults"], "NetworkPolicy", "ai-native-backend")["spec"]["egress"]
    assert {"port": 443, "protocol": "TCP"} in [p for rule in egress for p in rule["ports"]]


def test_external_services_are_reached_by_cidr(rendered: dict[str, Objects]) -> None:
    objects = rendered["ci/external-services-values.yaml"]
    jobs = one(objects, "NetworkPolicy", "ai-native-database-jobs")["spec"]["egress"]
    assert jobs == [{"ports": [{"port": 6432, "protocol": "TCP"}],
                     "to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}]}]
    assert find(objects, "StatefulSet") == []


def containers_of(pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in pod["spec"]["containers"]}


def test_helm_test_checks_share_one_pod(rendered: dict[str, Objects]) -> None:
    (pod,) = find(rendered["defaults"], "Pod")
    assert pod["metadata"]["name"] == "ai-native-test"
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    checks = containers_of(pod)
    assert list(checks) == ["api", "postgresql", "redis"]
    api = checks["api"]["args"][0]
    assert "http://ai-native-backend:8000/api/v1/health/ping" in api
    assert "http://ai-native-backend:8000/api/v1/health/ready &&" in api
    assert "pg_isready" in checks["postgresql"]["args"][0]
    assert checks["postgresql"]["securityContext"]["runAsUser"] == 999
    assert checks["redis"]["env"][0]["valueFrom"]["secretKeyRef"]["key"] == "REDIS_URL"
    assert find(rendered["ci/minimal-values.yaml"], "Pod") == []


def test_components_can_be_switched_off(helm_runs: HelmRuns, tmp_path: Path) -> None:
    objects = _render(helm_runs, tmp_path, {"backend": {"enabled": False},
                                            "frontend": {"enabled": False}})
    assert find(objects, "Deployment") == [] and find(objects, "Ingress") == []
    assert find(objects, "HorizontalPodAutoscaler") == []
    (pod,) = find(objects, "Pod")
    assert list(containers_of(pod)) == ["postgresql", "redis"], "no API check without a backend"


def test_pdbs_only_where_several_replicas_run(
    rendered: dict[str, Objects], helm_runs: HelmRuns, tmp_path: Path
) -> None:
    staging = {p["metadata"]["name"]: p["spec"] for p in
               find(rendered["values/staging.yaml"], "PodDisruptionBudget")}
    assert staging == {
        name: {"maxUnavailable": 1, "selector": {"matchLabels": {
            "app.kubernetes.io/name": name.removeprefix("ai-native-"),
            "app.kubernetes.io/instance": "ai-native"}}}
        for name in ("ai-native-backend", "ai-native-frontend")
    }
    # one replica: a PDB would protect nothing (values/local.yaml runs HPA min 1, frontend 1)
    assert find(rendered["values/local.yaml"], "PodDisruptionBudget") == []
    fixed_one = _render(helm_runs, tmp_path, {"backend": {"autoscaling": {"enabled": False},
                                                          "replicaCount": 1}})
    assert [p["metadata"]["name"] for p in find(fixed_one, "PodDisruptionBudget")] == [
        "ai-native-frontend"]
    hpa_two = _render(helm_runs, tmp_path, {"backend": {"autoscaling": {"minReplicas": 2}},
                                            "frontend": {"replicaCount": 1}})
    assert [p["metadata"]["name"] for p in find(hpa_two, "PodDisruptionBudget")] == [
        "ai-native-backend"]
