"""The exporter sidecars (`postgresql.metrics`, `redis.metrics`) as Helm 4 and Helm 3 render them:
off by default; when on, a restricted container of the upstream image with its user, read-only
root, resources and probes, its password from the app Secret (never in argv or a ConfigMap), a
metrics Service, scrape annotations, a ServiceMonitor with the backend's, and an ingress rule on
the metrics port from the monitoring peers in each NetworkPolicy."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_env import CHART, HELMS, HelmRuns, find, helm_binary, one, template_args

from helmkit.core.lint.pod_security import check_pod_spec, pod_specs

ON = {
    "postgresql": {"metrics": {"enabled": True}},
    "redis": {"metrics": {"enabled": True}},
    "metrics": {"serviceMonitor": {"enabled": True, "interval": "15s", "labels": {"release": "p"}}},
    "networkPolicy": {"monitoring": {"namespaceSelector": {"kubernetes.io/metadata.name": "obs"}}},
}
# component -> (port, image repository, uid, password variable)
EXPORTERS = {
    "postgresql": (
        9187,
        "quay.io/prometheuscommunity/postgres-exporter",
        65534,
        "DATA_SOURCE_PASS",
    ),
    "redis": (9121, "oliver006/redis_exporter", 59000, "REDIS_PASSWORD"),
}


def _render(helm_runs: HelmRuns, helm: str, tmp_path: Path, values: dict[str, Any]) -> list[Any]:
    # helm_runs memoises by argv: a file per content, never one rewritten.
    text = yaml.safe_dump(values)
    path = tmp_path / f"values-{hashlib.sha256(text.encode()).hexdigest()[:12]}.yaml"
    path.write_text(text)
    return helm_runs.run(helm, template_args([path])).objects()


def _pod(objects: list[dict[str, Any]], component: str) -> dict[str, Any]:
    spec: dict[str, Any] = one(objects, "StatefulSet", f"ai-native-{component}")["spec"]["template"]
    return spec


def _sidecar(pod: dict[str, Any]) -> dict[str, Any]:
    [container] = [c for c in pod["spec"]["containers"] if c["name"] == "metrics"]
    return dict(container)


def test_no_exporter_by_default(helm_runs: HelmRuns, tmp_path: Path) -> None:
    objects = _render(helm_runs, "helm4", tmp_path, {})
    for component in EXPORTERS:
        pod = _pod(objects, component)
        assert [c["name"] for c in pod["spec"]["containers"]] == [component]
        assert not find(objects, "Service", f"ai-native-{component}-metrics")
        assert "prometheus.io/scrape" not in (pod["metadata"].get("annotations") or {})


@pytest.mark.parametrize("helm", HELMS)
def test_sidecars_are_restricted_and_take_their_password_from_the_secret(
    helm_runs: HelmRuns, helm: str, tmp_path: Path
) -> None:
    objects = _render(helm_runs, helm, tmp_path, ON)
    secret_names = {o["metadata"]["name"] for o in find(objects, "Secret")}
    for component, (port, repository, uid, _) in EXPORTERS.items():
        pod = _pod(objects, component)
        sidecar = _sidecar(pod)
        assert sidecar["image"].startswith(f"{repository}:v"), sidecar["image"]
        context = sidecar["securityContext"]
        assert context["runAsUser"] == uid and context["runAsNonRoot"] is True
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert sidecar["resources"]["requests"] and sidecar["resources"]["limits"]
        assert sidecar["ports"] == [{"name": "http-metrics", "containerPort": port,
                                     "protocol": "TCP"}]  # fmt: skip
        for probe in ("livenessProbe", "readinessProbe"):
            assert sidecar[probe]["httpGet"]["port"] == "http-metrics", probe
        assert not sidecar.get("command"), "the image's entrypoint runs"
        annotations = pod["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(port)
        assert annotations["prometheus.io/path"] == "/metrics"
    pg_env = {e["name"]: e for e in _sidecar(_pod(objects, "postgresql"))["env"]}
    password = pg_env["DATA_SOURCE_PASS"]["valueFrom"]["secretKeyRef"]
    assert password["key"] == "POSTGRES_PASSWORD" and password["name"] in secret_names
    assert pg_env["DATA_SOURCE_URI"]["value"] == "127.0.0.1:5432/ai_native?sslmode=disable"
    assert pg_env["DATA_SOURCE_USER"]["value"] == "ai_native"
    redis_env = {e["name"]: e for e in _sidecar(_pod(objects, "redis"))["env"]}
    assert redis_env["REDIS_ADDR"]["value"] == "redis://127.0.0.1:6379"
    assert "REDIS_PASSWORD" not in redis_env, "the bundled Redis has no password"


def test_a_redis_password_comes_from_the_named_secret(helm_runs: HelmRuns, tmp_path: Path) -> None:
    values = {"redis": {"metrics": {"enabled": True, "existingSecret": "redis-auth",
                                    "passwordKey": "pw"}}}  # fmt: skip
    env = {e["name"]: e for e in _sidecar(_pod(_render(helm_runs, "helm4", tmp_path, values),
                                                   "redis"))["env"]}  # fmt: skip
    assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "redis-auth", "key": "pw"}


def test_no_secret_value_in_args_or_configmaps(helm_runs: HelmRuns, tmp_path: Path) -> None:
    values = {**ON, "postgresql": {"metrics": {"enabled": True}, "auth": {"password": "S3cr-et"}}}
    objects = _render(helm_runs, "helm4", tmp_path, values)
    for component in EXPORTERS:
        sidecar = _sidecar(_pod(objects, component))
        assert "S3cr-et" not in yaml.safe_dump(sidecar)
    for configmap in find(objects, "ConfigMap"):
        assert "S3cr-et" not in yaml.safe_dump(configmap), configmap["metadata"]["name"]


@pytest.mark.parametrize("helm", HELMS)
def test_metrics_services_servicemonitors_and_policies(
    helm_runs: HelmRuns, helm: str, tmp_path: Path
) -> None:
    objects = _render(helm_runs, helm, tmp_path, ON)
    for component, (port, _, _, _) in EXPORTERS.items():
        service = one(objects, "Service", f"ai-native-{component}-metrics")
        want = {
            "name": "http-metrics",
            "port": port,
            "targetPort": "http-metrics",
            "protocol": "TCP",
        }
        assert service["spec"]["ports"] == [want]
        pod_labels = _pod(objects, component)["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pod_labels.items()
        monitor = one(objects, "ServiceMonitor", f"ai-native-{component}-metrics")
        assert monitor["metadata"]["labels"]["release"] == "p"
        assert (
            monitor["spec"]["selector"]["matchLabels"].items()
            <= service["metadata"]["labels"].items()
        )
        [endpoint] = monitor["spec"]["endpoints"]
        assert endpoint["port"] == "http-metrics" and endpoint["interval"] == "15s"
        client = one(objects, "Service", f"ai-native-{component}")
        assert all(p["port"] != port for p in client["spec"]["ports"]), "apps never see it"
        policy = one(objects, "NetworkPolicy", f"ai-native-{component}")
        rules = [
            r for r in policy["spec"]["ingress"] if {"port": port, "protocol": "TCP"} in r["ports"]
        ]
        assert len(rules) == 1, policy["spec"]["ingress"]
        peers = rules[0]["from"]
        assert peers == [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "obs"}}}
        ]
    # Without the exporters, no metrics rule opens a port on the servers.
    plain = _render(helm_runs, helm, tmp_path, {})
    for component, (port, _, _, _) in EXPORTERS.items():
        ingress = one(plain, "NetworkPolicy", f"ai-native-{component}")["spec"]["ingress"]
        assert all({"port": port, "protocol": "TCP"} not in r["ports"] for r in ingress)


def test_the_existing_app_secret_feeds_the_postgres_exporter(
    helm_runs: HelmRuns, tmp_path: Path
) -> None:
    """PostgreSQL lives in the umbrella so that it reads the app Secret secrets.existingSecret
    names: its exporter reads the same Secret, never a generated one."""
    values = {"postgresql": {"metrics": {"enabled": True}},
              "secrets": {"existingSecret": "app-secrets"}}  # fmt: skip
    pod = _pod(_render(helm_runs, "helm4", tmp_path, values), "postgresql")
    [server] = [c for c in pod["spec"]["containers"] if c["name"] == "postgresql"]
    server_ref = {e["name"]: e for e in server["env"]}["POSTGRES_PASSWORD"]["valueFrom"]
    env = {e["name"]: e for e in _sidecar(pod)["env"]}
    assert env["DATA_SOURCE_PASS"]["valueFrom"] == server_ref
    assert server_ref["secretKeyRef"] == {"name": "app-secrets", "key": "POSTGRES_PASSWORD"}


@pytest.mark.parametrize("component", ["redis"])
def test_a_subchart_alone_admits_prometheus_to_its_exporter(tmp_path: Path, component: str) -> None:
    """Installed alone (no umbrella policies), its own deny-by-default policy opens the metrics
    port to networkPolicy.metricsNamespaceSelector, and the pod stays Pod Security "restricted".
    Redis only: PostgreSQL lives in the umbrella, whose own policy admits networkPolicy.monitoring
    (test_metrics_services_servicemonitors_and_policies)."""
    chart = tmp_path / component
    shutil.copytree(CHART / "charts" / component, chart, ignore=shutil.ignore_patterns("charts"))
    shutil.copytree(CHART / "charts" / "ai-native-lib", tmp_path / "ai-native-lib")
    helm = str(helm_binary("helm4"))
    built = subprocess.run([helm, "dependency", "build", str(chart)], capture_output=True,
                           text=True, timeout=120, check=False)  # fmt: skip
    assert built.returncode == 0, built.stderr
    argv = [helm, "template", "x", str(chart), "-n", "db", "--set", "metrics.enabled=true",
            "--set", "networkPolicy.metricsNamespaceSelector.team=obs"]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    objects = [o for o in yaml.safe_load_all(proc.stdout) if o]
    assert one(objects, "Service", f"x-{component}-metrics")
    ingress = one(objects, "NetworkPolicy", f"x-{component}")["spec"]["ingress"]
    [rule] = [r for r in ingress if r["ports"] == [{"port": "http-metrics", "protocol": "TCP"}]]
    selector = rule["from"][0]["namespaceSelector"]["matchLabels"]
    assert selector == {"kubernetes.io/metadata.name": "monitoring", "team": "obs"}
    for obj in objects:
        for path, spec, notes in pod_specs(obj):
            assert [str(v) for v in check_pod_spec(spec, notes, prefix=path)] == []
