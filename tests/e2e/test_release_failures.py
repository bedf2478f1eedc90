"""Failure paths of helmkit release on the control plane, under Helm 4 and Helm 3:
an upgrade whose pods never become Ready rolls back by itself, with volumes and Secret unchanged;
a helm killed with SIGKILL mid-upgrade leaves the release pending, and helmkit recovers it;
a first install killed the same way is uninstalled (volumes kept) and installed again."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from e2e_kube import Helm, Kube, wait_for
from e2e_smoke import active_images, digests
from live_cli import (
    CHART,
    LOCAL_VALUES,
    RELEASE,
    SELECTOR,
    LiveCli,
    deployed_revision,
    fail_values,
    holder,
    lease,
    require_ingress_class,
)


@pytest.fixture
def cli(helm: Helm, kube: Kube, namespace: str, tmp_path: Path) -> LiveCli:
    require_ingress_class(kube)
    return LiveCli(helm, kube, namespace, tmp_path)


def pvc_uids(kube: Kube, namespace: str) -> dict[str, str]:
    return {p["metadata"]["name"]: p["metadata"]["uid"] for p in kube.items("pvc", namespace)}


def test_release_refused_by_a_lint_finding_applies_nothing(cli: LiveCli) -> None:
    cli.write_config()
    refused = cli.run("release", "e2e", "--set", "backend.image.tag=latest")
    out = refused.stdout + refused.stderr
    assert refused.returncode == 2, out
    assert "offline gate refused the release" in out and "nothing was applied" in out
    assert "ERROR [image-pinned]" in out, "the finding names its rule id"
    assert "Deployment/ai-native-backend" in out, "the finding names the object"
    assert "fix: " in out, "the finding carries its fix hint"
    assert "plan:" not in out and "release: helm upgrade" not in out
    assert cli.helm_history() == []
    assert cli.kube.items("pods", cli.namespace) == []
    assert [s for s in cli.kube.items("secrets", cli.namespace)] == []
    assert lease(cli) is not None and holder(cli) == "", "the lock was taken, then given back"


def test_upgrade_with_pods_never_ready_rolls_back(cli: LiveCli) -> None:
    cli.write_config(timeout="25s")
    cli.ok("release", "e2e", "--skip-tests")
    images = active_images(cli.kube, cli.namespace, SELECTOR)
    secrets = digests(cli.kube, cli.namespace, SELECTOR)
    volumes = pvc_uids(cli.kube, cli.namespace)

    cli.write_config(values=[LOCAL_VALUES, fail_values(cli.workdir)], timeout="25s")
    out = cli.ok(
        "release", "e2e", "--skip-tests", "--set", "backend.image.tag=9.9.9-broken", code=1
    )
    assert "release failed (revision 2)" in out
    assert "Helm rolled back: revision 3 runs again" in out

    history = cli.helm_history()
    assert [h["status"] for h in history] == ["superseded", "failed", "deployed"]
    assert deployed_revision(history) == 3
    wait_for(
        "the old pods back", lambda: active_images(cli.kube, cli.namespace, SELECTOR) == images
    )
    assert (
        digests(cli.kube, cli.namespace, SELECTOR) == secrets
    ), "Secret changed by a failed upgrade"
    assert pvc_uids(cli.kube, cli.namespace) == volumes, "volumes replaced by a failed upgrade"


def start_killable_upgrade(cli: LiveCli, *extra: str) -> subprocess.Popen[str]:
    """A plain helm upgrade that waits on pods that never become Ready, so it can be killed
    mid-wait like a lost CI runner."""
    argv = [
        str(cli.helm.binary),
        "--kubeconfig",
        str(cli.kube.kubeconfig),
        "upgrade",
        RELEASE,
        str(CHART),
        "--install",
        "-n",
        cli.namespace,
        "-f",
        str(LOCAL_VALUES),
        "-f",
        str(fail_values(cli.workdir)),
        *cli.helm.wait,
        "--timeout",
        "5m",
        *extra,
    ]
    log = (cli.workdir / "killable-helm.log").open("w")
    return subprocess.Popen(argv, env=cli.helm.env, stdout=log, stderr=log, text=True)


def kill_when_pending(cli: LiveCli, proc: subprocess.Popen[str], status: str) -> None:
    def pending() -> bool:
        if proc.poll() is not None:
            log = (cli.workdir / "killable-helm.log").read_text()
            pytest.fail(f"helm exited ({proc.returncode}) before it could be killed:\n{log}")
        return (cli.helm_history() or [{}])[-1].get("status") == status

    try:
        # generous: the whole suite shares two cores with this helm
        wait_for(f"revision {status}", pending, timeout_s=180)
        wait_for("pods created", lambda: cli.kube.items("pods", cli.namespace, SELECTOR))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert cli.helm_history()[-1]["status"] == status, "the kill must leave the release pending"


def test_sigkilled_upgrade_is_recovered_by_release(cli: LiveCli) -> None:
    cli.write_config()
    cli.ok("release", "e2e", "--skip-tests")
    secrets = digests(cli.kube, cli.namespace, SELECTOR)
    volumes = pvc_uids(cli.kube, cli.namespace)

    kill_when_pending(cli, start_killable_upgrade(cli), "pending-upgrade")
    blocked = cli.run("release", "e2e", "--skip-tests")
    assert blocked.returncode == 2, "a young pending revision may still be running: refuse"
    assert "--pending-grace 0" in blocked.stderr

    out = cli.ok(
        "release",
        "e2e",
        "--skip-tests",
        "--pending-grace",
        "0s",
        "--set",
        "backend.image.tag=1.0.2-recovered",
    )
    assert "recover: revision 2 is pending-upgrade" in out
    assert "rolling back to revision 1" in out
    history = cli.helm_history()
    # helm keeps the killed revision's record; the rollback (3) is what made the release usable
    assert history[2]["description"] == "Rollback to 1", history
    assert deployed_revision(history) == 4, history
    images = active_images(cli.kube, cli.namespace, SELECTOR)["ai-native-backend"]
    assert images == {"ai-native-backend:1.0.2-recovered"}
    assert digests(cli.kube, cli.namespace, SELECTOR) == secrets
    assert pvc_uids(cli.kube, cli.namespace) == volumes


def test_sigkilled_first_install_is_uninstalled_then_installed(cli: LiveCli) -> None:
    cli.write_config()
    kill_when_pending(cli, start_killable_upgrade(cli), "pending-install")
    wait_for("volumes bound", lambda: pvc_uids(cli.kube, cli.namespace))
    volumes = pvc_uids(cli.kube, cli.namespace)

    out = cli.ok("recover", "e2e", "--pending-grace", "0s")
    assert "a first install that never finished" in out
    assert "the release is gone, volumes kept" in out
    assert cli.helm_history() == []
    assert pvc_uids(cli.kube, cli.namespace) == volumes

    cli.ok("release", "e2e", "--skip-tests")
    assert deployed_revision(cli.helm_history()) == 1
    assert pvc_uids(cli.kube, cli.namespace) == volumes, "the new install reuses the kept volumes"


def test_failed_recovery_prints_a_brief_error_without_secrets(cli: LiveCli) -> None:
    cli.write_config()
    cli.ok("release", "e2e", "--skip-tests")
    kill_when_pending(cli, start_killable_upgrade(cli), "pending-upgrade")

    # a rollback that cannot finish its wait in time: helm rollback itself fails
    failed = cli.run("recover", "e2e", "--pending-grace", "0s", "--timeout", "1ms")
    out = failed.stdout + failed.stderr
    print(out)  # shown with -s: what an on-call engineer reads
    assert failed.returncode == 2, out
    assert "recovery failed: `helm rollback ai-native 1" in out, out
    assert "Traceback" not in out
    error_lines = [line for line in out.splitlines() if line.strip().lower().startswith("error")]
    assert error_lines, f"helm's last error line is shown:\n{out}"
    verbose = cli.run("recover", "e2e", "--pending-grace", "0s", "--verbose", "--timeout", "1ms")
    assert verbose.returncode in (0, 2), verbose.stdout + verbose.stderr
    leaked = [v for v in cli.secret_values() if any(v in text for text in cli.outputs)]
    assert not leaked, "a Secret value appeared in helmkit output"
