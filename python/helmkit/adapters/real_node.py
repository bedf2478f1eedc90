"""The real node's side effects: network namespace, cgroups, certificates, daemons, cleanup.

Every command runs from an argv list built in `helmkit.core.cluster.real_node` (never a shell).
Daemons are started detached with their pid recorded in the node's pid directory: that pid is the
daemon's own (nsenter execs), so `down` stops exactly what `up` started. Whatever `up` changes
outside the cache (host sysctls, directories the kubelet and containerd create on their own, the
/run/netns mount) is recorded in a state file so `down` can restore or remove it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from helmkit.adapters import cluster as cluster_adapter
from helmkit.core.cluster import real_node as rn
from helmkit.core.cluster.config import ClusterPaths
from helmkit.errors import EnvironmentProblem, HelmkitError

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CGROUP_MOUNT = Path("/sys/fs/cgroup")
MOUNTINFO = Path("/proc/self/mountinfo")


class NodeError(HelmkitError):
    """A step of the real node failed: names the command or the component and its log."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{env.get('PATH', '')}:{SYSTEM_PATH}"
    return env


def run(argv: list[str], *, timeout_s: float = 60.0, check: bool = True) -> str:
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, env=_env(), timeout=timeout_s, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NodeError(f"`{' '.join(argv)}` failed: {exc}") from exc
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise NodeError(f"`{' '.join(argv)}` failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


# --- facts -------------------------------------------------------------------------------------


def which(program: str) -> str | None:
    return shutil.which(program, path=_env()["PATH"])


def images_index_path(paths: ClusterPaths) -> Path:
    return paths.cache_dir / "images" / "index.json"


def images_index(paths: ClusterPaths) -> dict[str, str]:
    """image reference -> docker-archive path, written by scripts/build-images.sh."""
    try:
        data = json.loads(images_index_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if Path(str(v)).is_file()}


def _cgroup_mounts() -> list[tuple[Path, str, set[str]]]:
    """(mount point, filesystem type, options) of every cgroup v1 and cgroup2 mount."""
    found = []
    for line in MOUNTINFO.read_text(encoding="utf-8").splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) >= 5 and len(rfields) >= 3 and rfields[0] in ("cgroup", "cgroup2"):
            found.append((Path(fields[4]), rfields[0], set(rfields[2].split(","))))
    return found


def cgroup_v1_controllers() -> set[str]:
    return {opt for _, fstype, opts in _cgroup_mounts() if fstype == "cgroup" for opt in opts}


def cgroup_hierarchies() -> list[Path]:
    """The mount point of every cgroup hierarchy (v1 controllers, named ones, cgroup2)."""
    return sorted({point for point, _, _ in _cgroup_mounts()})


def host_facts(paths: ClusterPaths) -> rn.HostFacts:
    return rn.HostFacts(
        euid=os.geteuid(),
        cgroup_v1=tuple(c for c in rn.CGROUP_V1_CONTROLLERS if c in cgroup_v1_controllers()),
        missing_programs=tuple(p for p in rn.HOST_PROGRAMS if which(p) is None),
        missing_binaries=tuple(
            b for b in rn.NODE_BINARIES if not os.access(paths.binary(b), os.X_OK)
        ),
        missing_cni_plugins=tuple(
            p for p in rn.CNI_PLUGINS if not os.access(rn.CNI_DIR / p, os.X_OK)
        ),
        gateway_crds=gateway_crds(paths),
        pause_image=rn.pause_reference(images_index(paths)),
        images_index=images_index_path(paths),
        node_root=rn.node_paths(paths).root,
    )


def gateway_crds(paths: ClusterPaths) -> Path | None:
    """The Gateway API CRDs that scripts/build-ingress.sh writes beside the traefik binary (the
    version Traefik is built against), found through the binary's link into the tool cache."""
    crds = paths.binary("traefik").resolve().parent / rn.GATEWAY_CRDS_FILE
    return crds if crds.is_file() else None


def mountinfo() -> str:
    return MOUNTINFO.read_text(encoding="utf-8")


# --- host state (what `down` restores) ---------------------------------------------------------


