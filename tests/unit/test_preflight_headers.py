"""ingress-nginx and the chart's response headers: what the render sets, which ConfigMap the
controller reads (setting, --configmap flag, conventional name), and the exact line to add; the
metrics API for the release's HPAs."""

from __future__ import annotations

from typing import Any

from helmkit.core.release import preflight_ingress as pi
from helmkit.core.release import preflight_metrics as pm

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def render(annotation: str = "app/ai-security-headers", cls: str = "nginx") -> list[dict[str, Any]]:
    return [
        {
            "kind": "Ingress",
            "metadata": {
                "name": "ai",
                "namespace": "app",
                "annotations": {pi.CUSTOM_HEADERS: annotation},
            },
            "spec": {"ingressClassName": cls},
        },
        {
            "kind": "ConfigMap",
            "metadata": {"name": "ai-security-headers", "namespace": "app"},
            "data": HEADERS,
        },
        {"kind": "Ingress", "metadata": {"name": "plain"}, "spec": {}},
    ]


def controller(
    args: list[str], namespace: str = "ingress-nginx", env: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": {"name": "ingress-nginx-controller", "namespace": namespace},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "sidecar", "args": ["--configmap=wrong/one"]},
                        {
                            "name": "controller",
                            "args": ["/nginx-ingress-controller", *args],
                            "env": env or [],
                        },
                    ]
                }
            }
        },
    }


POD_NAMESPACE = [
    {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}
]


def test_header_needs_come_from_the_rendered_configmap() -> None:
    (need,) = pi.header_needs(render(), "app")
    assert need == pi.HeaderNeed("Ingress/ai", "nginx", "app/ai-security-headers", tuple(HEADERS))
    (outside,) = pi.header_needs(render("other/cm"), "app")
    assert outside.headers == (), "a ConfigMap the release does not render: unknown headers"


def test_controller_flags_as_the_ingress_nginx_chart_writes_them() -> None:
    args = [
        "--controller-class=k8s.io/ingress-nginx",
        "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
    ]
    (found,) = pi.controllers([controller(args, env=POD_NAMESPACE)])
    assert found == pi.Controller(
        "Deployment/ingress-nginx/ingress-nginx-controller",
        "k8s.io/ingress-nginx",
        "ingress-nginx/ingress-nginx-controller",
    )
    (spaced,) = pi.controllers(
        [controller(["--controller-class", "k8s.io/internal", "--configmap", "cm"], "edge")]
    )
    assert (spaced.controller_class, spaced.configmap) == ("k8s.io/internal", "edge/cm")
    (bare,) = pi.controllers([controller([])])
    assert (bare.controller_class, bare.configmap) == (pi.NGINX_CONTROLLER, "")


def test_where_the_configmap_name_comes_from() -> None:
    found = pi.controllers([controller(["--configmap=ingress-nginx/cfg"])])
    assert pi.sources(pi.NGINX_CONTROLLER, found, "ops/cfg", True) == [
        pi.Source("ops/cfg", "helmkit.yaml ingressNginxConfigMap", True)
    ]
    assert pi.sources(pi.NGINX_CONTROLLER, found, "", True) == [
        pi.Source(
            "ingress-nginx/cfg",
            "--configmap of Deployment/ingress-nginx/ingress-nginx-controller",
            True,
        )
    ]
    (guess,) = pi.sources("k8s.io/other", found, "", False)
    assert guess == pi.Source(
        pi.CONVENTIONAL,
        "the name its Helm chart gives it; listing Deployments and DaemonSets was refused",
        False,
    )


def test_ingress_nginx_classes_and_the_default_class() -> None:
    custom = pi.controllers([controller(["--controller-class=k8s.io/edge"])])
    nginx = {"metadata": {"name": "nginx"}, "spec": {"controller": pi.NGINX_CONTROLLER}}
    edge = {"metadata": {"name": "edge"}, "spec": {"controller": "k8s.io/edge"}}
    traefik = {
        "metadata": {"name": "traefik", "annotations": {pi.DEFAULT_CLASS: "true"}},
        "spec": {"controller": "traefik.io/ingress-controller"},
    }
    assert pi.is_ingress_nginx(nginx, []) and pi.is_ingress_nginx(edge, custom)
    assert not pi.is_ingress_nginx(edge, []) and not pi.is_ingress_nginx(traefik, custom)
    (need,) = pi.header_needs(render(cls=""), "app")
    assert pi.class_of(need, [nginx, traefik]) is traefik
    (named,) = pi.header_needs(render(), "app")
    assert pi.class_of(named, [traefik, nginx]) is nginx


