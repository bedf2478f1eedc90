"""Run the helmkit live verbs as a user would (a subprocess), against the local control plane,
with one helmkit.yaml per test whose environment points at the test's namespace."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from e2e_kube import Helm, Kube

from helmkit.core.cluster import real_node as rn

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "ai-native"
LOCAL_VALUES = REPO / "values" / "local.yaml"
RELEASE = "ai-native"
LEASE = f"helmkit-release-{RELEASE}"  # the release lock
SELECTOR = f"app.kubernetes.io/instance={RELEASE}"
FAIL_ANNOTATION = "kwok.ai-native.dev/fail"


@dataclass
class LiveCli:
    """helmkit with one Helm major version, one namespace and its own helmkit.yaml."""

    helm: Helm
    kube: Kube
    namespace: str
    workdir: Path
    outputs: list[str] = field(default_factory=list)

    def write_config(
        self, *, chart: Path = CHART, values: list[Path] | None = None, timeout: str = "3m"
    ) -> Path:
        config = {
            "chart": str(chart),
            "environments": {
                "e2e": {
                    "release": RELEASE,
                    "namespace": self.namespace,
                    "values": [str(v) for v in (values if values is not None else [LOCAL_VALUES])],
                    "kubeContext": "",
                    "timeout": timeout,
                }
            },
        }
        path = self.workdir / "helmkit.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        return path

    def env(self) -> dict[str, str]:
        return {
            **self.helm.env,
            "HELMKIT_HELM": str(self.helm.binary),
            "KUBECONFIG": str(self.kube.kubeconfig),
        }

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        argv = [
            sys.executable,
            "-m",
            "helmkit",
            *args,
            "--config",
            str(self.workdir / "helmkit.yaml"),
        ]
        proc = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
            env=self.env(),
            cwd=self.workdir,
            check=False,
        )
        self.outputs.append(proc.stdout + proc.stderr)
        return proc

    def ok(self, *args: str, code: int = 0) -> str:
        proc = self.run(*args)
        out = proc.stdout + proc.stderr
        assert (
            proc.returncode == code
        ), f"helmkit {' '.join(args)} exited {proc.returncode}, want {code}:\n{out}"
        return out

    def helm_history(self) -> list[dict[str, Any]]:
        proc = self.helm.run("history", RELEASE, "-n", self.namespace, "-o", "json", check=False)
        return json.loads(proc.stdout) if proc.returncode == 0 else []

    def secret_values(self) -> list[str]:
        """Decoded values of the release's own Secrets (not helm's storage): they must never
        appear in any output."""
        values: list[str] = []
        for secret in self.kube.items("secrets", self.namespace):
            if secret.get("type") == "helm.sh/release.v1":
                continue
            for encoded in (secret.get("data") or {}).values():
                text = base64.b64decode(encoded).decode("utf-8", "replace")
                if len(text) >= 6:  # short values (ports, "true") say nothing secret
                    values.append(text)
        return values


def fail_values(workdir: Path) -> Path:
    """Backend pods that never become Ready (the control plane's failure annotation)."""
    path = workdir / "fail.yaml"
    path.write_text(yaml.safe_dump({"backend": {"podAnnotations": {FAIL_ANNOTATION: "true"}}}))
    return path


def deployed_revision(history: list[dict[str, Any]]) -> int:
    deployed = [int(h["revision"]) for h in history if h["status"] == "deployed"]
    assert len(deployed) == 1, history
    return deployed[0]


def require_ingress_class(kube: Kube) -> None:
    """`helmkit cluster up` provides the IngressClass values/local.yaml names (its real node runs
    an ingress controller for it), so the tests declare nothing by hand: they fail loudly if it
    is missing."""
    kube.run("get", "ingressclass", rn.INGRESS_CLASS)


def lease(cli: LiveCli) -> dict[str, Any] | None:
    """The release lock's Lease in the test's namespace, None when there is none."""
    proc = cli.kube.run("get", "lease", LEASE, "-n", cli.namespace, "-o", "json", check=False)
    return json.loads(proc.stdout) if proc.returncode == 0 else None


def holder(cli: LiveCli) -> str:
    """Who holds the release lock ("" when nobody does, or there is no Lease)."""
    found = lease(cli)
    return str(((found or {}).get("spec") or {}).get("holderIdentity") or "")
