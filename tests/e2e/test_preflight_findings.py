"""Preflight findings of `helmkit release --dry-run` on the local cluster: an ingress-nginx
controller whose ConfigMap does not allow the chart's security headers (refused, with the exact
line to add), then allows them (passes); no metrics API (a warning, the release goes on); the
kwok nodes counted for a backend spread one pod per node (refused below minReplicas + surge,
a warning below maxReplicas + surge).

Cluster-wide state is touched only in ways that cannot leak into other tests: the IngressClass
and its controller class are unique to the test (and deleted after it); the metrics APIService
and a node's cordon are put back in a `finally` (e2e tests run one at a time, in one worker).
Preflight does not depend on the Helm major version, so these run under Helm 4 only.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_kube import Helm, Kube, condition, wait_for
from live_cli import LOCAL_VALUES, LiveCli

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("helm", ["helm4"], indirect=True)]
METRICS_APISERVICE = "v1beta1.metrics.k8s.io"
HEADERS = ["X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "X-XSS-Protection"]


@pytest.fixture
def ingress_class(request: pytest.FixtureRequest, kube: Kube) -> Iterator[tuple[str, str]]:
    """(IngressClass name, controller class): by default a controller class only this test
    runs; indirect parameter: the given controller class (no test runs a controller for it)."""
    token = secrets.token_hex(3)
    name = f"pf-nginx-{token}"
    controller = getattr(request, "param", f"e2e.ai-native.dev/ingress-nginx-{token}")
    body = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": name},
        "spec": {"controller": controller},
    }
    kube.run("apply", "-f", "-", stdin=json.dumps(body))
    yield name, controller
    kube.run("delete", "ingressclass", name, "--wait=false", check=False)


@pytest.fixture
def cli(
    helm: Helm, kube: Kube, namespace: str, tmp_path: Path, ingress_class: tuple[str, str]
) -> LiveCli:
    overlay = tmp_path / "class.yaml"
    overlay.write_text(yaml.safe_dump({"ingress": {"className": ingress_class[0]}}))
    cli = LiveCli(helm, kube, namespace, tmp_path)
    cli.write_config(values=[LOCAL_VALUES, overlay])
    return cli


def controller_deployment(controller: str) -> dict[str, Any]:
    """An ingress-nginx controller Deployment as its Helm chart writes the args (no replicas:
    preflight reads its spec, nothing needs to run)."""
    labels = {"app.kubernetes.io/name": "ingress-nginx"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "ingress-nginx-controller", "labels": labels},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "controller",
                            "image": "registry.invalid/ingress-nginx/controller:v1.13.0",
                            "args": [
                                "/nginx-ingress-controller",
                                f"--controller-class={controller}",
                                "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
                            ],
                            "env": [
                                {
                                    "name": "POD_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                }
                            ],
                        }
                    ]
                },
            },
        },
    }


def controller_configmap(allowed: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ingress-nginx-controller"},
        "data": {"global-allowed-response-headers": allowed},
    }


def test_ingress_nginx_without_the_allowance_refuses_with_the_exact_line(
    cli: LiveCli, kube: Kube, namespace: str, ingress_class: tuple[str, str]
) -> None:
    kube.apply(json.dumps(controller_deployment(ingress_class[1])), namespace)
    kube.apply(json.dumps(controller_configmap("X-Request-Id")), namespace)

    refused = cli.ok("release", "e2e", "--dry-run", code=2)
    print(refused)
    assert "preflight failed" in refused
    assert (
        f"ingress-nginx (IngressClass {ingress_class[0]}) does not allow the response header(s) "
        f"{', '.join(HEADERS)} that Ingress/ai-native sets through ConfigMap "
        f"{namespace}/ai-native-security-headers: it answers 503 on every path of the Ingress"
    ) in refused
    assert (
        f"--configmap of Deployment/{namespace}/ingress-nginx-controller" in refused
    ), "found from the controller's flag, $(POD_NAMESPACE) expanded"
    line = re.search(r'global-allowed-response-headers: "([^"]*)"', refused)
    assert line is not None, refused
    assert line.group(1) == ",".join(["X-Request-Id", *HEADERS]), "keeps what it allowed"
    assert "plan:" not in refused and cli.helm_history() == [], "nothing was applied"

    # the exact line the fix names, put into the controller's ConfigMap: preflight passes
    kube.apply(json.dumps(controller_configmap(line.group(1))), namespace)
    passed = cli.ok("release", "e2e", "--dry-run")
    print(passed)
    assert (
        f"preflight: ingress-nginx (IngressClass {ingress_class[0]}) allows the headers "
        f"Ingress/ai-native sets ({namespace}/ingress-nginx-controller)"
    ) in passed
    assert "preflight: ok" in passed and "dry run: stopped after the plan" in passed


@pytest.mark.parametrize("ingress_class", ["k8s.io/ingress-nginx"], indirect=True)
def test_helmkit_yaml_names_the_controller_configmap(
    cli: LiveCli, kube: Kube, namespace: str, ingress_class: tuple[str, str]
) -> None:
    """An ingress-nginx class whose controller runs nowhere this identity can see: the
    helmkit.yaml setting names its ConfigMap; without it, preflight says it could not check."""
    elsewhere = controller_configmap(",".join(HEADERS))
    elsewhere["metadata"]["name"] = "edge-config"
    kube.apply(json.dumps(elsewhere), namespace)
    config = yaml.safe_load((cli.workdir / "helmkit.yaml").read_text())
    config["environments"]["e2e"]["ingressNginxConfigMap"] = f"{namespace}/edge-config"
    (cli.workdir / "helmkit.yaml").write_text(yaml.safe_dump(config))
    out = cli.ok("release", "e2e", "--dry-run")
    print(out)
    assert f"allows the headers Ingress/ai-native sets ({namespace}/edge-config)" in out
    # without the setting and without a controller: only the conventional name, which this
    # cluster does not have -- said, not refused
    config["environments"]["e2e"].pop("ingressNginxConfigMap")
    (cli.workdir / "helmkit.yaml").write_text(yaml.safe_dump(config))
    out = cli.ok("release", "e2e", "--dry-run")
    assert "could not check the headers Ingress/ai-native sets" in out, out
    assert "ingress-nginx/ingress-nginx-controller" in out


@pytest.fixture
def no_metrics_api(kube: Kube) -> Iterator[None]:
    """The metrics APIService removed for the test and put back (with the same spec) after it."""
    found = kube.run("get", "apiservice", METRICS_APISERVICE, "-o", "json", check=False)
    saved = json.loads(found.stdout) if found.returncode == 0 else None
    if saved is not None:
        kube.run("delete", "apiservice", METRICS_APISERVICE)
    try:
        yield
    finally:
        if saved is not None:
            body = {k: saved[k] for k in ("apiVersion", "kind", "spec")}
            body["metadata"] = {
                k: v for k, v in saved["metadata"].items() if k in ("name", "labels", "annotations")
            }
            kube.run("apply", "-f", "-", stdin=json.dumps(body))
            if condition(saved, "Available") == "True":
                wait_for(
                    "the metrics APIService Available again",
                    lambda: condition(
                        kube.json("get", "apiservice", METRICS_APISERVICE), "Available"
                    )
                    == "True",
                )


def test_no_metrics_api_warns_and_the_release_goes_on(cli: LiveCli, no_metrics_api: None) -> None:
    out = cli.ok("release", "e2e", "--dry-run")
    print(out)
    assert (
        "preflight: warning: HorizontalPodAutoscaler/ai-native-backend scale(s) on CPU/memory "
        f"but the APIService {METRICS_APISERVICE} does not exist (no metrics-server): the HPA "
        "never scales"
    ) in out
    assert "fix: install metrics-server" in out
    assert "preflight: ok" in out, "a warning, not a refusal"


def kwok_nodes(kube: Kube) -> list[str]:
    """Ready kwok nodes without taints: the nodes a chart pod without tolerations can take."""
    return sorted(
        n["metadata"]["name"]
        for n in kube.json("get", "nodes", "-l", "type=kwok")["items"]
        if condition(n, "Ready") == "True"
        and not n["spec"].get("taints")
        and not n["spec"].get("unschedulable")
    )


def spread_values(workdir: Path, minimum: int) -> Path:
    path = workdir / "spread.yaml"
    backend = {
        "podAntiAffinityPreset": "hard",
        "autoscaling": {"enabled": True, "minReplicas": minimum, "maxReplicas": 10},
    }
    # 13 pods at full rollout x 15 connections: the chart refuses a server that cannot hold them
    postgresql = {"parameters": {"max_connections": "250", "shared_buffers": "128MB"}}
    path.write_text(yaml.safe_dump({"backend": backend, "postgresql": postgresql}))
    return path


def test_nodes_counted_for_pods_spread_one_per_node(
    cli: LiveCli, kube: Kube, tmp_path: Path
) -> None:
    able = kwok_nodes(kube)
    total = len(kube.json("get", "nodes")["items"])
    # up to 4 replicas, 25% surge is 1 pod: the numbers below hold for 2 to 5 nodes
    assert 2 <= len(able) <= 5, f"the local cluster has {able}: want 2 to 5 kwok nodes"
    overlay = cli.workdir / "class.yaml"

    # the production shape (min 3, max 10, surge 25%, maxUnavailable 0) on len(able) nodes
    cli.write_config(values=[LOCAL_VALUES, overlay, spread_values(tmp_path, len(able))])
    refused = cli.ok("release", "e2e", "--dry-run", code=2)
    print(refused)
    assert (
        f"Deployment/ai-native-backend runs at most one pod per node (required pod anti-affinity "
        f"per kubernetes.io/hostname); {len(able)} of {total} node(s) can take its pods"
    ) in refused
    assert (
        f"{len(able)} replica(s) plus rollout surge 1 (maxUnavailable 0) need {len(able) + 1}: "
        "every rollout waits forever for a node for its surge pods"
    ) in refused
    if total > len(able):  # the real node: tainted, chart pods opt in with a toleration
        assert "not tolerated" in refused, refused

    # one replica fewer: it fits at its minimum, and stalls at the maximum
    cli.write_config(values=[LOCAL_VALUES, overlay, spread_values(tmp_path, len(able) - 1)])
    warned = cli.ok("release", "e2e", "--dry-run")
    print(warned)
    assert (
        f"10 replica(s) plus rollout surge 3 (maxUnavailable 0) need 13: the HPA stalls at "
        f"{len(able)} pod(s) (the rest stay Pending) and a rollout at more than "
        f"{len(able) - 1} replica(s) never finishes"
    ) in warned
    assert "preflight: warning: Deployment/ai-native-backend" in warned
    assert "preflight: ok" in warned

    # a cordoned node no longer counts: the same values cannot work any more
    kube.run("cordon", able[0])
    try:
        again = cli.ok("release", "e2e", "--dry-run", code=2)
        print(again)
        assert f"{len(able) - 1} of {total} node(s) can take its pods" in again
        assert f"{able[0]}: cordoned" in again
    finally:
        kube.run("uncordon", able[0])