FLAG = pi.Source("ingress-nginx/ingress-nginx-controller", "--configmap of Deployment/x", True)


def test_missing_allowance_refuses_with_the_exact_line() -> None:
    (need,) = pi.header_needs(render(), "app")
    data = {pi.ALLOW_KEY: "X-Request-Id, X-Frame-Options"}
    result = pi.check(need, FLAG, data, readable=True)
    assert result.level == "error"
    assert result.message == (
        "ingress-nginx (IngressClass nginx) does not allow the response header(s) "
        "X-Content-Type-Options, Referrer-Policy that Ingress/ai sets through ConfigMap "
        "app/ai-security-headers: it answers 503 on every path of the Ingress"
    )
    assert (
        'global-allowed-response-headers: "X-Request-Id,X-Frame-Options,X-Content-Type-Options,'
        'Referrer-Policy"' in result.fix
    )
    assert "kubectl -n ingress-nginx edit configmap ingress-nginx-controller" in result.fix


def test_allowance_present_is_ok_and_exact_case_matters() -> None:
    (need,) = pi.header_needs(render(), "app")
    allowed = {pi.ALLOW_KEY: ",".join(HEADERS)}
    assert pi.check(need, FLAG, allowed, readable=True).level == "ok"
    lower = {pi.ALLOW_KEY: ",".join(h.lower() for h in HEADERS)}
    assert pi.check(need, FLAG, lower, readable=True).level == "error", "compared exactly"


def test_unreadable_or_uncertain_never_refuses() -> None:
    (need,) = pi.header_needs(render(), "app")
    refused = pi.check(need, FLAG, None, readable=False)
    assert refused.level == "unknown" and refused.message.startswith("could not check")
    guess = pi.Source(
        pi.CONVENTIONAL, "the name its Helm chart gives it; no controller workload found", False
    )
    assert pi.check(need, guess, None, readable=True).level == "unknown"
    assert pi.check(need, guess, {}, readable=True).level == "warning"


def test_a_named_configmap_that_does_not_exist_or_no_flag_allows_nothing() -> None:
    (need,) = pi.header_needs(render(), "app")
    absent = pi.check(need, FLAG, None, readable=True)
    assert absent.level == "error" and "it does not exist" in absent.fix
    bare = pi.check(need, pi.Source("", "Deployment/x", True), None, readable=True)
    assert bare.level == "error" and "no --configmap flag" in bare.message


# --- the metrics API ----------------------------------------------------------------------------


def hpa(metrics: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"scaleTargetRef": {"kind": "Deployment", "name": "b"}}
    if metrics is not None:
        spec["metrics"] = metrics
    return {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "b"}, "spec": spec}


AVAILABLE = {"status": {"conditions": [{"type": "Available", "status": "True"}]}}
DOWN = {
    "status": {
        "conditions": [
            {"type": "Available", "status": "False", "message": "failing or missing response"}
        ]
    }
}


def test_metrics_api_needed_only_by_resource_metric_hpas() -> None:
    assert pm.resource_hpas([hpa()]) == ["HorizontalPodAutoscaler/b"], "no metrics: CPU 80%"
    assert pm.resource_hpas([hpa([{"type": "Resource"}])]) == ["HorizontalPodAutoscaler/b"]
    assert pm.resource_hpas([hpa([{"type": "External"}])]) == []
    assert pm.judge([{"kind": "Deployment"}], pm.MetricsApi(True, None)) == ("", "")


def test_metrics_api_missing_or_down_warns_and_unreadable_says_so() -> None:
    level, text = pm.judge([hpa()], pm.MetricsApi(True, None))
    assert level == "warning"
    assert "APIService v1beta1.metrics.k8s.io does not exist" in text
    assert "the HPA never scales" in text and "fix: install metrics-server" in text
    level, text = pm.judge([hpa()], pm.MetricsApi(True, DOWN))
    assert level == "warning" and "is not Available (failing or missing response)" in text
    assert pm.judge([hpa()], pm.MetricsApi(True, AVAILABLE))[0] == "ok"
    level, text = pm.judge([hpa()], pm.MetricsApi(False))
    assert level == "unknown" and text.startswith("could not check the metrics API")
