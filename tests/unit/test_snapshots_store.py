"""Snapshot normalisation, file round trip and per-object diffs."""

from __future__ import annotations

from pathlib import Path

from helmkit.core.model.manifests import parse_manifests
from helmkit.core.render import snapshots

RENDER = """\
---
# Source: demo/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: s
  labels: {helm.sh/chart: demo-0.1.0}
data:
  PASSWORD: c2VjcmV0
---
# Source: demo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    metadata:
      annotations: {checksum/secret: abc123}
      labels: {helm.sh/chart: demo-0.1.0-rc.1}
"""


def test_normalisation_masks_secrets_checksums_and_chart_versions() -> None:
    objs = snapshots.to_snapshot(parse_manifests(RENDER))
    assert [o.key for o in objs] == ["Deployment/web", "Secret/s"]  # sorted by kind
    text = snapshots.render_file("default", objs)
    assert "c2VjcmV0" not in text and "abc123" not in text and "0.1.0" not in text
    assert "PASSWORD: <masked>" in text
    assert "checksum/secret: <masked>" in text
    assert "helm.sh/chart: demo-<masked>" in text


def test_round_trip_has_no_diff() -> None:
    objs = snapshots.to_snapshot(parse_manifests(RENDER))
    parsed = snapshots.parse_file(snapshots.render_file("default", objs))
    assert snapshots.diff(parsed, objs, "default") == []


def test_diff_per_changed_added_removed_object() -> None:
    old = snapshots.to_snapshot(parse_manifests(RENDER))
    new_render = RENDER.replace("replicas: 2", "replicas: 3").replace("name: s\n", "name: s2\n")
    new = snapshots.to_snapshot(parse_manifests(new_render))
    diffs = {d.key: d for d in snapshots.diff(old, new, "default")}
    assert {k: d.change for k, d in diffs.items()} == {
        "Deployment/web": "changed",
        "Secret/s": "removed",
        "Secret/s2": "added",
    }
    assert "-  replicas: 2\n+  replicas: 3\n" in diffs["Deployment/web"].diff
    assert diffs["Deployment/web"].diff.startswith("--- snapshot/default/Deployment/web")


def test_stale_files(tmp_path: Path) -> None:
    for name in ("default", "env-old"):
        (tmp_path / f"{name}.yaml").write_text(snapshots.render_file(name, []))
    (tmp_path / "mine.yaml").write_text("kind: ConfigMap\n")  # not written by helmkit: kept
    assert snapshots.stale_files(tmp_path, ["default"]) == [tmp_path / "env-old.yaml"]
    assert snapshots.stale_files(tmp_path / "absent", ["default"]) == []
