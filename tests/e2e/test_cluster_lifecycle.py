"""A second, private cluster (own cache dir, same binaries and images): `up` from nothing to every
node Ready (kwok and real), `up` again is a no-op, and `down` leaves nothing behind: no process,
mount, network namespace, veth or cgroup, the host firewall and sysctls as before (each checked,
and each first seen present while up, so the checks can fail). It never touches the shared
session cluster, which other tests or a running demo may be using."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_kube import wait_for
from e2e_node import host_firewall, on_real_node

from helmkit.adapters import cluster as adapter
from helmkit.adapters import real_node as node_adapter
from helmkit.core.cluster import config as cc
from helmkit.core.cluster import real_node as rn
from helmkit.ops import cluster as ops

# One xdist worker runs every e2e test: the session cluster is shared and stopped once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def traces(root: Path, net: rn.NodeNetwork) -> dict[str, list[str]]:
    """Everything of one cluster's real node that can outlive it on this machine."""
    mounts = rn.mounts_under(node_adapter.mountinfo(), (root,))
    processes = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                argv = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(root) in argv or net.netns in argv:
                processes.append(f"{proc.name}: {argv[:100]}")
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    return {
        "processes": processes,
        "mounts": mounts,
        "netns": [n for n in netns.stdout.split() if n == net.netns],
        "veth": [v for v in (net.host_veth,) if node_adapter.link_exists(v)],
        "cgroups": node_adapter.leftover_cgroups(net),
    }


def run_pause_pod(private: cc.ClusterPaths) -> None:
    """A pod on the real node, so `down` has a sandbox, its mounts and its veth to clear."""
    image = rn.pause_reference(node_adapter.images_index(private))
    adapter.apply(
        private,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: sleeper, namespace: default}\nspec:\n"
        + on_real_node(
            "  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
            f"  containers:\n  - name: pause\n    image: {image}\n    imagePullPolicy: Never\n"
            "    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n"
        ),
    )
    jsonpath = "jsonpath={.status.phase}"
    wait_for(
        "pause pod Running",
        lambda: adapter.kubectl(private, "get", "pod", "sleeper", "-o", jsonpath) == "Running",
    )


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """pytest's tmp_path is too deep for the kubelet's unix sockets (107 bytes at most)."""
    path = Path(tempfile.mkdtemp(prefix="an-", dir="/tmp"))
    yield path
    if not rn.mounts_under(node_adapter.mountinfo(), (path,)):
        shutil.rmtree(path, ignore_errors=True)


def test_up_noop_down_leaves_nothing_behind(
    cluster_paths: cc.ClusterPaths, short_tmp: Path
) -> None:
    tmp_path = short_tmp
    private = cc.ClusterPaths(cache_dir=tmp_path)
    private.bin_dir.symlink_to(cluster_paths.bin_dir)
    (tmp_path / "images").symlink_to(cluster_paths.cache_dir / "images")
    net = rn.node_network(private)
    firewall = host_firewall()
    sysctls = {k: node_adapter.read_sysctl(k) for k in rn.KUBELET_SYSCTLS}
    try:
        started = time.monotonic()
        assert ops.up(private) == [ops.Step.START, ops.Step.BOOTSTRAP, ops.Step.NODE]
        print(f"private cluster up to 4 nodes Ready in {time.monotonic() - started:.1f}s")
        st = ops.status(private)
        assert st.phase is ops.Phase.UP and st.node_running
        assert sorted(adapter.node_names(private)) == sorted(
            [n.name for n in cc.default_nodes()] + [rn.NODE_NAME]
        )
        assert ops.up(private) == []
        run_pause_pod(private)
        pids = {
            **adapter.recorded_pids(private),
            **node_adapter.recorded_pids(rn.node_paths(private)),
        }
        assert set(pids) >= ops.COMPONENTS | set(rn.COMPONENTS), pids
        while_up = traces(tmp_path, net)
        assert while_up["processes"] and while_up["netns"] and while_up["veth"], while_up
        assert while_up["cgroups"] and while_up["mounts"], while_up
        assert host_firewall() == firewall
    finally:
        ops.down(private)
    assert not [name for name, pid in pids.items() if adapter.pid_alive(pid)]
    assert traces(tmp_path, net) == {k: [] for k in while_up}
    assert host_firewall() == firewall
    assert {k: node_adapter.read_sysctl(k) for k in rn.KUBELET_SYSCTLS} == sysctls
    assert ops.status(private).phase is ops.Phase.DOWN
    assert ops.down(private) == []
