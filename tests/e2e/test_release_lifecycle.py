"""helmkit release/history/verify/rollback/status/uninstall on the local control plane, with the
ai-native chart and values/local.yaml, under Helm 4 and Helm 3 (the `helm` fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_kube import Helm, Kube
from e2e_smoke import active_images, assert_admitted_under_restricted, digests
from live_cli import RELEASE, SELECTOR, LiveCli, deployed_revision, require_ingress_class

NEW_TAG = "1.0.1-e2e"


@pytest.fixture
def cli(helm: Helm, kube: Kube, namespace: str, tmp_path: Path) -> LiveCli:
    require_ingress_class(kube)
    live = LiveCli(helm, kube, namespace, tmp_path)
    live.write_config()
    return live


def backend_images(cli: LiveCli) -> set[str]:
    return active_images(cli.kube, cli.namespace, SELECTOR)["ai-native-backend"]


def test_install_noop_upgrade_history_rollback_verify_uninstall(cli: LiveCli) -> None:
    # dry run: the plan, and nothing on the cluster
    out = cli.ok("release", "e2e", "--dry-run")
    assert "plan: install release ai-native" in out and "dry run: stopped" in out
    assert cli.helm_history() == []

    out = cli.ok("release", "e2e")
    assert "released ai-native" in out and "revision 1 deployed" in out
    assert "verify:   helmkit verify e2e --revision 1" in out
    assert_admitted_under_restricted(cli.kube, cli.namespace)
    images_v1 = backend_images(cli)
    secrets_v1 = digests(cli.kube, cli.namespace, SELECTOR)
    pvcs = {p["metadata"]["name"] for p in cli.kube.items("pvc", cli.namespace)}
    assert pvcs, "the local values keep PostgreSQL and Redis data on volumes"

    # no-op: same inputs, no new revision
    out = cli.ok("release", "e2e", "--skip-tests")
    assert "no change: no new revision" in out
    assert len(cli.helm_history()) == 1

    # upgrade with a changed image
    out = cli.ok("release", "e2e", "--set", f"backend.image.tag={NEW_TAG}", "--skip-tests")
    assert f"ai-native-backend:1.0.0 -> ai-native-backend:{NEW_TAG}" in out
    assert deployed_revision(cli.helm_history()) == 2
    assert any(NEW_TAG in image for image in backend_images(cli))
    assert digests(cli.kube, cli.namespace, SELECTOR) == secrets_v1, "Secret changed on upgrade"

    # history: commands and provenance per revision
    rows = json.loads(cli.ok("history", "e2e", "--format", "json"))
    assert [r["revision"] for r in rows] == [1, 2]
    # revision 2 runs exactly revision 1's backend images with the new tag (and no others)
    assert "ai-native-backend:1.0.0" in rows[0]["images"]["backend"], rows[0]["images"]
    assert rows[1]["images"]["backend"] == [
        image.replace("ai-native-backend:1.0.0", f"ai-native-backend:{NEW_TAG}")
        for image in rows[0]["images"]["backend"]
    ], rows[1]["images"]
    assert rows[0]["rollbackCommand"].startswith(
        f"helm rollback {RELEASE} 1 --namespace {cli.namespace}"
    )
    assert rows[1]["verifyCommand"] == "helmkit verify e2e --revision 2"
    assert len(rows[1]["valuesDigest"]) == 32 and rows[1]["valuesDigest"] != rows[0]["valuesDigest"]
    assert rows[1]["gitCommit"], "the git commit is recorded on the release"
    # the same as the CI job summary shows it: newest first, each revision's commands as code
    summary = cli.ok("history", "e2e", "--format", "markdown").splitlines()
    table = [line for line in summary if line.startswith("| ")]
    assert table[2].startswith("| 2 | deployed |") and table[3].startswith("| 1 | superseded |")
    assert f"{rows[0]['rollbackCommand']}  # roll back to this revision" in summary
    assert "helmkit verify e2e --revision 2  # verify this revision" in summary

    # revision 1 no longer runs: verify says so; revision 2 does
    old = cli.run("verify", "e2e", "--revision", "1", "--skip-tests", "--format", "json")
    assert old.returncode == 1
    assert any(
        f["check"] == "revision" and f["severity"] == "error"
        for f in json.loads(old.stdout)["findings"]
    )
    cli.ok("verify", "e2e", "--revision", "2")

    # roll back with the command history printed, then verify
    subprocess_out = cli.helm.run(*rows[0]["rollbackCommand"].split()[1:])
    assert subprocess_out.returncode == 0
    assert backend_images(cli) == images_v1
    verify = json.loads(cli.ok("verify", "e2e", "--format", "json"))
    assert verify["revision"] == 3 and verify["ok"]
    assert digests(cli.kube, cli.namespace, SELECTOR) == secrets_v1

    # helmkit rollback back to revision 2 (the upgrade), verified
    out = cli.ok("rollback", "e2e", "--to", "2", "--skip-tests")
    assert "rolled back: revision 4 is deployed" in out
    assert any(NEW_TAG in image for image in backend_images(cli))

    out = cli.ok("status", "e2e")
    for view in ("PODS", "HPA", "INGRESS / TLS", "REVISIONS", "EVENTS"):
        assert view in out

    # uninstall asks first; no answer is no
    refused = cli.run("uninstall", "e2e", stdin="n\n")
    assert refused.returncode == 1 and "aborted" in refused.stdout
    pods = cli.kube.items("pods", cli.namespace)
    assert any(p["metadata"]["name"].endswith("-test") for p in pods), "helm test left its pod"
    out = cli.ok("uninstall", "e2e", "--yes")
    assert "kept volumes" in out
    assert "deleted helm test pods: ai-native-test" in out, out
    left = [p["metadata"] for p in cli.kube.items("pods", cli.namespace)]
    assert not [m for m in left if "-test" in m["name"] and not m.get("deletionTimestamp")]
    assert {p["metadata"]["name"] for p in cli.kube.items("pvc", cli.namespace)} == pvcs
    assert cli.helm_history() == []

    # no secret value in anything printed above
    leaked = [v for v in secrets_values_seen(cli) if any(v in text for text in cli.outputs)]
    assert not leaked, "a Secret value appeared in helmkit output"


def secrets_values_seen(cli: LiveCli) -> list[str]:
    values = cli.secret_values()
    assert values, "the release's Secret must still exist to check for leaks (kept on uninstall?)"
    return values


def test_component_rollback_restores_only_that_component(cli: LiveCli) -> None:
    cli.ok("release", "e2e", "--skip-tests")
    cli.ok(
        "release",
        "e2e",
        "--skip-tests",
        "--set",
        f"backend.image.tag={NEW_TAG}",
        "--set",
        f"frontend.image.tag={NEW_TAG}",
    )
    out = cli.ok("rollback", "e2e", "--to", "1", "--component", "backend", "--dry-run")
    assert f"backend.image.tag: '{NEW_TAG}' -> '1.0.0'" in out
    assert len(cli.helm_history()) == 2, "dry run changed nothing"
    cli.ok("rollback", "e2e", "--to", "1", "--component", "backend", "--skip-tests")
    images = active_images(cli.kube, cli.namespace, SELECTOR)
    assert images["ai-native-backend"] == {"ai-native-backend:1.0.0"}
    assert any(NEW_TAG in i for i in images["ai-native-frontend"])
    history = cli.helm_history()
    assert deployed_revision(history) == 3
    assert "--component backend" in history[-1]["description"]
