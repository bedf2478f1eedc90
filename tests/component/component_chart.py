"""The chart as the cluster gets it: `helm template` with the real helm, objects by kind/name.

Component tests take SQL, scripts and redis.conf from the rendered manifests, never from the
source files, so a template that drops or mangles them fails here.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from helmkit.adapters.helm import Helm
from helmkit.core.helm.argv import template_argv
from helmkit.errors import HelmkitError

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART = REPO_ROOT / "charts" / "ai-native"
RELEASE = "ai-native"
NAMESPACE = "ai-native-staging"

Manifest = dict[str, Any]


@functools.lru_cache(maxsize=16)
def _render(set_values: tuple[str, ...]) -> tuple[Manifest, ...]:
    try:
        helm = Helm.discover()
        out = helm.run(
            template_argv(RELEASE, str(CHART), namespace=NAMESPACE, set_values=set_values)
        )
    except HelmkitError as exc:
        pytest.fail(f"helm template {' '.join(set_values)} failed: {exc}")
    return tuple(doc for doc in yaml.safe_load_all(out.stdout) if doc)


def render(*set_values: str) -> tuple[Manifest, ...]:
    """Every object of `helm template ai-native charts/ai-native --set ...`."""
    return _render(tuple(set_values))


def find(manifests: tuple[Manifest, ...], kind: str, name: str) -> Manifest:
    for doc in manifests:
        if doc.get("kind") == kind and doc["metadata"]["name"] == name:
            return doc
    present = sorted(f"{d.get('kind')}/{d['metadata']['name']}" for d in manifests)
    pytest.fail(f"{kind}/{name} not rendered; rendered objects: {present}")


def find_prefixed(manifests: tuple[Manifest, ...], kind: str, prefix: str) -> Manifest:
    """The one object of `kind` whose name starts with `prefix` (names that carry a hash)."""
    hits = [
        d for d in manifests if d.get("kind") == kind and d["metadata"]["name"].startswith(prefix)
    ]
    if len(hits) != 1:
        pytest.fail(
            f"expected one {kind} named {prefix}*, found {[d['metadata']['name'] for d in hits]}"
        )
    return hits[0]


def configmap_data(manifests: tuple[Manifest, ...], name: str) -> dict[str, str]:
    data = find(manifests, "ConfigMap", name).get("data") or {}
    return {str(k): str(v) for k, v in data.items()}


def write_files(data: Mapping[str, str], directory: Path) -> Path:
    """Materialise ConfigMap data like a volume mount does: one file per key."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, text in data.items():
        (directory / key).write_text(text)
    return directory


def container_env(pod_spec: Manifest, container: str) -> dict[str, Any]:
    for c in pod_spec.get("containers", []):
        if c["name"] == container:
            return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}
    pytest.fail(f"container {container} not in pod spec")


def run_script(
    script: Path, *args: str, env: Mapping[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a chart script with /bin/sh like the pod does, with a libpq environment."""
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", **env}
    proc = subprocess.run(
        ["sh", str(script), *args], env=full_env, capture_output=True, text=True, check=False
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"{script.name} {' '.join(args)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc
