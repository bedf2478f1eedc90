"""The exporter stand-ins (tests/images/postgres-exporter, redis-exporter) against real servers.

Each exporter runs as the chart's sidecar runs (`postgresql.metrics.enabled`,
`redis.metrics.enabled`): the `metrics` container of the rendered StatefulSet (image entrypoint,
args, env with the Secret's password, uid, read-only root, no capabilities) in the network
namespace of the server it watches, itself started from the same StatefulSet (one pod). The
scrapes show pg_up 1 / redis_up 1, every metric name the chart's alerts and dashboard use
(tests/chart/exporter_metrics.py), and the alert series moving with the server: connections
counted, max_connections and maxmemory as configured, evictions counted.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from component_chart import find, render
from exporter_scrape import scrape, scrape_until
from image_pods import as_kwargs, pod_spec, run_spec
from image_runner import Container, built_image, container, in_netns, netns, owned_dir

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chart"))
from exporter_metrics import EXPORTER_METRICS, redis_bytes

pytestmark = [pytest.mark.component, pytest.mark.xdist_group("images")]

RELEASE = "ai-native"
TEST_ADDRESS = "192.0.2.10"  # TEST-NET-1, only inside our namespace: pg_hba asks for a password
POSTGRES_EXPORTER_PORT = 9187
REDIS_EXPORTER_PORT = 9121


def _metrics_of(exporter: str) -> set[str]:
    return {name for name, source in EXPORTER_METRICS.items() if source == exporter}


@pytest.fixture(scope="module")
def manifests() -> tuple[dict[str, Any], ...]:
    return render("postgresql.metrics.enabled=true", "redis.metrics.enabled=true")


def _sidecar(manifests: tuple[dict[str, Any], ...], component: str, tmp_path: Path,
             secrets: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    """container() arguments of the chart's `metrics` container of `component`'s StatefulSet."""
    statefulset = find(manifests, "StatefulSet", f"{RELEASE}-{component}")
    spec = run_spec(manifests, statefulset, "metrics", secrets=secrets, volumes={}, work=tmp_path)
    assert spec.command is None, "the chart runs the image's entrypoint"
    return as_kwargs(spec)


# --- postgres_exporter -------------------------------------------------------------------------


@pytest.fixture
def postgres_pod(manifests: tuple[dict[str, Any], ...],
                 tmp_path: Path) -> Iterator[tuple[str, Container, str]]:  # fmt: skip
    """The chart's PostgreSQL container in a namespace of its own: (netns, container, password)."""
    image = built_image("postgres")
    statefulset = find(manifests, "StatefulSet", f"{RELEASE}-postgresql")
    password = secrets.token_urlsafe(12) + "/:@%"  # characters a DSN would have to escape
    data = owned_dir(str(tmp_path / "data-"), 999, 0o755)
    spec = run_spec(manifests, statefulset, "postgresql", secrets={"POSTGRES_PASSWORD": password},
                    volumes={"data": data}, work=tmp_path)  # fmt: skip
    probe = pod_spec(statefulset)["containers"][0]["readinessProbe"]["exec"]["command"]
    with netns(TEST_ADDRESS) as ns, container(image, network=ns, **as_kwargs(spec)) as server:
        server.wait_for(lambda: server.exec(*probe).returncode == 0, "pg_isready probe", 120)
        yield ns, server, password


def _postgres_exporter(manifests: tuple[dict[str, Any], ...], ns: str, tmp_path: Path,
                       password: str, host: str = "127.0.0.1") -> Any:  # fmt: skip
    """The chart's sidecar with the Secret's POSTGRES_PASSWORD; `host` replaces the loopback
    address of DATA_SOURCE_URI (over TEST_ADDRESS the server's pg_hba checks the password, over
    loopback it trusts, as the official image's does)."""
    run = _sidecar(manifests, "postgresql", tmp_path, {"POSTGRES_PASSWORD": password})
    run["env"]["DATA_SOURCE_URI"] = run["env"]["DATA_SOURCE_URI"].replace("127.0.0.1", host)
    return container(built_image("postgres-exporter"), network=ns, **run)


