"""The stand-in images (tests/images) run for real, without Kubernetes, as the chart's pods do.

Each test builds its image through scripts/build-images.sh (cached by recipe hash; mmdebstrap
missing fails loudly), then starts it with runc from the container spec `helm template` renders:
command, args, env, uid, read-only root, emptyDirs, the rendered ConfigMaps. Servers listen in a
network namespace of the test's own; the backend, which needs the component PostgreSQL on the
host's loopback, binds to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from component_chart import find, render
from component_servers import PostgresServer, free_port, redis_server
from image_pods import as_kwargs, pod_spec, run_spec
from image_runner import Image, Mount, built_image, container, in_netns, netns, owned_dir

# One worker runs them all: the image builds are serialised anyway (one Debian build at a time).
pytestmark = [pytest.mark.component, pytest.mark.xdist_group("images")]

RELEASE = "ai-native"
TEST_ADDRESS = "192.0.2.10"  # TEST-NET-1, only on an interface inside our own namespace


@pytest.fixture(scope="module")
def manifests() -> tuple[dict[str, Any], ...]:
    return render("postgresql.backup.enabled=true")


def _wait_ok(check: Any, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout}s")


# --- pause -------------------------------------------------------------------------------------


def _children_states(pid: int) -> list[str]:
    states = []
    for task in Path("/proc").glob("[0-9]*"):
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            states.append(fields[0])
    return states


def test_pause_reaps_orphans_and_exits_on_sigterm() -> None:
    pause, busybox = built_image("pause"), built_image("busybox")
    shell = Mount("/busybox", busybox.rootfs / "usr/bin/busybox", read_only=True)
    with container(pause, mounts=[shell]) as box:
        box.wait_for(lambda: box.state() == "running", "running state", 10)
        pid = json.loads(box.runc("state", box.id).stdout)["pid"]
        # The background sleep outlives its shell: it is re-parented to PID 1 (pause) and must
        # not stay a zombie after it exits.
        orphan = box.exec("/busybox", "sh", "-c", "/busybox sleep 0.2 & exit 0")
        assert orphan.returncode == 0, orphan.stderr
        time.sleep(1.0)
        assert "Z" not in _children_states(pid), "pause left a zombie child"
        box.stop("TERM", timeout=10)
        assert box.stopped, f"pause ignored SIGTERM:\n{box.output()}"
        assert "shutting down on terminated" in box.output()


# --- postgres ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_image() -> Image:
    return built_image("postgres")


def _postgres_run(manifests: tuple[dict[str, Any], ...], data: Path, work: Path,
                  password: str) -> dict[str, Any]:  # fmt: skip
    statefulset = find(manifests, "StatefulSet", f"{RELEASE}-postgresql")
    spec = run_spec(manifests, statefulset, "postgresql", secrets={"POSTGRES_PASSWORD": password},
                    volumes={"data": data}, work=work)  # fmt: skip
    assert spec.command is None, "the chart relies on the image's entrypoint"
    assert spec.uid == 999
    return as_kwargs(spec)


def _psql(box: Any, sql: str, *, host: str = "127.0.0.1", password: str = "",
          database: str = "ai_native") -> Any:  # fmt: skip
    return box.exec("psql", "-X", "-h", host, "-U", "ai_native", "-d", database, "-Atc", sql,
                    env={"PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5"})  # fmt: skip


def test_postgres_initialises_an_empty_volume_and_keeps_it(
    postgres_image: Image, manifests: tuple[dict[str, Any], ...], tmp_path: Path
) -> None:
    password = secrets.token_urlsafe(12)
    data = owned_dir(str(tmp_path / "data-"), 999, 0o755)
    run = _postgres_run(manifests, data, tmp_path, password)
    statefulset = find(manifests, "StatefulSet", f"{RELEASE}-postgresql")
    probe = pod_spec(statefulset)["containers"][0]["readinessProbe"]["exec"]["command"]
    with netns(TEST_ADDRESS) as ns, container(postgres_image, network=ns, **run) as box:
        box.wait_for(lambda: box.exec(*probe).returncode == 0, "ready pg_isready probe", 120)
        assert "PostgreSQL init process complete" in box.output()
        # Over a non-loopback address pg_hba asks for the password (scram-sha-256).
        wrong = _psql(box, "SELECT 1", host=TEST_ADDRESS, password="wrong")
        assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr
        query = "SELECT current_user, current_database(), current_setting('max_connections')"
        right = _psql(box, query, host=TEST_ADDRESS, password=password)
        assert right.returncode == 0, right.stderr
        user, database, max_connections = right.stdout.strip().split("|")
        assert (user, database) == ("ai_native", "ai_native")
        assert f"max_connections={max_connections}" in run["args"]
        made = _psql(box, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before restart')")
        assert made.returncode == 0, made.stderr
        box.stop("INT")
    pgdata = data / "pgdata"
    assert (pgdata / "PG_VERSION").read_text().strip() == "17"
    assert pgdata.stat().st_uid == 999 and oct(pgdata.stat().st_mode & 0o777) == "0o700"
    with netns() as ns, container(postgres_image, network=ns, **run) as box:
        box.wait_for(lambda: box.exec(*probe).returncode == 0, "ready pg_isready probe", 120)
        assert "Skipping initialization" in box.output()
        kept = _psql(box, "SELECT v FROM kept")
        assert kept.stdout.strip() == "before restart", kept.stderr
        _run_helm_test_check(manifests, "postgresql", postgres_image, ns, tmp_path, {})


def test_postgres_runs_initdb_scripts_and_refuses_no_password(
    postgres_image: Image, manifests: tuple[dict[str, Any], ...], tmp_path: Path
) -> None:
    initdb = tmp_path / "initdb"
    initdb.mkdir()
    (initdb / "10-table.sql").write_text(
        "CREATE TABLE from_initdb (id int); INSERT INTO from_initdb VALUES (7);"
    )
    data = owned_dir(str(tmp_path / "data-"), 999, 0o755)
    run = _postgres_run(manifests, data, tmp_path, "pw")
    run["mounts"] = [*run["mounts"], Mount("/docker-entrypoint-initdb.d", initdb, read_only=True)]
    with netns() as ns, container(postgres_image, network=ns, **run) as box:
        box.wait_for(lambda: box.exec("pg_isready", "-q", "-h", "127.0.0.1").returncode == 0,
                     "pg_isready", 120)  # fmt: skip
        assert "running /docker-entrypoint-initdb.d/10-table.sql" in box.output()
        assert _psql(box, "SELECT id FROM from_initdb").stdout.strip() == "7"
    empty = owned_dir(str(tmp_path / "empty-"), 999, 0o755)
    run = _postgres_run(manifests, empty, tmp_path, "")
    run["env"] = {k: v for k, v in run["env"].items() if k != "POSTGRES_PASSWORD"}
    with netns() as ns, container(postgres_image, network=ns, **run) as box:
        _wait_ok(lambda: box.state() != "running", "exit without a password", 30)
        assert "superuser password is not specified" in box.output()


ROOT_CAPABILITIES = ("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID")


def test_postgres_started_as_root_drops_to_999(
    postgres_image: Image, manifests: tuple[dict[str, Any], ...], tmp_path: Path
) -> None:
    """The official image's root start: PGDATA handed to postgres (999), the server runs as it."""
    data = tmp_path / "root-owned"
    data.mkdir()
    run = _postgres_run(manifests, data, tmp_path, "pw")
    run.update(uid=0, capabilities=ROOT_CAPABILITIES)
    with netns() as ns, container(postgres_image, network=ns, **run) as box:
        box.wait_for(lambda: box.exec("pg_isready", "-q", "-h", "127.0.0.1").returncode == 0,
                     "pg_isready", 120)  # fmt: skip
        # PID 1 is the server itself (the entrypoint exec'd it after setpriv).
        pid1 = box.exec("stat", "-c", "%u %n", "/proc/1/exe")
        server = box.exec("cat", "/proc/1/cmdline")
        assert pid1.stdout.split()[0] == "999", pid1.stdout + pid1.stderr
        assert server.stdout.split("\0")[0].endswith("postgres"), server.stdout
    assert (data / "pgdata").stat().st_uid == 999


