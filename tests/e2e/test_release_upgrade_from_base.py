"""Upgrade from the previous chart version (a git base) to the working tree with helmkit release:
no immutable-field error, volumes and Secret kept, every pod admitted under "restricted".

The base is HELMKIT_E2E_BASE when set (CI: the target branch), else the oldest commit whose
chart and values/local.yaml render with helm (the chart has only one released version so far).
It is exported with `git archive` into a temporary directory and installed with plain helm.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
from e2e_kube import Helm, Kube
from e2e_smoke import assert_admitted_under_restricted, digests
from live_cli import RELEASE, REPO, SELECTOR, LiveCli, deployed_revision, require_ingress_class

PATHS = ["charts/ai-native", "values/local.yaml"]
MAX_CANDIDATES = 30


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
    ).stdout


def export(commit: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, *PATHS],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def renders(helm: Helm, tree: Path) -> bool:
    proc = helm.run(
        "template", RELEASE, str(tree / PATHS[0]), "-f", str(tree / PATHS[1]), check=False
    )
    return proc.returncode == 0


def _files(root: Path) -> dict[Path, bytes]:
    if root.is_file():
        return {Path(): root.read_bytes()}
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def same_tree(tree: Path) -> bool:
    """The exported base holds exactly the working tree's chart and local values."""
    return all(_files(REPO / relative) == _files(tree / relative) for relative in PATHS)


def base_tree(helm: Helm, tmp: Path) -> tuple[str, Path]:
    explicit = os.environ.get("HELMKIT_E2E_BASE")
    if explicit:
        return explicit, export(explicit, tmp / "base")
    commits = git("log", "--reverse", "--format=%H", "--", *PATHS).split()[:MAX_CANDIDATES]
    for commit in commits:
        tree = tmp / f"base-{commit[:12]}"
        try:
            export(commit, tree)
        except subprocess.CalledProcessError:
            continue  # values/local.yaml not there yet
        if renders(helm, tree):
            return commit, tree
    pytest.fail(
        f"no commit among {len(commits)} renders charts/ai-native with values/local.yaml; "
        "set HELMKIT_E2E_BASE=<commit>",
        pytrace=False,
    )


def test_upgrade_from_git_base_to_working_tree(
    helm: Helm, kube: Kube, namespace: str, tmp_path: Path
) -> None:
    require_ingress_class(kube)
    commit, tree = base_tree(helm, tmp_path)
    print(f"base commit: {commit}")
    helm.run(
        "install",
        RELEASE,
        str(tree / PATHS[0]),
        "-n",
        namespace,
        "-f",
        str(tree / PATHS[1]),
        *helm.wait,
        "--timeout",
        "3m",
    )
    secrets = digests(kube, namespace, SELECTOR)
    volumes = {p["metadata"]["name"]: p["metadata"]["uid"] for p in kube.items("pvc", namespace)}

    cli = LiveCli(helm, kube, namespace, tmp_path)
    cli.write_config()
    out = cli.ok("release", "e2e", "--skip-tests")
    assert "field is immutable" not in out
    if same_tree(tree):
        # only when the base is the working tree itself (HELMKIT_E2E_BASE=HEAD, nothing changed)
        assert "no change: no new revision" in out, out
        assert [h["status"] for h in cli.helm_history()] == ["deployed"]
    else:
        assert "no change" not in out, out
        history = cli.helm_history()
        assert [h["status"] for h in history] == ["superseded", "deployed"], history
        assert deployed_revision(history) == 2
        after = helm.run("get", "manifest", RELEASE, "-n", namespace, "--revision", "2").stdout
        before = helm.run("get", "manifest", RELEASE, "-n", namespace, "--revision", "1").stdout
        assert after != before, "revision 2 must apply the working tree's chart"
    assert digests(kube, namespace, SELECTOR) == secrets
    assert {
        p["metadata"]["name"]: p["metadata"]["uid"] for p in kube.items("pvc", namespace)
    } == volumes
    assert_admitted_under_restricted(kube, namespace)
