"""The pid bookkeeping `helmkit cluster down` relies on, against a real child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helmkit.adapters import cluster as adapter
from helmkit.core.cluster import config as cc


def test_recorded_pids_then_terminate_leaves_nothing(tmp_path: Path) -> None:
    paths = cc.ClusterPaths(cache_dir=tmp_path)
    paths.pid_dir.mkdir(parents=True)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (paths.pid_dir / "etcd.pid").write_text(f"{child.pid}\n")
        (paths.pid_dir / "junk.pid").write_text("not a pid")
        assert adapter.recorded_pids(paths) == {"etcd": child.pid}
        assert adapter.alive_pids(paths) == {"etcd": child.pid}
        assert adapter.terminate({"etcd": child.pid}, grace_s=5) == {}
        child.wait(timeout=5)
        assert not adapter.pid_alive(child.pid)
    finally:
        if child.poll() is None:
            child.kill()


def test_no_pid_dir_means_nothing_recorded(tmp_path: Path) -> None:
    assert adapter.recorded_pids(cc.ClusterPaths(cache_dir=tmp_path)) == {}


def test_missing_binaries_are_named_with_the_build_command(tmp_path: Path) -> None:
    paths = cc.ClusterPaths(cache_dir=tmp_path)
    assert set(adapter.missing_binaries(paths)) == set(cc.BINARIES)
    try:
        adapter.require_binaries(paths)
    except adapter.EnvironmentProblem as exc:
        assert "kube-apiserver" in str(exc)
        assert cc.BUILD_COMMAND in str(exc)
    else:
        raise AssertionError("missing binaries accepted")