def test_postgres_image_runs_the_chart_backup_script(
    postgres_image: Image, manifests: tuple[dict[str, Any], ...], tmp_path: Path
) -> None:
    """The backup CronJob's container (same image) finds every tool its script uses."""
    data = owned_dir(str(tmp_path / "data-"), 999, 0o755)
    backups = owned_dir(str(tmp_path / "backups-"), 999, 0o755)
    run = _postgres_run(manifests, data, tmp_path, "pw")
    cronjob = find(manifests, "CronJob", f"{RELEASE}-db-backup")
    backup = run_spec(manifests, cronjob, "db-backup", secrets={"POSTGRES_PASSWORD": "pw"},
                      volumes={"backups": backups}, work=tmp_path)  # fmt: skip
    backup_mounts = [m for m in backup.mounts if m.target != "/tmp"]
    run["mounts"] = [*run["mounts"], *backup_mounts]
    with netns() as ns, container(postgres_image, network=ns, **run) as box:
        box.wait_for(lambda: box.exec("pg_isready", "-q", "-h", "127.0.0.1").returncode == 0,
                     "pg_isready", 120)  # fmt: skip
        env = {**backup.env, "PGHOST": "127.0.0.1"}
        dumped = box.exec(*(backup.command or []), env=env)
        assert dumped.returncode == 0, dumped.stdout + dumped.stderr
    dumps = sorted(backups.glob("ai_native-*.dump"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 0, dumped.stdout


# --- redis -------------------------------------------------------------------------------------


def test_redis_starts_from_the_chart_config_and_keeps_keys(
    manifests: tuple[dict[str, Any], ...], tmp_path: Path
) -> None:
    image = built_image("redis")
    statefulset = find(manifests, "StatefulSet", f"{RELEASE}-redis")
    data = owned_dir(str(tmp_path / "data-"), 999, 0o755)
    spec = run_spec(manifests, statefulset, "redis", secrets={}, volumes={"data": data},
                    work=tmp_path)  # fmt: skip
    assert spec.uid == 999 and spec.command and spec.command[0] == "redis-server"
    probe = pod_spec(statefulset)["containers"][0]["readinessProbe"]["exec"]["command"]

    def cli(box: Any, *argv: str) -> str:
        out = box.exec("redis-cli", "-h", "127.0.0.1", *argv)
        assert out.returncode == 0, out.stderr
        return str(out.stdout).strip()

    with netns() as ns:
        with container(image, network=ns, **as_kwargs(spec)) as box:
            box.wait_for(lambda: box.exec(*probe).returncode == 0, "PONG readiness probe", 60)
            policy = cli(box, "config", "get", "maxmemory-policy").split()
            assert policy == ["maxmemory-policy", "allkeys-lru"]
            assert cli(box, "config", "get", "appendonly").split() == ["appendonly", "yes"]
            assert cli(box, "config", "get", "dir").split() == ["dir", "/data"]
            assert cli(box, "set", "kept", "before-restart") == "OK"
            box.stop("TERM")
        assert (data / "appendonlydir").is_dir()
        with container(image, network=ns, **as_kwargs(spec)) as box:
            box.wait_for(lambda: box.exec(*probe).returncode == 0, "PONG readiness probe", 60)
            assert cli(box, "get", "kept") == "before-restart"
            # From outside the container, as a client pod would connect.
            host = in_netns(ns, "redis-cli", "-h", "127.0.0.1", "ping")
            assert host.stdout.strip() == "PONG", host.stderr
            _run_helm_test_check(manifests, "redis", image, ns, tmp_path,
                                 {"REDIS_URL": "redis://127.0.0.1:6379/0"})  # fmt: skip


def _run_helm_test_check(manifests: tuple[dict[str, Any], ...], name: str, image: Image, ns: str,
                         work: Path, secrets: dict[str, str]) -> None:  # fmt: skip
    """A container of the helm test pod (its image, uid, script) against the server in `ns`."""
    pod = find(manifests, "Pod", f"{RELEASE}-test")
    spec = run_spec(manifests, pod, name, secrets=secrets, volumes={}, work=work)
    script = (spec.args or [""])[0].replace(f"{RELEASE}-{name}", "127.0.0.1")
    with container(image, **as_kwargs(spec, args=[script], network=ns)) as check:
        _wait_ok(lambda: check.state() != "running", f"helm test {name} check to finish", 60)
        logs = check.output()
    # Each script prints this only when its check passed (`sh -e`).
    assert ("PONG" if name == "redis" else "accepting connections") in logs, logs


# --- frontend (nginx) --------------------------------------------------------------------------


def test_frontend_serves_8080_unprivileged_on_a_read_only_root(
    manifests: tuple[dict[str, Any], ...], tmp_path: Path
) -> None:
    image = built_image("nginx")
    deployment = find(manifests, "Deployment", f"{RELEASE}-frontend")
    spec = run_spec(manifests, deployment, "frontend", secrets={}, volumes={}, work=tmp_path)
    probe = pod_spec(deployment)["containers"][0]["readinessProbe"]["httpGet"]
    port = pod_spec(deployment)["containers"][0]["ports"][0]["containerPort"]
    assert port == 8080 and spec.uid == 101
    with netns() as ns, container(image, network=ns, **as_kwargs(spec)) as box:
        url = f"http://127.0.0.1:{port}{probe['path']}"
        box.wait_for(lambda: in_netns(ns, "curl", "-fsS", url).returncode == 0, "HTTP 200", 30)
        page = in_netns(ns, "curl", "-fsS", f"http://127.0.0.1:{port}/some/app/route")
        assert "AI-Native" in page.stdout
        workers = box.exec("sh", "-c", "cat /proc/[0-9]*/status | grep '^Uid:'")
        uids = {line.split()[1] for line in workers.stdout.splitlines()}
        assert uids == {"101"}, workers.stdout
        logs = box.stop("QUIT")
    assert box.stopped, logs
    assert "[emerg]" not in logs and "[alert]" not in logs, logs


# --- busybox (wait init containers) ------------------------------------------------------------


def test_busybox_runs_the_chart_wait_script(tmp_path: Path) -> None:
    image = built_image("busybox")
    manifests = render("backend.waitForDependencies.timeoutSeconds=10")
    deployment = find(manifests, "Deployment", f"{RELEASE}-backend")
    spec = run_spec(manifests, deployment, "wait-for-postgresql", secrets={}, volumes={},
                    work=tmp_path)  # fmt: skip
    host = f"{RELEASE}-postgresql"
    script = spec.args[0] if spec.args else ""
    assert host in script and spec.command == ["sh", "-c"]
    local = script.replace(host, "127.0.0.1")
    with netns() as ns, container(image, ["nc", "-lk", "-p", "5432"], network=ns, uid=spec.uid,
                                  mounts=spec.mounts) as listener:  # fmt: skip
        listener.wait_for(lambda: listener.exec("nc", "-z", "127.0.0.1", "5432").returncode == 0,
                          "listener", 10)  # fmt: skip
        reached = listener.exec("sh", "-c", local)
        assert reached.returncode == 0, reached.stdout + reached.stderr
        missing = listener.exec("sh", "-c", local.replace("5432", "5433"), timeout=40)
        assert missing.returncode == 1
        assert "127.0.0.1:5433 not reachable after 10s" in missing.stderr


# --- backend + curl (helm test) ----------------------------------------------------------------


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.fixture
def backend_env(postgres: PostgresServer, tmp_path: Path) -> Iterator[dict[str, str]]:
    database = postgres.create_database(f"stand_in_{secrets.token_hex(4)}")
    conf = tmp_path / "redis.conf"
    conf.write_text("save \"\"\nappendonly no\n")
    with redis_server(conf) as cache:
        yield {
            "DATABASE_URL": (
                f"postgresql://ai_native:{postgres.password}@127.0.0.1:{postgres.port}/{database}"
            ),
            "REDIS_URL": f"redis://127.0.0.1:{cache.port}/0",
            "DATABASE_NAME": database,
        }


def test_backend_meets_the_app_contract(
    manifests: tuple[dict[str, Any], ...], postgres: PostgresServer,
    backend_env: dict[str, str], tmp_path: Path,
) -> None:  # fmt: skip
    image = built_image("backend")
    deployment = find(manifests, "Deployment", f"{RELEASE}-backend")
    chart_secrets = {
        "DATABASE_URL": backend_env["DATABASE_URL"],
        "REDIS_URL": backend_env["REDIS_URL"],
        "JWT_SECRET_KEY": "test-jwt",
        "POSTGRES_PASSWORD": postgres.password,
    }
    spec = run_spec(manifests, deployment, "backend", secrets=chart_secrets, volumes={},
                    work=tmp_path)  # fmt: skip
    assert spec.command is None and spec.args is None, "the chart runs the image's own command"
    assert image.cmd[-4:] == ["--host", "0.0.0.0", "--port", "8000"]
    port = free_port()
    # The host's network namespace (the component PostgreSQL listens on its loopback): bind there.
    args = [*image.cmd[:-4], "--host", "127.0.0.1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with container(image, args, env=spec.env, uid=spec.uid, mounts=spec.mounts) as box:
        box.wait_for(lambda: _get(f"{base}/api/v1/health/ready")[0] == 200, "readiness 200", 90)
        assert _get(f"{base}/api/v1/health/live")[0] == 200
        status, body = _get(f"{base}/api/v1/health")
        assert status == 200 and json.loads(body)["status"] == "healthy", body
        assert json.loads(body)["database"] == "connected"
        status, body = _get(f"{base}/api/v1/health/ping")
        assert status == 200 and json.loads(body)["data"]["status"] == "ok"
        deep = json.loads(_get(f"{base}/api/v1/health/deep")[1])
        assert deep["redis"]["status"] == "ok"
        assert deep["database"]["pool"]["size"] == int(spec.env["DB_POOL_SIZE"])
        created, row = _post(f"{base}/api/v1/sessions", {"student_id": "s1", "activity_id": "a1"})
        assert created == 201 and row["mode"] == "TUTOR"
        status, body = _get(f"{base}/api/v1/sessions/{row['id']}")
        assert status == 200 and json.loads(body)["student_id"] == "s1"
        status, metrics = _get(f"{base}/metrics")
        counted = 'http_requests_total{method="POST",path="/api/v1/sessions",status="201"} 1'
        assert status == 200 and counted in metrics
        _run_helm_test_curl(manifests, base, tmp_path)
    _assert_contract_tables(postgres, backend_env["DATABASE_NAME"], row["id"])


def _run_helm_test_curl(manifests: tuple[dict[str, Any], ...], base: str, work: Path) -> None:
    """The helm test pod's api container (curl image, its uid) against the running backend."""
    image = built_image("curl")
    pod = find(manifests, "Pod", f"{RELEASE}-test")
    spec = run_spec(manifests, pod, "api", secrets={}, volumes={}, work=work)
    script = (spec.args or [""])[0].replace(f"http://{RELEASE}-backend:8000", base)
    assert base in script and spec.uid == 100
    run = {"command": spec.command, "args": [script], "uid": spec.uid, "mounts": spec.mounts}
    with container(image, **run) as box:
        _wait_ok(lambda: box.state() != "running", "helm test curl to finish", 60)
        assert '"success":true' in box.output(), box.output()


def _assert_contract_tables(postgres: PostgresServer, database: str, session_id: str) -> None:
    import psycopg

    with psycopg.connect(postgres.conninfo(database)) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}  # fmt: skip
        query = "SELECT student_id FROM sessions WHERE id = %s"
        stored = conn.execute(query, (session_id,)).fetchone()
    assert {"sessions", "activities", "cognitive_traces", "risks", "evaluations", "trace_sequences",
            "student_profiles", "interview_sessions", "incident_simulations"} <= tables
    assert stored == ("s1",)


def test_backend_is_live_but_not_ready_without_a_database(tmp_path: Path) -> None:
    image = built_image("backend")
    closed = free_port()
    port = free_port()
    env = {"DATABASE_URL": f"postgresql://u:p@127.0.0.1:{closed}/db", "DB_POOL_SIZE": "2"}
    args = [*image.cmd[:-4], "--host", "127.0.0.1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with container(image, args, env=env, uid=1000, mounts=[Mount("/tmp")]) as box:
        box.wait_for(lambda: _get(f"{base}/api/v1/health/live")[0] == 200, "liveness 200", 60)
        assert _get(f"{base}/api/v1/health/ready")[0] == 503
        status, body = _get(f"{base}/api/v1/health")
        assert status == 503 and json.loads(body)["database"] == "disconnected"
    assert os.path.exists(image.rootfs / "app" / "app_models.py")
