"""`helmkit cluster up --dry-run` on a machine that cannot run the real node: it says exactly
why (here: an empty cache, so no kubelet and no pause image) and offers the kwok-only cluster,
which plans without the node. Nothing is started."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helmkit.cli.main import cli


def test_dry_run_names_what_the_real_node_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AI_NATIVE_CACHE", str(tmp_path))
    result = CliRunner().invoke(cli, ["cluster", "up", "--dry-run"])
    assert result.exit_code == 2, result.output
    assert "this machine cannot run the real node:" in result.output
    assert "node binaries not built: kubelet, kube-proxy, coredns, metrics-server" in result.output
    assert f"no localhost/ai-native/pause image in {tmp_path}/images/index.json" in result.output
    assert "helmkit cluster up --no-real-node" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "cluster" / "node").exists()


def test_dry_run_without_the_real_node_plans_kwok_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AI_NATIVE_CACHE", str(tmp_path))
    result = CliRunner().invoke(cli, ["cluster", "up", "--dry-run", "--no-real-node"])
    assert result.exit_code == 0, result.output
    assert "plan: start etcd, kube-apiserver" in result.output
    assert "real node" not in result.output
