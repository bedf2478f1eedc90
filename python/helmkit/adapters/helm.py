"""The only place that runs helm: argv lists from `helmkit.core.helm.argv`, never a shell.

Errors from stderr are mapped to typed exceptions; the argv is kept for messages, values are not
(values travel in files or `--set`, and `--set` values are masked before anything is printed).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helmkit.core.helm import argv as helm_argv
from helmkit.core.helm.argv import HelmVersion
from helmkit.core.values import secret_keys
from helmkit.errors import (
    EnvironmentProblem,
    HelmError,
    HelmTimeout,
    ReleaseNotFoundError,
    ReleasePendingError,
)

# A helm call that is not a release (template, lint, history, get, version) takes seconds; one
# that has not returned after this waits on something that will not answer. Releases and
# rollbacks pass their own bound, derived from helm's --timeout.
DEFAULT_TIMEOUT_S = 120.0
TIMEOUT_SETTING = "HELMKIT_HELM_TIMEOUT"


def default_timeout() -> float:
    """HELMKIT_HELM_TIMEOUT (a Go duration such as 5m, or seconds), else DEFAULT_TIMEOUT_S."""
    from helmkit.core.release.meta import parse_duration

    explicit = os.environ.get(TIMEOUT_SETTING, "").strip()
    if not explicit:
        return DEFAULT_TIMEOUT_S
    if explicit.replace(".", "", 1).isdigit():
        return float(explicit)
    return parse_duration(explicit)  # a UsageError naming the text when it is no duration


def default_cache_dir() -> Path:
    return Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native"))


def default_jobs() -> int:
    """HELMKIT_JOBS, else the CPUs this process may use."""
    explicit = os.environ.get("HELMKIT_JOBS", "")
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def find_helm() -> str:
    """HELMKIT_HELM, then the tool cache's helm (Helm 4), then helm on PATH."""
    explicit = os.environ.get("HELMKIT_HELM")
    if explicit:
        return explicit
    cached = default_cache_dir() / "bin" / "helm"
    if cached.exists():
        return str(cached)
    on_path = shutil.which("helm")
    if on_path:
        return on_path
    raise EnvironmentProblem(
        "helm was not found (looked at $HELMKIT_HELM, the tool cache and PATH)",
        hint="run scripts/bootstrap.sh to build Helm 4 and Helm 3 into ~/.cache/ai-native/bin",
    )


def mask_argv(argv: Sequence[str]) -> list[str]:
    """Hide the value part of every --set* flag so secrets never reach a message."""
    masked: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            key = arg.split("=", 1)[0]
            masked.append(f"{key}=***")
            hide_next = False
            continue
        hide_next = arg in ("--set", "--set-string", "--set-file", "--set-json", "--set-literal")
        masked.append(arg)
    return masked


def _typed_error(argv: list[str], returncode: int, stderr: str) -> HelmError:
    shown = mask_argv(argv)
    stderr = secret_keys.hide_all(stderr, secret_keys.secret_set_values(argv))
    if "another operation (install/upgrade/rollback) is in progress" in stderr:
        return ReleasePendingError(
            shown, returncode, stderr, hint="run `helmkit recover ENV` to recover the release"
        )
    if "release: not found" in stderr:
        return ReleaseNotFoundError(shown, returncode, stderr)
    return HelmError(shown, returncode, stderr)


@dataclass(frozen=True)
class HelmResult:
    stdout: str
    stderr: str
    returncode: int = 0


@dataclass
class Helm:
    """A helm binary and its detected version; every helm call goes through `run`."""

    executable: str

    @classmethod
    def discover(cls, executable: str | None = None) -> Helm:
        return cls(executable or find_helm())

    def run(
        self,
        args: Sequence[str],
        *,
        timeout: float | None = None,
        env: dict[str, str] | None = None,
        check: bool = True,
        die_with_parent: bool = False,
    ) -> HelmResult:
        """Run helm; a non-zero exit raises a typed HelmError unless check=False, no answer
        within `timeout` (default: `default_timeout()`) raises HelmTimeout."""
        argv = [self.executable, *args]
        timeout = timeout if timeout is not None else default_timeout()
        try:
            proc = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                env={**os.environ, **helm_argv.go_env(args, os.environ), **(env or {})},
                preexec_fn=_die_with_parent() if die_with_parent else None,
            )
        except FileNotFoundError as exc:
            raise EnvironmentProblem(
                f"helm executable {self.executable!r} does not exist",
                hint="run scripts/bootstrap.sh or set HELMKIT_HELM",
            ) from exc
        except subprocess.TimeoutExpired as exc:  # subprocess.run has killed helm
            raise HelmTimeout(mask_argv(argv), timeout, TIMEOUT_SETTING) from exc
        if proc.returncode != 0 and check:
            raise _typed_error(argv, proc.returncode, proc.stderr)
        return HelmResult(proc.stdout, proc.stderr, proc.returncode)

    def run_many(
        self, argvs: Sequence[Sequence[str]], *, jobs: int | None = None
    ) -> list[HelmResult | HelmError]:
        """Run independent helm calls in parallel (one process each); results in input order.

        A failed call yields its HelmError in place instead of aborting the others, so a
        lint run can report every broken scenario at once.
        """
        workers = max(1, jobs or default_jobs())

        def one(argv: Sequence[str]) -> HelmResult | HelmError:
            try:
                return self.run(argv)
            except HelmError as exc:
                return exc

        if workers == 1 or len(argvs) <= 1:
            return [one(argv) for argv in argvs]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, argvs))

    @functools.cached_property
    def version(self) -> HelmVersion:
        """Detected once per binary: the answer is remembered by path, size and mtime in the
        tool cache, so a run does not pay a `helm version` process every time."""
        remembered = _remembered_versions()
        identity = self.identity()
        if identity in remembered:
            detected = helm_argv.parse_helm_version(remembered[identity])
        else:
            detected = helm_argv.parse_helm_version(self.run(helm_argv.version_argv()).stdout)
            _remember_version(identity, str(detected))
        helm_argv.check_supported(detected)
        return detected

    def identity(self) -> str:
        """Resolved path, size and mtime of the binary (empty when it cannot be read)."""
        real = os.path.realpath(self.executable)
        try:
            info = os.stat(real)
        except OSError:
            return ""
        return f"{real}:{info.st_size}:{info.st_mtime_ns}"


PR_SET_PDEATHSIG = 1


@functools.cache
def _die_with_parent() -> Callable[[], None] | None:
    """A function run in the child before exec that has Linux kill helm when helmkit dies: a
    SIGKILLed release must not leave a helm behind that keeps changing the release after the
    release lock expired. Looked up before any fork (nothing is imported in the child)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    return arm


def _versions_file() -> Path:
    return default_cache_dir() / "helmkit" / "helm-versions.json"


def _remembered_versions() -> dict[str, str]:
    try:
        data = json.loads(_versions_file().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _remember_version(identity: str, version: str) -> None:
    if not identity:
        return
    path = _versions_file()
    with contextlib.suppress(OSError):  # an unwritable cache only costs a process next time
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {**_remembered_versions(), identity: version}
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
