"""Real PostgreSQL and Redis servers from the Debian packages, on free loopback ports in temp dirs.

No mocks: the chart's SQL, scripts and redis.conf are exercised by the same server programs the
images run. A missing binary fails the test with the command that installs it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = "install the servers with: bash scripts/bootstrap.sh debian"
SUPERUSER = "ai_native"  # like the postgres image with POSTGRES_USER=ai_native
CLIENT_PROGRAMS = ("psql", "pg_isready", "pg_dump", "pg_restore", "createdb")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<major>/bin that has initdb, or a loud failure."""
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not candidates:
        pytest.fail(f"PostgreSQL server binaries (initdb) not found; {INSTALL_HINT}")
    newest = max(candidates, key=lambda p: int(re.findall(r"/(\d+)/bin/", p)[0]))
    return Path(newest).parent


def require_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found on PATH; {INSTALL_HINT}")
    return path


def _run_as_prefix(user: str) -> list[str]:
    """initdb refuses to run as root: as root run the server programs as `user`."""
    return ["runuser", "-u", user, "--"] if os.geteuid() == 0 else []


def _run(argv: Sequence[str], *, what: str) -> None:
    proc = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"{what} failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr}")


@dataclass
class PostgresServer:
    bin_dir: Path
    base_dir: Path
    port: int
    password: str
    run_as: list[str]

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    def env(self, database: str) -> dict[str, str]:
        """libpq environment, as the Job and CronJob pods get it (host, port, user, password)."""
        return {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": SUPERUSER,
            "PGPASSWORD": self.password,
            "PGDATABASE": database,
        }

    def conninfo(self, database: str) -> str:
        return (
            f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database} "
            f"password={self.password}"
        )

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def stop(self) -> None:
        pg_ctl = str(self.bin_dir / "pg_ctl")
        subprocess.run(
            [*self.run_as, pg_ctl, "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.base_dir, ignore_errors=True)


def _owned_temp_dir(prefix: str, user: str | None) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = postgres_bin_dir()
    # The chart's scripts call the client programs by name, as in the postgres image.
    for client in CLIENT_PROGRAMS:
        require_program(client)
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(f"running as root but no 'postgres' user to run initdb as; {INSTALL_HINT}")
        user = "postgres"
    base = _owned_temp_dir("ai-native-pg-", user)
    server = PostgresServer(
        bin_dir, base, free_port(), secrets.token_urlsafe(16), _run_as_prefix(user or "")
    )
    pwfile = base / "pwfile"
    pwfile.write_text(server.password + "\n")
    pwfile.chmod(0o600)
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
    try:
        _run(
            [*server.run_as, str(bin_dir / "initdb"), "-D", str(server.data_dir),
             "-U", SUPERUSER, "--pwfile", str(pwfile), "--auth=scram-sha-256",
             "--encoding=UTF8", "--no-sync"],
            what="initdb",
        )  # fmt: skip
        pwfile.unlink()
        with (server.data_dir / "postgresql.conf").open("a") as conf:
            # Private loopback port and socket dir; fsync off because test data is disposable.
            conf.write(
                f"\nport = {server.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{base}'\nfsync = off\n"
            )
        _run(
            [*server.run_as, str(bin_dir / "pg_ctl"), "-D", str(server.data_dir),
             "-l", str(base / "server.log"), "-w", "-t", "60", "start"],
            what="pg_ctl start",
        )  # fmt: skip
        yield server
    finally:
        server.stop()


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]
    base_dir: Path


@contextlib.contextmanager
def redis_server(config_file: Path) -> Iterator[RedisServer]:
    """redis-server loading `config_file`; only port, bind and dir are overridden for the test."""
    program = require_program("redis-server")
    base = Path(tempfile.mkdtemp(prefix="ai-native-redis-"))
    port = free_port()
    log = (base / "redis.log").open("wb")
    process = subprocess.Popen(
        [program, str(config_file), "--port", str(port), "--bind", "127.0.0.1",
         "--dir", str(base), "--daemonize", "no"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for_redis(port, process, base / "redis.log")
        yield RedisServer(port, process, base)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def _wait_for_redis(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    import redis

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"redis-server exited ({process.returncode}):\n{log.read_text()}")
        with contextlib.suppress(redis.ConnectionError):
            if redis.Redis(host="127.0.0.1", port=port).ping():
                return
        time.sleep(0.1)
    pytest.fail(f"redis-server did not answer PING within 30s:\n{log.read_text()}")
