"""Run the stand-in images of tests/images for real, without Kubernetes: runc and an OCI bundle.

`built_image(name)` builds the image through scripts/build-images.sh (cached by recipe hash) and
unpacks its layer once per archive into $AI_NATIVE_CACHE/images/rootfs/ (complete trees only).
`Container` starts the image's entrypoint with runc the way the chart's pods run it: the image's
Env, User and WorkingDir, a read-only root filesystem, no capabilities, no new privileges,
fresh host directories where the chart mounts emptyDirs, bind mounts for volumes. Network: a
private namespace that `netns()` creates (loopback, plus optionally a test address on a dummy
interface; nothing routes out of it), or the host's, where the test binds to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "build-images.sh"
CACHE = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native"))
IMAGES_CACHE = CACHE / "images"
REGISTRY = "localhost/ai-native"
FIXED_TAG = "stand-in"


@dataclass(frozen=True)
class Image:
    name: str
    archive: Path
    rootfs: Path
    config: dict[str, Any]

    @property
    def entrypoint(self) -> list[str]:
        return list(self.config.get("Entrypoint") or [])

    @property
    def cmd(self) -> list[str]:
        return list(self.config.get("Cmd") or [])

    @property
    def env(self) -> list[str]:
        return list(self.config.get("Env") or [])

    @property
    def user(self) -> str:
        return str(self.config.get("User") or "0")


def build_images(*names: str) -> dict[str, Path]:
    """Builds (or finds cached) the images; returns name -> archive from the index."""
    if os.geteuid() != 0:
        pytest.fail("building and running the stand-in images needs root (mmdebstrap, runc)")
    proc = subprocess.run(
        ["bash", str(BUILD_SCRIPT), *names], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        pytest.fail(f"scripts/build-images.sh {' '.join(names)} failed:\n{proc.stderr[-4000:]}")
    index = json.loads((IMAGES_CACHE / "index.json").read_text())
    return {name: Path(index[f"{REGISTRY}/{name}:{FIXED_TAG}"]) for name in names}


def _read_archive(archive: Path) -> tuple[dict[str, Any], str]:
    with tarfile.open(archive) as tar:
        [entry] = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        config = json.load(tar.extractfile(entry["Config"]))  # type: ignore[arg-type]
    [layer] = entry["Layers"]
    return config, layer


def _unpack(archive: Path, layer: str, dest: Path) -> None:
    """Extracts the layer into dest with numeric owners, via a temporary sibling and a rename."""
    if dest.is_dir():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}-"))
    work.chmod(0o755)  # a container's root, unless the layer says otherwise
    try:
        with tarfile.open(archive) as outer:
            layer_file = outer.extractfile(layer)
            with tarfile.open(fileobj=layer_file) as inner:
                inner.extractall(work, numeric_owner=True, filter="fully_trusted")
        try:
            work.rename(dest)
        except OSError:
            if not dest.is_dir():  # lost a race to another unpack of the same archive: fine
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def built_image(name: str) -> Image:
    archive = build_images(name)[name]
    config, layer = _read_archive(archive)
    rootfs = IMAGES_CACHE / "rootfs" / archive.stem
    _unpack(archive, layer, rootfs)
    # Unpacked builds whose archive the build script removed are superseded.
    for old in (IMAGES_CACHE / "rootfs").glob(f"{name}-{'?' * 16}"):
        if not (IMAGES_CACHE / f"{old.name}.tar").exists():
            shutil.rmtree(old, ignore_errors=True)
    return Image(name, archive, rootfs, config["config"])


@dataclass(frozen=True)
class Mount:
    """A bind mount of a host path at target; without a source, a fresh emptyDir-like one."""

    target: str
    source: Path | None = None
    read_only: bool = False


def _user(spec: str) -> dict[str, int]:
    uid, _, gid = spec.partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        raise ValueError(f"image User {spec!r}: the stand-in images use numeric uid[:gid]")
    return {"uid": int(uid), "gid": int(gid or uid)}


@contextlib.contextmanager
def netns(address: str | None = None) -> Iterator[str]:
    """A network namespace of our own: loopback up, and `address`/32 on an interface of its own
    if given (a non-loopback address, e.g. to exercise pg_hba's host rules). Deleted at exit."""
    name = f"ai-native-img-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        if address:
            # A veth pair with both ends inside (no dummy module on every kernel).
            for argv in (["link", "add", "test0", "type", "veth", "peer", "name", "test1"],
                         ["addr", "add", f"{address}/32", "dev", "test0"],
                         ["link", "set", "test1", "up"],
                         ["link", "set", "test0", "up"]):  # fmt: skip
                subprocess.run(["ip", "-n", name, *argv], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


def in_netns(name: str, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Runs a host program (curl, redis-cli) inside the namespace `name`."""
    return subprocess.run(["ip", "netns", "exec", name, *argv], capture_output=True, text=True,
                          check=False, timeout=timeout)  # fmt: skip


def oci_config(image: Image, args: Sequence[str], *, env: dict[str, str], uid: int | None,
               mounts: Sequence[Mount], network: str | None = None,
               capabilities: Sequence[str] = ()) -> dict[str, Any]:  # fmt: skip
    """An OCI runtime config shaped like a restricted pod's container."""
    user = _user(image.user)
    if uid is not None:
        user = {"uid": uid, "gid": uid}
    base_mounts: list[dict[str, Any]] = [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
    ]  # fmt: skip
    for mount in mounts:
        if mount.source is None:
            raise ValueError(f"mount {mount.target}: give a source (container() makes emptyDirs)")
        options = ["rbind", "ro" if mount.read_only else "rw"]
        base_mounts.append({"destination": mount.target, "type": "bind",
                            "source": str(mount.source), "options": options})  # fmt: skip
    merged_env = dict(item.split("=", 1) for item in image.env)
    merged_env.update(env)
    return {
        "ociVersion": "1.0.2",
        "root": {"path": str(image.rootfs), "readonly": True},
        "hostname": image.name,
        "process": {
            "terminal": False,
            "user": user,
            "args": list(args),
            "env": [f"{k}={v}" for k, v in merged_env.items()],
            "cwd": image.config.get("WorkingDir") or "/",
            # None by default, as `capabilities: {drop: [ALL]}` in the chart.
            "capabilities": {key: list(capabilities)
                             for key in ("bounding", "effective", "permitted")},  # fmt: skip
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "mounts": base_mounts,
        "linux": {
            "namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount")]
            + ([{"type": "network", "path": f"/run/netns/{network}"}] if network else []),
            "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                              "/proc/sysrq-trigger"],  # fmt: skip
        },
    }


@dataclass
class Container:
    """A detached runc container; its output goes to `log`."""

    image: Image
    id: str
    state_dir: Path
    bundle: Path
    log: Path
    stopped: bool = field(default=False)

    def runc(self, *argv: str, check: bool = True, timeout: float = 60,
             input_text: str | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
        return subprocess.run(
            ["runc", "--root", str(self.state_dir), *argv], capture_output=True, text=True,
            check=check, timeout=timeout, input=input_text,
        )  # fmt: skip

    def exec(self, *argv: str, uid: int | None = None, env: dict[str, str] | None = None,
             timeout: float = 60) -> subprocess.CompletedProcess[str]:  # fmt: skip
        """Runs argv inside the container (like `kubectl exec` or an exec probe)."""
        flags: list[str] = []
        if uid is not None:
            flags += ["--user", f"{uid}:{uid}"]
        for key, value in (env or {}).items():
            flags += ["--env", f"{key}={value}"]
        return self.runc("exec", *flags, self.id, *argv, check=False, timeout=timeout)

    def state(self) -> str:
        proc = self.runc("state", self.id, check=False)
        return str(json.loads(proc.stdout)["status"]) if proc.returncode == 0 else "gone"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state() != "running":
                pytest.fail(f"{self.image.name}: container exited before {what}:\n{self.output()}")
            if ready():
                return
            time.sleep(0.3)
        pytest.fail(f"{self.image.name}: no {what} within {timeout}s:\n{self.output()}")

    def stop(self, signal: str = "TERM", timeout: float = 30) -> str:
        """Signals the main process and waits until it exited; returns the container's output."""
        self.runc("kill", self.id, signal, check=False)
        deadline = time.monotonic() + timeout
        while self.state() == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        self.stopped = self.state() != "running"
        return self.output()


@contextlib.contextmanager
def container(image: Image, args: Sequence[str] | None = None, *, env: dict[str, str] | None = None,
              uid: int | None = None, mounts: Sequence[Mount] = (), network: str | None = None,
              command: Sequence[str] | None = None,
              capabilities: Sequence[str] = ()) -> Iterator[Container]:  # fmt: skip
    """Starts the image like a pod's container: `command` replaces the entrypoint, `args` the
    Cmd (both as in Kubernetes); `network` is a netns() name (default: the host's)."""
    if shutil.which("runc") is None:
        pytest.fail("runc not found; install the Debian package runc (scripts/bootstrap.sh debian)")
    if command is not None:
        argv = list(command) + list(args or [])
    else:
        argv = image.entrypoint + list(image.cmd if args is None else args)
    work = Path(tempfile.mkdtemp(prefix=f"ai-native-{image.name}-"))
    bundle = work / "bundle"
    bundle.mkdir()
    # emptyDirs: fresh host directories of mode 0777, as the kubelet makes them.
    resolved = []
    for index, mount in enumerate(mounts):
        if mount.source is not None:
            resolved.append(mount)
            continue
        empty_dir = work / f"empty-dir-{index}"
        empty_dir.mkdir()
        empty_dir.chmod(0o777)
        resolved.append(Mount(mount.target, empty_dir, mount.read_only))
    config = oci_config(image, argv, env=env or {}, uid=uid, mounts=resolved, network=network,
                        capabilities=capabilities)  # fmt: skip
    (bundle / "config.json").write_text(json.dumps(config))
    box = Container(image, f"ai-native-{image.name}-{uuid.uuid4().hex[:8]}", work / "runc",
                    bundle, work / "output.log")  # fmt: skip
    try:
        with box.log.open("wb") as log:
            started = subprocess.run(
                ["runc", "--root", str(box.state_dir), "run", "--detach", "--bundle",
                 str(bundle), box.id],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, check=False,
                timeout=60,
            )  # fmt: skip
        if started.returncode != 0:
            pytest.fail(f"runc run {image.name} failed:\n{box.output()}")
        yield box
    finally:
        box.runc("kill", box.id, "KILL", check=False)
        box.runc("delete", "--force", box.id, check=False)
        shutil.rmtree(work, ignore_errors=True)


def owned_dir(prefix: str, uid: int, mode: int = 0o700) -> Path:
    """A host directory for a volume, owned by uid like an fsGroup-adjusted pod volume."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chown(path, uid, uid)
    path.chmod(mode)
    return path
