"""A run that fails says so everywhere a CI looks: a report file asked for with --output is
replaced by one that says the run failed (never an earlier green one left in place), an OSError
is one line naming the path (exit 2), Ctrl-C exits 130, and a helm that never answers is
stopped and reported after HELMKIT_HELM_TIMEOUT."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import helmkit_run
import pytest
import yaml
from cli_support import helm_path

GREEN_JSON = json.dumps({"ok": True, "findings": []})
GREEN_JUNIT = '<testsuites name="helmkit"><testsuite name="lint" tests="1" failures="0"/>'


# a run here takes seconds: one that hangs fails the test instead of the whole suite
helmkit = partial(helmkit_run.helmkit, timeout=60)


def one_line_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) >= 1, proc.stderr
    return errors[0]


def assert_failed_report(path: Path, fmt: str, needle: str) -> None:
    text = path.read_text()
    if fmt == "json":
        report = json.loads(text)
        assert report["ok"] is False and needle in report["error"], text
    else:
        root = ET.fromstring(text)
        errors = root.findall(".//error") + root.findall(".//failure")
        assert errors and needle in (errors[0].text or ""), text


@pytest.mark.parametrize("fmt", ["json", "junit"])
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("lint", "--env", "nope"), "unknown environment 'nope'"),
        (("lint", "--values", "absent.yaml"), "absent.yaml"),
        (("test", "--bogus-flag"), "--bogus-flag"),
        (("snapshot", "--scenario", "nope"), "unknown scenario 'nope'"),
    ],
    ids=["unknown-env", "missing-values", "bad-flag", "unknown-scenario"],
)
def test_input_error_replaces_an_earlier_green_report(
    project: Path, fmt: str, args: tuple[str, ...], needle: str
) -> None:
    report = project / "out" / f"report.{fmt}"
    report.parent.mkdir()
    report.write_text(GREEN_JSON if fmt == "json" else GREEN_JUNIT)
    proc = helmkit(*args, "--format", fmt, "--output", str(report), cwd=project)
    assert proc.returncode == 2, proc.stderr
    assert_failed_report(report, fmt, needle)


def test_input_error_with_json_on_stdout_prints_a_failed_report(project: Path) -> None:
    proc = helmkit("lint", "--env", "nope", "--format", "json", cwd=project)
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["ok"] is False


def test_a_killed_run_leaves_a_failed_report(project: Path) -> None:
    """The report says "did not complete" from the start; only the finished run replaces it."""
    fifo = project / "never.yaml"
    os.mkfifo(fifo)  # no writer: the run blocks reading it until it is killed
    report = project / "report.json"
    report.write_text(GREEN_JSON)
    argv = ["lint", "-f", str(fifo), "--format", "json", "--output", str(report)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "helmkit", *argv],
        cwd=project,
        env={**os.environ, "HELMKIT_HELM": helm_path("helm4")},
    )
    try:
        wait_until(lambda: "did not complete" in report.read_text())
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert_failed_report(report, "json", "did not complete")


def wait_until(condition: object, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    pytest.fail("condition not met in time")


# --- OSError: one line naming the path, exit 2 -------------------------------------------------


def test_full_disk_names_the_file(project: Path) -> None:
    line = one_line_error(helmkit("lint", "--format", "json", "--output", "/dev/full", cwd=project))
    assert line == "error: No space left on device: /dev/full"


def test_a_file_where_a_directory_was_expected(project: Path) -> None:
    (project / "reports").write_text("a file, not a directory")
    proc = helmkit("lint", "--output", "reports/lint.txt", cwd=project)
    assert one_line_error(proc).startswith("error: Not a directory: reports")


def test_a_file_where_the_cache_directory_was_expected(project: Path) -> None:
    (project / ".helmkit-cache").write_text("a file, not a directory")
    proc = helmkit("lint", cwd=project)
    # a cache problem may also just turn the cache off; a traceback is never right
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 2:
        assert ".helmkit-cache" in one_line_error(proc)


def read_only(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """helmkit in a private mount namespace where the checkout is mounted read-only."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to mount the checkout read-only")
    helmkit_argv = " ".join([sys.executable, "-m", "helmkit", *args])
    script = (
        f"mount --bind {project} {project} && mount -o remount,bind,ro {project} && "
        f"exec {helmkit_argv}"
    )
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "HELMKIT_HELM": helm_path("helm4")},
        timeout=120,
        check=False,
    )


def test_read_only_checkout_cannot_update_snapshots(project: Path) -> None:
    # an out-of-date snapshot, so the update has something to write
    snapshot = project / "snapshots" / "default.yaml"
    snapshot.write_text(snapshot.read_text() + "# out of date\n")
    line = one_line_error(read_only(project, "snapshot", "--update"))
    assert line.startswith(f"error: Read-only file system: {project}"), line


@pytest.mark.parametrize("verb", ["lint", "test"])
def test_read_only_checkout_never_ends_in_a_traceback(project: Path, verb: str) -> None:
    proc = read_only(project, verb)
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 2:
        assert "Read-only file system" in one_line_error(proc)


# --- Ctrl-C ----------------------------------------------------------------------------------


def test_ctrl_c_exits_130(project: Path) -> None:
    fifo = project / "never.yaml"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "helmkit", "lint", "-f", str(fifo)],
        cwd=project,
        env={**os.environ, "HELMKIT_HELM": helm_path("helm4")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)  # started and blocked opening the pipe
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err and "error: interrupted" in err, err


# --- a helm that never answers -----------------------------------------------------------------


@pytest.fixture
def silent_api_server() -> Iterator[str]:
    """A loopback HTTP "API server" that accepts connections and never answers: what a helm
    talking to a hung or firewalled cluster sees."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_helm_that_never_answers_is_stopped_after_the_timeout(
    project: Path, silent_api_server: str
) -> None:
    kubeconfig = project / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": silent_api_server}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    started = time.monotonic()
    proc = helmkit(
        "history",
        "staging",
        cwd=project,
        env={"KUBECONFIG": str(kubeconfig), "HELMKIT_HELM_TIMEOUT": "3s"},
    )
    took = time.monotonic() - started
    line = one_line_error(proc)
    assert "history demo --namespace demo-staging" in line and "failed" in line, proc.stderr
    assert "no answer within 3s: helm was stopped" in proc.stderr
    assert "HELMKIT_HELM_TIMEOUT" in proc.stderr
    assert took < 30, f"took {took:.0f}s"


def test_a_bad_helm_timeout_setting_is_a_usage_error(project: Path) -> None:
    proc = helmkit("lint", env={"HELMKIT_HELM_TIMEOUT": "soon"}, cwd=project)
    assert "'soon' is not a duration" in one_line_error(proc)
