"""Local cluster orchestration: look at what runs, plan the steps (pure), then act.

`up` on a running cluster is a no-op; a half-dead cluster (some processes gone, or an API server
that does not answer) is torn down and recreated; `down` checks every recorded pid is gone.
"""

from __future__ import annotations

import contextlib
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from helmkit.adapters import cluster as adapter
from helmkit.core import cluster_config as cc
from helmkit.errors import EnvironmentProblem

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


@dataclass(frozen=True)
class ClusterStatus:
    phase: Phase
    pids: dict[str, int] = field(default_factory=dict)
    dead: tuple[str, ...] = ()
    kubeconfig: str = ""


def classify(
    state: adapter.ProcessState, kubeconfig: str, *, config_current: bool = True
) -> ClusterStatus:
    dead = tuple(sorted(set(state.recorded) - set(state.alive)))
    if not state.recorded:
        phase = Phase.DOWN
    elif not state.alive:
        # Pid files of a cluster whose processes all died (e.g. a reboot): nothing runs.
        phase = Phase.BROKEN
    elif set(state.alive) >= COMPONENTS and state.apiserver_ready:
        phase = Phase.UP if config_current else Phase.STALE
    else:
        phase = Phase.BROKEN
    return ClusterStatus(phase=phase, pids=dict(state.alive), dead=dead, kubeconfig=kubeconfig)


def plan_up(status: ClusterStatus) -> list[Step]:
    if status.phase is Phase.UP:
        return []
    if status.phase in (Phase.BROKEN, Phase.STALE):
        return [Step.STOP, Step.START, Step.BOOTSTRAP]
    return [Step.START, Step.BOOTSTRAP]


def plan_down(status: ClusterStatus) -> list[Step]:
    return [] if status.phase is Phase.DOWN else [Step.STOP]


def desired_config(paths: cc.ClusterPaths) -> str:
    return cc.kwokctl_config(paths, adapter.kube_version(paths), adapter.stages_yaml())


def status(paths: cc.ClusterPaths | None = None) -> ClusterStatus:
    paths = paths or adapter.default_paths()
    state = adapter.process_state(paths)
    current = True
    if state.alive and not adapter.missing_binaries(paths):
        current = adapter.read_config(paths) == desired_config(paths)
    return classify(state, str(paths.kubeconfig), config_current=current)


def env_line(paths: cc.ClusterPaths | None = None) -> str:
    return cc.env_line(paths or adapter.default_paths())


Echo = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def up(
    paths: cc.ClusterPaths | None = None,
    *,
    nodes: int = 3,
    dry_run: bool = False,
    echo: Echo = _quiet,
) -> list[Step]:
    paths = paths or adapter.default_paths()
    if dry_run:
        return _announce(plan_up(status(paths)), echo)
    adapter.require_binaries(paths)
    with adapter.lock(paths):
        steps = _announce(plan_up(status(paths)), echo)
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
