"""The pytest plugin: fixtures on the real chart, and an inner pytest run for the snapshot
fixture and its --helmkit-update-snapshots option."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import DEMO, helm_path

from helmkit.pytest_plugin import Manifests, RenderChart


def test_render_chart_with_values(render_chart: RenderChart, helm_binary: str) -> None:
    manifests = render_chart({"backend": {"autoscaling": {"enabled": True}}})
    deployment = manifests.get("Deployment", "ai-native-backend")
    assert "replicas" not in deployment["spec"]
    assert manifests.has("HorizontalPodAutoscaler", "ai-native-backend")
    assert deployment.at("spec.template.spec.containers.0.name")


def test_render_chart_for_an_environment(render_chart: RenderChart) -> None:
    manifests = render_chart(env="staging")
    assert manifests.all("Deployment")
    assert all(
        d["metadata"]["namespace"] == "ai-native-staging"
        for d in manifests.all("Deployment")
        if "namespace" in d["metadata"]
    )


def test_missing_object_lists_what_exists(render_chart: RenderChart) -> None:
    manifests = render_chart()
    with pytest.raises(
        AssertionError,
        match=r"no Deployment/nope rendered; Deployment objects: .*ai-native-backend",
    ):
        manifests.get("Deployment", "nope")


def test_object_repr_is_yaml_for_assertion_messages(render_chart: RenderChart) -> None:
    deployment = render_chart().get("Deployment", "ai-native-backend")
    shown = repr(deployment)
    assert shown.startswith("\n# Deployment/ai-native-backend from ai-native/")
    assert "kind: Deployment" in shown
    with pytest.raises(AssertionError, match="has no 'spec.nope'"):
        deployment.at("spec.nope")
    assert isinstance(render_chart(), Manifests)


INNER = """
def test_snapshot(render_chart, helmkit_snapshot):
    helmkit_snapshot("plugin-default", render_chart())
"""


def test_snapshot_fixture_and_update_option(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER)
    snapshot = DEMO / "snapshots" / "plugin-default.yaml"
    config = tmp_path / "helmkit.yaml"
    config.write_text(
        (DEMO / "helmkit.yaml")
        .read_text()
        .replace("chart: chart", f"chart: {DEMO / 'chart'}")
        .replace("snapshotDir: snapshots", f"snapshotDir: {tmp_path / 'snaps'}")
        .replace("values/staging.yaml", str(DEMO / "values/staging.yaml"))
    )

    def inner(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--helmkit-config={config}",
                str(tmp_path / "test_inner.py"),
                *extra,
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
            env={
                "PATH": "/usr/bin:/bin",
                "HELMKIT_HELM": helm_path("helm4"),
                "HOME": str(Path.home()),
            },
        )

    missing = inner()
    assert missing.returncode == 1
    assert "run pytest --helmkit-update-snapshots" in missing.stdout
    assert inner("--helmkit-update-snapshots").returncode == 0
    assert (tmp_path / "snaps" / "plugin-default.yaml").is_file()
    assert inner().returncode == 0
    assert not snapshot.exists()