def test_postgres_exporter_reports_the_server_and_the_alert_series(
    postgres_pod: tuple[str, Container, str], manifests: tuple[dict[str, Any], ...],
    tmp_path: Path,
) -> None:  # fmt: skip
    ns, server, password = postgres_pod
    image = built_image("postgres-exporter")
    assert image.user == "65534:65534" and image.entrypoint == ["/bin/postgres_exporter"]
    with _postgres_exporter(manifests, ns, tmp_path, password) as exporter:
        first = scrape_until(ns, POSTGRES_EXPORTER_PORT, "pg_up")
        missing = _metrics_of("postgres_exporter") - first.names()
        assert not missing, f"postgres_exporter does not emit {missing}, which the chart uses"
        statefulset = find(manifests, "StatefulSet", f"{RELEASE}-postgresql")
        args = pod_spec(statefulset)["containers"][0]["args"]
        assert f"max_connections={first.one('pg_settings_max_connections'):.0f}" in args
        # Connections held open by clients show up in the series the connections alert sums.
        held = _hold_connections(ns, password, count=5)
        try:
            want = first.total("pg_stat_activity_count") + 5
            exporter.wait_for(lambda: _connections(ns) >= want, f"{want} connections counted", 30)
            busy = scrape_until(ns, POSTGRES_EXPORTER_PORT, "pg_up")
            assert busy.values("pg_stat_activity_count", datname="ai_native", state="active")
        finally:
            for client in held:
                client.kill()
                client.wait(timeout=10)
        uids = exporter.exec("sh", "-c", "grep '^Uid:' /proc/1/status")
        assert uids.stdout.split()[1:] == ["65534"] * 4, uids.stdout
        argv = exporter.exec("cat", "/proc/1/cmdline").stdout
        assert password not in argv


def _hold_connections(ns: str, password: str, count: int) -> list[subprocess.Popen[bytes]]:
    """`count` psql sessions from the namespace, each busy in pg_sleep until killed."""
    env = {"PGPASSWORD": password, "PATH": "/usr/bin:/bin"}
    argv = ["ip", "netns", "exec", ns, "psql", "-X", "-h", "127.0.0.1", "-U", "ai_native",
            "-d", "ai_native", "-c", "SELECT pg_sleep(60)"]  # fmt: skip
    return [subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(count)]  # fmt: skip


def test_postgres_exporter_passes_the_secrets_password_and_reports_a_wrong_one(
    postgres_pod: tuple[str, Container, str], manifests: tuple[dict[str, Any], ...],
    tmp_path: Path,
) -> None:  # fmt: skip
    ns, server, password = postgres_pod
    # Over an address where pg_hba asks for it: the password, with `/:@%`, reaches the server.
    with _postgres_exporter(manifests, ns, tmp_path, password, host=TEST_ADDRESS):
        scrape_until(ns, POSTGRES_EXPORTER_PORT, "pg_up")
    with _postgres_exporter(manifests, ns, tmp_path, "not-the-password", host=TEST_ADDRESS) as bad:
        bad.wait_for(lambda: _pg_up(ns) == [0.0], "pg_up 0", 60)
        assert "password authentication failed" in server.output() + bad.output()


def _connections(ns: str) -> float:
    found = scrape(ns, POSTGRES_EXPORTER_PORT)
    return -1 if found is None else found.total("pg_stat_activity_count")


def _pg_up(ns: str) -> list[float]:
    found = scrape(ns, POSTGRES_EXPORTER_PORT)
    return [] if found is None else found.values("pg_up")


# --- redis_exporter ----------------------------------------------------------------------------


@pytest.fixture
def redis_pod(manifests: tuple[dict[str, Any], ...],
              tmp_path: Path) -> Iterator[tuple[str, Container]]:  # fmt: skip
    """The chart's Redis container (its redis.conf) in a namespace of its own."""
    image = built_image("redis")
    statefulset = find(manifests, "StatefulSet", f"{RELEASE}-redis")
    data = owned_dir(str(tmp_path / "data-"), 999, 0o755)
    spec = run_spec(manifests, statefulset, "redis", secrets={}, volumes={"data": data},
                    work=tmp_path)  # fmt: skip
    probe = pod_spec(statefulset)["containers"][0]["readinessProbe"]["exec"]["command"]
    with netns() as ns, container(image, network=ns, **as_kwargs(spec)) as server:
        server.wait_for(lambda: server.exec(*probe).returncode == 0, "PONG probe", 60)
        yield ns, server


