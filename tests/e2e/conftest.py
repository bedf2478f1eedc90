"""e2e harness: one local control plane per session, one restricted namespace per test.

The cluster is started once (or reused when already up) and stopped at the end only if this
session started it. Missing binaries are a failure with the build command, never a skip. When a
test fails, the namespace's events and object states are printed before it is deleted.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_kube import Helm, Kube, wait_for

from helmkit.adapters import cluster as adapter
from helmkit.core.cluster import config as cc
from helmkit.ops import cluster as ops

REPO = Path(__file__).resolve().parents[2]
PSA_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
}
HELM_WAIT = {"helm4": ("--wait=watcher", "--wait-for-jobs"), "helm3": ("--wait", "--wait-for-jobs")}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One xdist worker owns the e2e tests (so one session starts and stops the cluster); the
    # modules also say so in `pytestmark`, this catches e2e test files that forget it.
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def cluster_paths() -> Iterator[cc.ClusterPaths]:
    paths = adapter.default_paths()
    missing = adapter.missing_binaries(paths)
    if missing:
        pytest.fail(
            f"local control plane binaries missing in {paths.bin_dir}: {', '.join(missing)}\n"
            f"build them (cached; about 10-30 min cold): {REPO / cc.BUILD_COMMAND}",
            pytrace=False,
        )
    started = ops.up(paths, echo=print)
    yield paths
    if started and not os.environ.get("HELMKIT_E2E_KEEP_CLUSTER"):
        ops.down(paths, echo=print)


@pytest.fixture(scope="session")
def kube(cluster_paths: cc.ClusterPaths) -> Kube:
    return Kube(cluster_paths.binary("kubectl"), cluster_paths.kubeconfig)


@pytest.fixture
def namespace(request: pytest.FixtureRequest, kube: Kube) -> Iterator[str]:
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    name = f"{base}-{secrets.token_hex(3)}"
    labels = "\n".join(f"    {k}: {v}" for k, v in PSA_LABELS.items())
    kube.run(
        "apply",
        "-f",
        "-",
        stdin=f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n{labels}\n",
    )
    # Bare pods race the ServiceAccount controller in a brand-new namespace.
    wait_for(
        "default ServiceAccount",
        lambda: kube.run("get", "sa", "default", "-n", name, check=False).returncode == 0,
    )
    yield name
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(dump_namespace(kube, name))
    kube.run("delete", "namespace", name, "--wait=false", check=False)


def dump_namespace(kube: Kube, namespace: str) -> str:
    """Events and the state of every object: what someone needs to see why a test failed."""
    parts = [f"===== namespace {namespace} ====="]
    for args in (
        ("get", "all,pvc,pv,secrets,jobs", "-n", namespace, "-o", "wide"),
        ("get", "events", "-n", namespace, "--sort-by=.lastTimestamp"),
        (
            "get", "pods", "-n", namespace, "-o",
            "custom-columns=NAME:.metadata.name,PHASE:.status.phase,NODE:.spec.nodeName,"
            "READY:.status.conditions[?(@.type=='Ready')].status,"
            "REASON:.status.containerStatuses[*].state.*.reason",
        ),
    ):  # fmt: skip
        proc = kube.run(*args, check=False)
        parts.append(f"$ kubectl {' '.join(args)}\n{proc.stdout}{proc.stderr}")
    return "\n".join(parts)


@pytest.fixture(params=sorted(HELM_WAIT), ids=lambda name: str(name))
def helm(request: pytest.FixtureRequest, cluster_paths: cc.ClusterPaths, tmp_path: Path) -> Helm:
    name = str(request.param)
    binary = cluster_paths.bin_dir / name
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} missing; build it: {REPO / 'scripts/build-helm.sh'}", pytrace=False)
    return isolated_helm(name, cluster_paths, tmp_path)


def isolated_helm(name: str, paths: cc.ClusterPaths, home: Path) -> Helm:
    """The cluster's helm `name` with its cache, config and data under `home` (no repository
    or plugin of the machine's user leaks in)."""
    env = dict(os.environ)
    for key in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        env[key] = str(home / key.lower())
    return Helm(name, paths.bin_dir / name, HELM_WAIT[name], env, paths.kubeconfig)
