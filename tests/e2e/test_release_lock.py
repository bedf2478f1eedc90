"""The release lock on the control plane, under Helm 4 and Helm 3: two overlapping releases never
corrupt the release (the second is refused naming the holder, or waits for it), and a holder
killed with SIGKILL loses the lock when its lease expires, after which recovery proceeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_kube import Helm, Kube, wait_for
from live_cli import LiveCli, holder, require_ingress_class

NOWHERE = "backend.nodeSelector.pool=nowhere"  # pods that can never be scheduled


@pytest.fixture
def cli(helm: Helm, kube: Kube, namespace: str, tmp_path: Path) -> LiveCli:
    require_ingress_class(kube)
    return LiveCli(helm, kube, namespace, tmp_path)


def start(cli: LiveCli, *args: str) -> tuple[subprocess.Popen[str], Path]:
    """helmkit in the background (a CI job that is still running)."""
    log = cli.workdir / f"background-{time.monotonic_ns()}.log"
    argv = [sys.executable, "-m", "helmkit", *args, "--config", str(cli.workdir / "helmkit.yaml")]
    with log.open("w") as out:
        proc = subprocess.Popen(
            argv, env=cli.env(), cwd=cli.workdir, stdout=out, stderr=subprocess.STDOUT, text=True
        )
    return proc, log


def newest_status(cli: LiveCli) -> str:
    return str((cli.helm_history() or [{}])[-1].get("status", ""))


def wait_pending_under_lock(cli: LiveCli, proc: subprocess.Popen[str], log: Path) -> None:
    def running() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"the first release ended ({proc.returncode}) too soon:\n{log.read_text()}")
        return newest_status(cli) == "pending-upgrade" and f"pid {proc.pid}" in holder(cli)

    wait_for("the first release running helm under the lock", running, timeout_s=240)


def statuses(cli: LiveCli) -> list[str]:
    return [h["status"] for h in cli.helm_history()]


def test_overlapping_releases_refuse_or_wait_and_never_corrupt(cli: LiveCli) -> None:
    cli.write_config(timeout="40s")
    cli.ok("release", "e2e", "--skip-tests")

    first, log = start(cli, "release", "e2e", "--skip-tests", "--set", NOWHERE)
    wait_pending_under_lock(cli, first, log)
    started = time.monotonic()

    refused = cli.run("release", "e2e", "--skip-tests")
    out = refused.stdout + refused.stderr
    assert refused.returncode == 2, out
    assert "is locked" in out and f"pid {first.pid}" in out, out
    assert "--wait-for-lock" in out, "the refusal says how to wait instead"
    assert "recover:" not in out, "a refused run reads nothing and recovers nothing"
    assert newest_status(cli) == "pending-upgrade", "the running helm was left alone"

    # a run that the offline gate would refuse too is refused by the lock, before any render
    both = cli.run("release", "e2e", "--skip-tests", "--set", "backend.image.tag=latest")
    both_out = both.stdout + both.stderr
    assert both.returncode == 2 and "is locked" in both_out, both_out
    assert "offline gate refused" not in both_out and "gate:" not in both_out, both_out

    # a dry run takes no lock: it says who holds it and leaves the holder in place
    dry = cli.run("release", "e2e", "--dry-run")
    assert "a real run would wait or refuse" in dry.stdout + dry.stderr, dry.stdout + dry.stderr
    assert f"pid {first.pid}" in holder(cli)

    waited = cli.run(
        "release", "e2e", "--skip-tests", "--wait-for-lock", "5m",
        "--set", "backend.image.tag=1.0.3-after",
    )  # fmt: skip
    waited_out = waited.stdout + waited.stderr
    first.wait(timeout=300)
    first_out = log.read_text()
    print(f"first release:\n{first_out}\nwaiting release:\n{waited_out}")
    print(f"the waiting release ran {time.monotonic() - started:.0f}s")
    assert first.returncode == 1, first_out
    assert "release failed (revision 2)" in first_out and "Helm rolled back" in first_out
    assert waited.returncode == 0, waited_out
    assert f"pid {first.pid}" in waited_out and "waiting up to 300s" in waited_out
    assert "recover: nothing to do" in waited_out or "recover:" not in waited_out
    assert statuses(cli) == ["superseded", "failed", "superseded", "deployed"]
    assert not [s for s in statuses(cli) if s.startswith("pending")]
    assert holder(cli) == "", "the lock is given back at the end"


def test_a_sigkilled_holder_loses_the_lock_and_recovery_proceeds(cli: LiveCli) -> None:
    cli.write_config(timeout="5m")
    cli.ok("release", "e2e", "--skip-tests")

    first, log = start(cli, "release", "e2e", "--skip-tests", "--set", NOWHERE)
    wait_pending_under_lock(cli, first, log)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    killed_at = time.monotonic()
    assert f"pid {first.pid}" in holder(cli), "a killed holder cannot give the lock back"

    refused = cli.run("release", "e2e", "--skip-tests")
    assert refused.returncode == 2 and f"pid {first.pid}" in refused.stderr, refused.stderr

    out = cli.ok("release", "e2e", "--skip-tests", "--wait-for-lock", "2m")
    took = time.monotonic() - killed_at
    print(out)
    print(f"recovered and released {took:.0f}s after the kill")
    assert f"pid {first.pid} expired" in out, out
    assert "recover: revision 2 is pending-upgrade" in out and "rolling back to revision 1" in out
    history = cli.helm_history()
    assert history[2]["description"] == "Rollback to 1", history
    assert statuses(cli)[-1] == "deployed" and "pending" not in " ".join(statuses(cli)[2:])
    assert holder(cli) == ""
    assert took >= 20, "the lock was taken before the killed holder's lease could expire"