def _redis_exporter(manifests: tuple[dict[str, Any], ...], ns: str, tmp_path: Path) -> Any:
    return container(built_image("redis-exporter"), network=ns,
                     **_sidecar(manifests, "redis", tmp_path, {}))  # fmt: skip


def test_redis_exporter_reports_the_server_and_the_alert_series(
    redis_pod: tuple[str, Container], manifests: tuple[dict[str, Any], ...], tmp_path: Path
) -> None:
    ns, server = redis_pod
    image = built_image("redis-exporter")
    assert image.user == "59000:59000" and image.entrypoint == ["/redis_exporter"]
    conf = find(manifests, "ConfigMap", f"{RELEASE}-redis")["data"]["redis.conf"]
    maxmemory = next(line.split()[1] for line in conf.splitlines() if line.startswith("maxmemory "))
    with _redis_exporter(manifests, ns, tmp_path):
        first = scrape_until(ns, REDIS_EXPORTER_PORT, "redis_up")
        missing = _metrics_of("redis_exporter") - first.names()
        assert not missing, f"redis_exporter does not emit {missing}, which the chart uses"
        assert first.one("redis_memory_max_bytes") == redis_bytes(maxmemory)
        assert first.one("redis_evicted_keys_total") == 0
        # A small cap and more data than fits: the memory and eviction alerts' series move.
        cap = 4 * 1024 * 1024
        _redis(ns, "config", "set", "maxmemory", str(cap))
        _fill(ns, megabytes=12)
        full = scrape_until(ns, REDIS_EXPORTER_PORT, "redis_up")
        assert full.one("redis_memory_max_bytes") == cap
        assert full.one("redis_evicted_keys_total") > 0
        used_percent = 100 * full.one("redis_memory_used_bytes") / cap
        assert used_percent > 80, f"used {used_percent:.0f}% of maxmemory after evictions"


def test_redis_exporter_authenticates_with_the_named_secret(
    redis_pod: tuple[str, Container], tmp_path: Path
) -> None:
    """redis.metrics.existingSecret: REDIS_PASSWORD from that Secret, against requirepass."""
    ns, _ = redis_pod
    password = secrets.token_urlsafe(12)
    _redis(ns, "config", "set", "requirepass", password)
    named = render("redis.metrics.enabled=true", "redis.metrics.existingSecret=redis-auth")
    statefulset = find(named, "StatefulSet", f"{RELEASE}-redis")
    run = run_spec(named, statefulset, "metrics", secrets={"password": password}, volumes={},
                   work=tmp_path)  # fmt: skip
    image = built_image("redis-exporter")
    with container(image, network=ns, **as_kwargs(run)):
        scrape_until(ns, REDIS_EXPORTER_PORT, "redis_up")
    run.env.pop("REDIS_PASSWORD")
    with container(image, network=ns, **as_kwargs(run)) as exporter:
        exporter.wait_for(lambda: _redis_up(ns) == [0.0], "redis_up 0 without the password", 60)


def _redis_up(ns: str) -> list[float]:
    found = scrape(ns, REDIS_EXPORTER_PORT)
    return [] if found is None else found.values("redis_up")


def _redis(ns: str, *argv: str, password: str | None = None) -> str:
    auth = ["-a", password, "--no-auth-warning"] if password else []
    out = in_netns(ns, "redis-cli", "-h", "127.0.0.1", *auth, *argv)
    assert out.returncode == 0 and "ERR" not in out.stdout, out.stdout + out.stderr
    return out.stdout.strip()


def _fill(ns: str, megabytes: int) -> None:
    """Writes `megabytes` of 64 KiB values through a pipeline from inside the namespace."""
    script = (
        "import redis\n"
        "r = redis.Redis(host='127.0.0.1', port=6379)\n"
        "p = r.pipeline(transaction=False)\n"
        f"for i in range({megabytes * 16}):\n"
        "    p.set(f'fill:{i}', b'x' * 65536)\n"
        "p.execute()\n"
    )
    out = in_netns(ns, sys.executable, "-c", script, timeout=60)
    assert out.returncode == 0, out.stderr
