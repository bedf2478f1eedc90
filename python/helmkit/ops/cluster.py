"""Local cluster orchestration: look at what runs, plan the steps (pure), then act.

`up` on a running cluster is a no-op; a half-dead cluster (some processes gone, or an API server
that does not answer) is torn down and recreated; `down` checks every recorded pid is gone. The
real node (`helmkit.ops.real_node`) is one more step of `up`, checked before anything starts.
"""

from __future__ import annotations

import contextlib
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from helmkit.adapters import cluster as adapter
from helmkit.core.cluster import config as cc
from helmkit.core.cluster import real_node as rn
from helmkit.errors import EnvironmentProblem
from helmkit.ops import real_node as node

# kwokctl's binary runtime records one pid file per component.
COMPONENTS = frozenset(
    {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok-controller"}
)


class Phase(enum.Enum):
    DOWN = "down"
    UP = "up"
    BROKEN = "broken"
    # Running, but started from another config (new Stages, new versions): recreated by `up`.
    STALE = "stale"


class Step(enum.Enum):
    STOP = "stop the cluster and every recorded process"
    START = "start etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok"
    BOOTSTRAP = "create the fake nodes and the default StorageClass, wait for nodes Ready"
    NODE = (
        "start the real node: network namespace and veth, containerd, kubelet, kube-proxy, "
        "the NetworkPolicy enforcer, CoreDNS, metrics-server, Traefik, local-path-provisioner; "
        "wait for it Ready"
    )


@dataclass(frozen=True)
class ClusterStatus:
    phase: Phase
    pids: dict[str, int] = field(default_factory=dict)
    dead: tuple[str, ...] = ()
    kubeconfig: str = ""
    # The real node: every component running, or something of it left on the machine.
    node_running: bool = False
    node_leftovers: bool = False


@dataclass(frozen=True)
class NodeState:
    """The real node's recorded and alive pids, and whether anything of it exists at all."""

    recorded: dict[str, int] = field(default_factory=dict)
    alive: dict[str, int] = field(default_factory=dict)
    leftovers: bool = False


def classify(
    state: adapter.ProcessState,
    kubeconfig: str,
    *,
    config_current: bool = True,
    node_state: NodeState | None = None,
) -> ClusterStatus:
    ns = node_state or NodeState()
    node_dead = set(ns.recorded) - set(ns.alive)
    dead = tuple(sorted((set(state.recorded) - set(state.alive)) | node_dead))
    if not state.recorded:
        phase = Phase.DOWN
    elif not state.alive:
        # Pid files of a cluster whose processes all died (e.g. a reboot): nothing runs.
        phase = Phase.BROKEN
    elif set(state.alive) >= COMPONENTS and state.apiserver_ready and not node_dead:
        phase = Phase.UP if config_current else Phase.STALE
    else:
        phase = Phase.BROKEN
    return ClusterStatus(
        phase=phase,
        pids={**state.alive, **ns.alive},
        dead=dead,
        kubeconfig=kubeconfig,
        node_running=bool(ns.recorded) and set(ns.alive) >= set(rn.COMPONENTS),
        node_leftovers=ns.leftovers,
    )


def plan_up(status: ClusterStatus, *, real_node: bool = False) -> list[Step]:
    node_step = [Step.NODE] if real_node else []
    if status.phase is Phase.UP and (status.node_running or not status.node_leftovers):
        return node_step if real_node and not status.node_running else []
    # A node only partly there (an older layout, a failed start) is recreated with the rest.
    if status.phase is not Phase.DOWN or status.node_leftovers:
        return [Step.STOP, Step.START, Step.BOOTSTRAP, *node_step]
    return [Step.START, Step.BOOTSTRAP, *node_step]


def plan_down(status: ClusterStatus) -> list[Step]:
    return [] if status.phase is Phase.DOWN and not status.node_leftovers else [Step.STOP]


def desired_config(paths: cc.ClusterPaths) -> str:
    return cc.kwokctl_config(
        paths, adapter.kube_version(paths), adapter.stages_yaml(), rn.node_link(paths)
    )


def status(paths: cc.ClusterPaths | None = None) -> ClusterStatus:
    paths = paths or adapter.default_paths()
    state = adapter.process_state(paths)
    current = True
    if state.alive and not adapter.missing_binaries(paths):
        current = adapter.read_config(paths) == desired_config(paths)
    recorded, alive = node.alive(paths)
    node_state = NodeState(recorded=recorded, alive=alive, leftovers=node.leftovers(paths))
    return classify(state, str(paths.kubeconfig), config_current=current, node_state=node_state)


def node_health(paths: cc.ClusterPaths | None = None) -> list[node.Check]:
    return node.health(paths or adapter.default_paths())


def env_line(paths: cc.ClusterPaths | None = None) -> str:
    return cc.env_line(paths or adapter.default_paths())


Echo = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def up(
    paths: cc.ClusterPaths | None = None,
    *,
    nodes: int = 3,
    real_node: bool = True,
    dry_run: bool = False,
    echo: Echo = _quiet,
) -> list[Step]:
    """Start what is missing. With real_node, a machine that cannot run it is refused before
    anything starts, with every reason and the kwok-only alternative."""
    paths = paths or adapter.default_paths()
    if dry_run:
        steps = plan_up(status(paths), real_node=real_node)
        if Step.NODE in steps:
            node.preflight(paths)
        return _announce(steps, echo)
    adapter.require_binaries(paths)
    with adapter.lock(paths):
        steps = plan_up(status(paths), real_node=real_node)
        if Step.NODE in steps:
            node.preflight(paths)
        _announce(steps, echo)
        _execute_up(paths, steps, nodes, echo)
    return steps


def _announce(steps: list[Step], echo: Echo) -> list[Step]:
    for step in steps:
        echo(f"plan: {step.value}")
    return steps


def _execute_up(paths: cc.ClusterPaths, steps: list[Step], nodes: int, echo: Echo) -> None:
    if not steps:
        return
    started = time.monotonic()
    for step in steps:
        if step is Step.STOP:
            _stop(paths)
        elif step is Step.START:
            adapter.write_config(paths, desired_config(paths))
            adapter.create_cluster(paths)
        elif step is Step.BOOTSTRAP:
            adapter.apply(paths, cc.bootstrap_manifests(cc.default_nodes(nodes)))
            adapter.wait_nodes_ready(paths)
        elif step is Step.NODE:
            node.start(paths, echo)
    echo(f"cluster up in {time.monotonic() - started:.1f}s; {cc.env_line(paths)}")


def down(
    paths: cc.ClusterPaths | None = None, *, dry_run: bool = False, echo: Echo = _quiet
) -> list[Step]:
    paths = paths or adapter.default_paths()
    if dry_run:
        return _announce(plan_down(status(paths)), echo)
    with adapter.lock(paths):
        steps = _announce(plan_down(status(paths)), echo)
        if steps:
            _stop(paths)
            echo("cluster down; no process left")
    return steps


def _stop(paths: cc.ClusterPaths) -> None:
    # The node first: its kubelet tears its pods down through the API server.
    node.stop(paths, apiserver_up=adapter.apiserver_ready(paths))
    before = adapter.recorded_pids(paths)
    if paths.cluster_dir.exists():
        # A failing delete is not fatal: the pids below are ours and are stopped directly.
        with contextlib.suppress(adapter.ClusterError):
            adapter.delete_cluster(paths)
    leftover = adapter.terminate({n: p for n, p in before.items() if adapter.pid_alive(p)})
    adapter.remove_cluster_dir(paths)
    if leftover:
        raise EnvironmentProblem(
            f"processes of the local cluster survived SIGKILL: {leftover}",
            hint="check them with `ps -p PID`; they may belong to another user",
        )
