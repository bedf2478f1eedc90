"""A second, private cluster (own cache dir, same binaries): `up` from nothing to nodes Ready,
`up` again is a no-op, and `down` leaves no process behind (checked by pid). It never touches
the shared session cluster, which other tests or a running demo may be using."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from helmkit.adapters import cluster as adapter
from helmkit.core import cluster_config as cc
from helmkit.ops import cluster as ops

# One xdist worker runs every e2e test: the session cluster is shared and stopped once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_up_noop_down_leaves_no_process(cluster_paths: cc.ClusterPaths, tmp_path: Path) -> None:
    private = cc.ClusterPaths(cache_dir=tmp_path)
    private.bin_dir.symlink_to(cluster_paths.bin_dir)
    try:
        started = time.monotonic()
        assert ops.up(private) == [ops.Step.START, ops.Step.BOOTSTRAP]
        print(f"private cluster up to 3 nodes Ready in {time.monotonic() - started:.1f}s")
        assert ops.status(private).phase is ops.Phase.UP
        assert len(adapter.node_names(private)) == 3
        assert ops.up(private) == []
        pids = adapter.recorded_pids(private)
        assert set(pids) >= ops.COMPONENTS, pids
    finally:
        ops.down(private)
    assert not [name for name, pid in pids.items() if adapter.pid_alive(pid)]
    assert ops.status(private).phase is ops.Phase.DOWN
    assert ops.down(private) == []
