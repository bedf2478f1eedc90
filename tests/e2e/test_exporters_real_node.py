"""The exporter sidecars on the real node (Helm 4): `helmkit release` of values/local.yaml with the
stand-in images (values/real-node.yaml, which names the exporter stand-ins too), the real-node pin
and `postgresql.metrics.enabled` / `redis.metrics.enabled`. A scraper pod in a namespace of its
own, the one `networkPolicy.monitoring.namespaceSelector` names (by its name label), fetches each
exporter's metrics Service by its DNS name, as Prometheus would: pg_up 1 and redis_up 1, with the
series the alerts use.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PSA_LABELS
from e2e_kube import Kube, condition, wait_for
from e2e_node import on_real_node
from e2e_platform import Platform, create_namespace, pod_named, released_platform
from live_cli import LOCAL_VALUES

from helmkit.core.cluster import config as cc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chart"))
from exporter_metrics import EXPORTER_METRICS, Scrape, redis_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CURL_IMAGE = "localhost/ai-native/curl:stand-in"


@pytest.fixture(scope="module")
def scraper_namespace(kube: Kube) -> Iterator[str]:
    """A restricted namespace of its own, the one the release's policies admit scrapes from."""
    name = f"scraper-{secrets.token_hex(3)}"
    create_namespace(kube, name, PSA_LABELS)
    yield name
    kube.run("delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture(scope="module")
def platform(
    cluster_paths: cc.ClusterPaths, kube: Kube, scraper_namespace: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Platform]:  # fmt: skip
    # The same key as the default selector's: Helm merges maps, so another key would add to it.
    admit = {"kubernetes.io/metadata.name": scraper_namespace}
    metrics_on = {
        "postgresql": {"metrics": {"enabled": True}},
        "redis": {"metrics": {"enabled": True}},
        "networkPolicy": {"monitoring": {"namespaceSelector": admit}},
    }
    with released_platform(
        "helm4", cluster_paths, kube, tmp_path_factory.mktemp("exporters"), backup=False,
        extra_values=metrics_on,
    ) as platform:  # fmt: skip
        yield platform


@pytest.fixture(scope="module")
def scraper(kube: Kube, scraper_namespace: str) -> str:
    """A curl pod (the stand-in of the helm test's image) under Pod Security "restricted"."""
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: scraper\nspec:\n" + on_real_node(
        "  terminationGracePeriodSeconds: 1\n"
        "  securityContext:\n"
        "    runAsNonRoot: true\n    runAsUser: 100\n    runAsGroup: 101\n"
        "    seccompProfile: {type: RuntimeDefault}\n"
        "  containers:\n"
        f"  - name: curl\n    image: {CURL_IMAGE}\n    imagePullPolicy: Never\n"
        "    command: [sh, -c, 'sleep 3600']\n"
        "    securityContext:\n"
        "      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n"
        "      capabilities: {drop: [ALL]}\n"
    )
    kube.apply(pod, scraper_namespace)

    def ready() -> bool:
        obj = kube.json("get", "pod", "scraper", "-n", scraper_namespace)
        return condition(obj, "Ready") == "True"

    wait_for("scraper pod Ready", ready, timeout_s=90)
    return "scraper"


def scrape_until_up(kube: Kube, namespace: str, url: str, up: str) -> Scrape:
    """GETs url from the scraper pod until the sample `up` reads 1; fails with the last answer."""
    answers: list[str] = []

    def answered() -> Scrape | None:
        proc = kube.run("exec", "scraper", "-n", namespace, "-c", "curl", "--",
                        "curl", "-fsS", "--max-time", "10", url, check=False)  # fmt: skip
        answers.append(proc.stdout if proc.returncode == 0 else proc.stderr)
        got = Scrape(proc.stdout) if proc.returncode == 0 else None
        return got if got is not None and got.values(up) == [1.0] else None

    try:
        return wait_for(f"{up} 1 at {url}", answered, timeout_s=90)
    except AssertionError as exc:
        last = answers[-1][-1500:] if answers else ""
        raise AssertionError(f"{exc}\nlast answer:\n{last}") from None


def metrics_of(exporter: str) -> set[str]:
    return {name for name, source in EXPORTER_METRICS.items() if source == exporter}


def with_ready_sidecar(p: Platform, name: str) -> dict[str, Any]:
    """The pod `name`, once its container and the `metrics` sidecar (no other) are checked
    Ready and never restarted."""
    pod = pod_named(p.kube, p.namespace, name)
    statuses = {s["name"]: s for s in pod["status"]["containerStatuses"]}
    assert set(statuses) == {name, "metrics"}, statuses.keys()
    assert all(s["ready"] and s["restartCount"] == 0 for s in statuses.values()), statuses
    return pod


def container_of(pod: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in pod["spec"]["containers"] if c["name"] == name)


def test_postgres_exporter_sidecar_reports_pg_up_1_through_its_service(
    platform: Platform, scraper_namespace: str, scraper: str
) -> None:
    p = platform
    pod = with_ready_sidecar(p, "postgresql")
    sidecar = container_of(pod, "metrics")
    password = next(e for e in sidecar["env"] if e["name"] == "DATA_SOURCE_PASS")
    assert password["valueFrom"]["secretKeyRef"]["key"] == "POSTGRES_PASSWORD"
    uid = p.kube.run("exec", pod["metadata"]["name"], "-n", p.namespace, "-c", "metrics", "--",
                     "sh", "-c", "grep '^Uid:' /proc/1/status").stdout  # fmt: skip
    assert uid.split()[1:] == ["65534"] * 4, uid
    url = f"http://ai-native-postgresql-metrics.{p.namespace}.svc:9187/metrics"
    got = scrape_until_up(p.kube, scraper_namespace, url, "pg_up")
    assert not metrics_of("postgres_exporter") - got.names()
    assert got.one("pg_settings_max_connections") == float(local_parameter("max_connections"))
    # Connections to the chart's database: the exporter's own and the backend pool's (its
    # readiness check keeps one open).
    assert sum(got.values("pg_stat_activity_count", datname="ai_native")) >= 2


def local_parameter(name: str) -> str:
    local = yaml.safe_load(LOCAL_VALUES.read_text())
    return str(local["postgresql"]["parameters"][name])


def test_redis_exporter_sidecar_reports_redis_up_1_through_its_service(
    platform: Platform, scraper_namespace: str, scraper: str
) -> None:
    p = platform
    with_ready_sidecar(p, "redis")
    url = f"http://ai-native-redis-metrics.{p.namespace}.svc:9121/metrics"
    got = scrape_until_up(p.kube, scraper_namespace, url, "redis_up")
    assert not metrics_of("redis_exporter") - got.names()
    maxmemory = yaml.safe_load(LOCAL_VALUES.read_text())["redis"]["maxmemory"]
    assert got.one("redis_memory_max_bytes") == redis_bytes(str(maxmemory))
    assert got.one("redis_connected_clients") >= 1
