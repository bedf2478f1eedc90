"""kubectl and helm for the e2e tests: argv lists against the local cluster's kubeconfig."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Kube:
    kubectl_bin: Path
    kubeconfig: Path

    def run(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        argv = [str(self.kubectl_bin), "--kubeconfig", str(self.kubeconfig), *args]
        proc = subprocess.run(
            argv, input=stdin, capture_output=True, text=True, timeout=120, check=False
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "-o", "json").stdout)

    def items(self, kind: str, namespace: str, selector: str = "") -> list[dict[str, Any]]:
        args = ["get", kind, "-n", namespace]
        if selector:
            args += ["-l", selector]
        return list(self.json(*args)["items"])

    def apply(
        self, manifest: str, namespace: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return self.run("apply", "-n", namespace, "-f", "-", stdin=manifest, check=check)


@dataclass(frozen=True)
class Helm:
    """One Helm major version; `wait` is its spelling of "wait for everything"."""

    name: str
    binary: Path
    wait: tuple[str, ...]
    env: dict[str, str]
    kubeconfig: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.binary), "--kubeconfig", str(self.kubeconfig), *args]
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=300, env=self.env, check=False
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
        return proc


def wait_for(what: str, probe: Callable[[], T | None], timeout_s: float = 60.0) -> T:
    """Poll until probe returns something truthy; the assertion names what never happened."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what} (last: {last!r})")


def condition(obj: dict[str, Any], kind: str) -> str:
    for cond in obj.get("status", {}).get("conditions") or []:
        if cond.get("type") == kind:
            return str(cond.get("status"))
    return ""