def read_sysctl(key: str) -> str | None:
    try:
        return (Path("/proc/sys") / key.replace(".", "/")).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def write_sysctl(key: str, value: str) -> None:
    with contextlib.suppress(OSError):
        (Path("/proc/sys") / key.replace(".", "/")).write_text(value, encoding="utf-8")


# One record per machine, written by the first `up` while no node of ours runs and applied by
# the last `down`: with two clusters (the e2e lifecycle test starts a second one) a per-cluster
# record would capture the other kubelet's sysctls and its directories as the host's own. /run
# is emptied at boot, like the sysctls themselves.
HOST_RECORD = Path("/run/ai-native-host-state.json")


def other_nodes(net: rn.NodeNetwork) -> list[str]:
    """Network namespaces of other clusters' real nodes on this machine."""
    run_netns = Path("/run/netns")
    if not run_netns.is_dir():
        return []
    return sorted(p.name for p in run_netns.glob("ai-native-*") if p.name != net.netns)


def record_host_state(net: rn.NodeNetwork) -> None:
    """The host's sysctls and which outside directories exist, before any node of ours runs.
    An existing record (another node runs, or one crashed before `down`) is the truer one."""
    if HOST_RECORD.exists():
        return
    state = {
        "sysctls": {k: v for k in rn.KUBELET_SYSCTLS if (v := read_sysctl(k)) is not None},
        "existing_dirs": [str(d) for d in rn.OUTSIDE_DIRS if d.exists()],
        "netns_mounted": rn.is_mount_point(mountinfo(), Path("/run/netns")),
    }
    HOST_RECORD.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def read_host_state() -> dict[str, Any]:
    try:
        data = json.loads(HOST_RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def forget_host_state() -> None:
    with contextlib.suppress(OSError):
        HOST_RECORD.unlink()


# --- network -----------------------------------------------------------------------------------


def netns_exists(net: rn.NodeNetwork) -> bool:
    return net.netns_path.exists()


def link_exists(name: str) -> bool:
    return Path("/sys/class/net", name).exists()


def setup_network(net: rn.NodeNetwork) -> None:
    for argv in rn.network_setup_argv(net):
        run(argv)


def delete_network(net: rn.NodeNetwork) -> None:
    """Deleting the namespace takes the node's veth end, the bridge and its rules with it."""
    if netns_exists(net):
        run(["ip", "netns", "delete", net.netns], check=False)
    if link_exists(net.host_veth):
        run(["ip", "link", "delete", net.host_veth], check=False)


def release_netns_mount(state: dict[str, Any]) -> None:
    """`ip netns add` bind-mounts /run/netns on itself; undo it if that was ours and it is empty."""
    run_netns = Path("/run/netns")
    if state.get("netns_mounted", True) or not run_netns.is_dir() or any(run_netns.iterdir()):
        return
    if rn.is_mount_point(mountinfo(), run_netns):
        run(["umount", str(run_netns)], check=False)
    if str(run_netns) not in state.get("existing_dirs", []):
        with contextlib.suppress(OSError):
            run_netns.rmdir()


# --- cgroups -----------------------------------------------------------------------------------


def create_cgroup_root(net: rn.NodeNetwork) -> None:
    """The kubelet refuses a cgroupRoot that does not exist: create it in every v1 hierarchy,
    with cpuset.cpus/mems copied from the parent (a new cpuset cgroup starts empty)."""
    for point in cgroup_hierarchies():
        target = point / net.cgroup_root.lstrip("/")
        target.mkdir(exist_ok=True)
        for name in ("cpuset.cpus", "cpuset.mems"):
            src, dst = point / name, target / name
            if src.exists() and not dst.read_text(encoding="utf-8").strip():
                dst.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")


def remove_cgroups(net: rn.NodeNetwork) -> list[str]:
    """Remove our cgroup tree depth-first in every hierarchy; returns what could not go."""
    left = []
    for point in cgroup_hierarchies():
        top = point / net.cgroup_root.lstrip("/")
        if not top.is_dir():
            continue
        dirs = [Path(d) for d, _, _ in os.walk(top)]
        for directory in sorted(dirs, key=lambda d: -len(d.parts)):
            try:
                directory.rmdir()
            except OSError:
                left.append(str(directory))
    return left


def leftover_cgroups(net: rn.NodeNetwork) -> list[str]:
    tops = [point / net.cgroup_root.lstrip("/") for point in cgroup_hierarchies()]
    return [str(top) for top in tops if top.exists()]


# --- files -------------------------------------------------------------------------------------


def write_text(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def make_certs(np: rn.NodePaths, ca_cert: Path, ca_key: Path) -> None:
    np.pki.mkdir(parents=True, exist_ok=True)
    for cert in rn.NODE_CERTS:
        if (np.pki / f"{cert.stem}.crt").exists():
            continue
        for argv in rn.cert_argv(cert, np.pki, ca_cert, ca_key):
            run(argv)


# --- daemons -----------------------------------------------------------------------------------


def start_daemon(np: rn.NodePaths, component: str, argv: list[str]) -> int:
    """Start argv detached (own session, output to its log), record and return its pid."""
    np.pid_dir.mkdir(parents=True, exist_ok=True)
    np.log_dir.mkdir(parents=True, exist_ok=True)
    with np.log_file(component).open("ab") as log:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_env(),
            start_new_session=True,
            close_fds=True,
        )
    np.pid_file(component).write_text(f"{proc.pid}\n", encoding="utf-8")
    return proc.pid


def recorded_pids(np: rn.NodePaths) -> dict[str, int]:
    pids: dict[str, int] = {}
    for component in rn.COMPONENTS:
        with contextlib.suppress(OSError):
            text = np.pid_file(component).read_text(encoding="utf-8").strip()
            if text.isdigit():
                pids[component] = int(text)
    return pids


def stop_daemon(np: rn.NodePaths, component: str, grace_s: float = 10.0) -> None:
    pid = recorded_pids(np).get(component)
    if pid is not None and cluster_adapter.pid_alive(pid):
        left = cluster_adapter.terminate({component: pid}, grace_s=grace_s)
        if left:
            raise NodeError(f"{component} (pid {pid}) survived SIGKILL")
    with contextlib.suppress(OSError):
        np.pid_file(component).unlink()


def log_tail(np: rn.NodePaths, component: str, lines: int = 15) -> str:
    try:
        text = np.log_file(component).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def wait_until(what: str, probe: Any, np: rn.NodePaths, component: str, timeout_s: float) -> None:
    """Poll probe(); fail naming the component, its log and its last lines."""
    deadline = time.monotonic() + timeout_s
    pid = recorded_pids(np).get(component)
    while time.monotonic() < deadline:
        if probe():
            return
        if pid is not None and not cluster_adapter.pid_alive(pid):
            break
        time.sleep(0.2)
    raise NodeError(
        f"{what}: not ready after {timeout_s:.0f}s\n{log_tail(np, component)}",
        hint=f"full log: {np.log_file(component)}",
    )


def http_ok(url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # noqa: S310 (our own URL)
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def http_text(url: str, timeout_s: float = 2.0) -> str | None:
    """The body of a 200 answer, stripped; None for anything else."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # noqa: S310 (our own URL)
            body = resp.read().decode(errors="replace").strip()
            return body if resp.status == 200 else None
    except (urllib.error.URLError, OSError, ValueError):
        return None


def command_ok(argv: list[str]) -> bool:
    """Whether argv exits 0 (a check such as `iptables -C`)."""
    try:
        run(argv, timeout_s=10)
    except NodeError:
        return False
    return True


def containerd_ready(np: rn.NodePaths) -> bool:
    if not np.containerd_socket.exists():
        return False
    try:
        run(rn.ctr_argv(np, "version"), timeout_s=5)
    except NodeError:
        return False
    return True


def tcp_listening(host: str, port: int) -> bool:
    import socket

    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


# --- images ------------------------------------------------------------------------------------


def import_images(np: rn.NodePaths, index: dict[str, str]) -> list[str]:
    """Import every archive of the index whose references containerd lacks; returns them."""
    present = set(run(rn.ctr_argv(np, "images", "list", "--quiet"), timeout_s=30).split())
    archives = sorted({path for ref, path in index.items() if ref not in present})
    for archive in archives:
        run(rn.ctr_argv(np, "images", "import", archive), timeout_s=300)
    return archives


# --- teardown ----------------------------------------------------------------------------------


def remove_containers(np: rn.NodePaths) -> None:
    """Kill and delete every task and container containerd still has (the kubelet is stopped)."""
    for cid in run(rn.ctr_argv(np, "tasks", "list", "--quiet"), check=False).split():
        run(rn.ctr_argv(np, "tasks", "kill", "--signal", "SIGKILL", cid), check=False)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        tasks = run(rn.ctr_argv(np, "tasks", "list", "--quiet"), check=False).split()
        for cid in tasks:
            run(rn.ctr_argv(np, "tasks", "delete", "--force", cid), check=False)
        if not tasks:
            break
        time.sleep(0.3)
    for cid in run(rn.ctr_argv(np, "containers", "list", "--quiet"), check=False).split():
        run(rn.ctr_argv(np, "containers", "delete", cid), check=False)


def stray_processes(np: rn.NodePaths, net: rn.NodeNetwork) -> dict[int, str]:
    """Processes that are ours by construction: shims of our containerd (their argv names our
    socket) and anything still in our cgroup tree."""
    found: dict[int, str] = {}
    socket = str(np.containerd_socket)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cgroups = (proc / "cgroup").read_text(encoding="utf-8")
            if socket in argv or f":{net.cgroup_root}/" in cgroups:
                found[int(proc.name)] = argv.strip()[:120]
    found.pop(os.getpid(), None)
    return found


def kill_strays(np: rn.NodePaths, net: rn.NodeNetwork) -> dict[int, str]:
    strays = stray_processes(np, net)
    for pid in strays:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.3 if strays else 0)
    return {pid: argv for pid, argv in strays.items() if cluster_adapter.pid_alive(pid)}


def unmount_under(roots: tuple[Path, ...]) -> list[str]:
    """Unmount everything below roots, deepest first; returns what is still mounted."""
    for point in rn.mounts_under(mountinfo(), roots):
        run(["umount", point], check=False)
        if point in rn.mounts_under(mountinfo(), (Path(point),)):
            run(["umount", "--lazy", point], check=False)
    return rn.mounts_under(mountinfo(), roots)


def remove_outside_files(np: rn.NodePaths, net: rn.NodeNetwork) -> None:
    """What the kubelet and containerd wrote outside the cache for this node: its log links
    and CNI results."""
    logs = Path("/var/log/containers")
    if logs.is_dir():
        for link in logs.iterdir():
            with contextlib.suppress(OSError):
                if link.is_symlink() and os.readlink(link).startswith(f"{np.pod_logs}/"):
                    link.unlink()
    results = Path("/var/lib/cni/results")
    if results.is_dir():
        for item in results.glob(f"{net.cni_network}-*"):
            with contextlib.suppress(OSError):
                item.unlink()


def remove_outside_dirs(state: dict[str, Any]) -> None:
    """The directories that did not exist before the first `up`, once they are empty."""
    existing = set(state.get("existing_dirs", [str(d) for d in rn.OUTSIDE_DIRS]))
    for directory in sorted(rn.OUTSIDE_DIRS, key=lambda d: -len(d.parts)):
        if str(directory) in existing or directory == Path("/run/netns"):
            continue
        if directory == Path("/var/lib/kubelet/device-plugins"):
            # Only the kubelet's own socket and marker file live here.
            for item in (directory / "kubelet.sock", directory / "DEPRECATION"):
                with contextlib.suppress(OSError):
                    item.unlink()
        with contextlib.suppress(OSError):
            directory.rmdir()


def restore_sysctls(state: dict[str, Any]) -> None:
    for key, value in (state.get("sysctls") or {}).items():
        if read_sysctl(key) != value:
            write_sysctl(key, str(value))


def forget(np: rn.NodePaths) -> None:
    """Remove the node's private tree; refused while anything is still mounted below it."""
    still = rn.mounts_under(mountinfo(), (np.root,))
    if still:
        raise EnvironmentProblem(
            f"still mounted under {np.root}: {', '.join(still)}",
            hint="unmount them (umount -l PATH), then run `helmkit cluster down` again",
        )
    shutil.rmtree(np.root, ignore_errors=True)
