"""The local control plane on this machine: kwokctl, kubectl and the pid files they leave.

Every process runs from an argv list (never a shell) through `_run`. kwokctl starts etcd,
kube-apiserver, kube-controller-manager, kube-scheduler and kwok as detached processes and records
their pids under the cluster directory; those pid files are how we tell "up" from "down" and how
`down` proves that nothing is left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from helmkit.core.cluster import config as cc
from helmkit.errors import EnvironmentProblem, HelmkitError


class ClusterError(HelmkitError):
    """kwokctl or kubectl failed while starting, stopping or preparing the local cluster."""

    def __init__(self, argv: list[str], returncode: int, stderr: str, *, hint: str = "") -> None:
        tail = "\n".join(stderr.strip().splitlines()[-20:])
        super().__init__(f"`{' '.join(argv)}` failed (exit {returncode}):\n{tail}", hint=hint)
        self.argv = argv
        self.returncode = returncode


def default_paths() -> cc.ClusterPaths:
    cache = os.environ.get("AI_NATIVE_CACHE") or str(Path.home() / ".cache" / "ai-native")
    return cc.ClusterPaths(cache_dir=Path(cache))


def missing_binaries(paths: cc.ClusterPaths) -> list[str]:
    return [name for name in cc.BINARIES if not os.access(paths.binary(name), os.X_OK)]


def require_binaries(paths: cc.ClusterPaths) -> None:
    missing = missing_binaries(paths)
    if missing:
        raise EnvironmentProblem(
            f"control plane binaries missing in {paths.bin_dir}: {', '.join(missing)}",
            hint=f"build them once (cached; about 10-30 min cold): {cc.BUILD_COMMAND}",
        )


def _run(
    argv: list[str],
    paths: cc.ClusterPaths,
    *,
    stdin: str | None = None,
    timeout_s: float = 300.0,
    hint: str = "",
) -> str:
    env = cc.kwokctl_env(paths, dict(os.environ))
    try:
        proc = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ClusterError(argv, -1, f"timed out after {timeout_s:.0f}s", hint=hint) from exc
    except OSError as exc:
        raise ClusterError(argv, -1, str(exc), hint=hint) from exc
    if proc.returncode != 0:
        raise ClusterError(argv, proc.returncode, proc.stderr or proc.stdout, hint=hint)
    return proc.stdout


def kube_version(paths: cc.ClusterPaths) -> str:
    """The version the built kube-apiserver reports, e.g. '1.35.4'."""
    out = _run([str(paths.binary("kube-apiserver")), "--version"], paths, timeout_s=30)
    match = re.search(r"v(\d+\.\d+\.\d+)", out)
    if not match:
        raise EnvironmentProblem(
            f"kube-apiserver --version printed {out.strip()!r}, not a release version",
            hint=f"rebuild it: {cc.BUILD_COMMAND}",
        )
    return match.group(1)


def stages_yaml() -> str:
    return (resources.files("helmkit") / "data" / "kwok" / "stages.yaml").read_text("utf-8")


def read_config(paths: cc.ClusterPaths) -> str:
    try:
        return paths.config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def write_config(paths: cc.ClusterPaths, text: str) -> None:
    paths.root.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def lock(paths: cc.ClusterPaths) -> Iterator[None]:
    """One up/down at a time per cache dir (parallel test workers share one cluster)."""
    paths.root.mkdir(parents=True, exist_ok=True)
    with (paths.root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- processes ---------------------------------------------------------------------------------


def recorded_pids(paths: cc.ClusterPaths) -> dict[str, int]:
    """component -> pid, from kwokctl's pid files (empty when the cluster never started)."""
    pids: dict[str, int] = {}
    if not paths.pid_dir.is_dir():
        return pids
    for pid_file in sorted(paths.pid_dir.glob("*.pid")):
        text = pid_file.read_text(encoding="utf-8").strip()
        if text.isdigit():
            pids[pid_file.stem] = int(text)
    return pids


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it is gone for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text(encoding="utf-8").split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def alive_pids(paths: cc.ClusterPaths) -> dict[str, int]:
    return {name: pid for name, pid in recorded_pids(paths).items() if pid_alive(pid)}


def terminate(pids: dict[str, int], grace_s: float = 10.0) -> dict[str, int]:
    """SIGTERM the given pids (ours: read from our own pid files), SIGKILL what outlives the
    grace period; returns the ones still alive after that."""
    for pid in pids.values():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids.values()):
        time.sleep(0.2)
    for pid in pids.values():
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    return {name: pid for name, pid in pids.items() if pid_alive(pid)}


# --- kwokctl and kubectl -----------------------------------------------------------------------


def create_cluster(paths: cc.ClusterPaths) -> None:
    paths.workdir.mkdir(parents=True, exist_ok=True)
    _run(
        cc.create_argv(paths),
        paths,
        timeout_s=300,
        hint=f"logs: {paths.cluster_dir / 'logs'}; clean up with `helmkit cluster down`",
    )


def delete_cluster(paths: cc.ClusterPaths) -> None:
    _run(cc.delete_argv(paths), paths, timeout_s=120)


def remove_cluster_dir(paths: cc.ClusterPaths) -> None:
    """What a failed `kwokctl delete` leaves (PKI, pid files) would block the next create."""
    shutil.rmtree(paths.cluster_dir, ignore_errors=True)


def apiserver_ready(paths: cc.ClusterPaths) -> bool:
    if not paths.kubeconfig.exists():
        return False
    try:
        out = _run(cc.kubectl_argv(paths, "get", "--raw", "/readyz"), paths, timeout_s=15)
    except ClusterError:
        return False
    return out.strip() == "ok"


def kubectl(paths: cc.ClusterPaths, *args: str, stdin: str | None = None) -> str:
    return _run(cc.kubectl_argv(paths, *args), paths, stdin=stdin, timeout_s=180)


def apply(paths: cc.ClusterPaths, manifests: str) -> None:
    kubectl(paths, "apply", "-f", "-", stdin=manifests)


def apply_server_side(paths: cc.ClusterPaths, manifest: Path) -> None:
    """Server-side apply: CRDs too large for the last-applied annotation of a client-side apply
    (the Gateway API's HTTPRoute CRD is over 256 KiB)."""
    kubectl(paths, "apply", "--server-side", "--force-conflicts", "-f", str(manifest))


def wait_nodes_ready(paths: cc.ClusterPaths, timeout_s: int = 60) -> None:
    kubectl(paths, "wait", "--for=condition=Ready", "node", "--all", f"--timeout={timeout_s}s")


def node_names(paths: cc.ClusterPaths) -> list[str]:
    out = kubectl(paths, "get", "nodes", "-o", "name")
    return [line.split("/", 1)[1] for line in out.split() if "/" in line]


@dataclass(frozen=True)
class ProcessState:
    """What is running right now, from pid files and the API server."""

    recorded: dict[str, int]
    alive: dict[str, int]
    apiserver_ready: bool


def process_state(paths: cc.ClusterPaths) -> ProcessState:
    recorded = recorded_pids(paths)
    alive = {name: pid for name, pid in recorded.items() if pid_alive(pid)}
    ready = bool(alive) and apiserver_ready(paths)
    return ProcessState(recorded=recorded, alive=alive, apiserver_ready=ready)
