"""helmkit verify on the local control plane, under Helm 4 and Helm 3: failing helm test pods
make verify exit 1 naming them (no Secret value shown), and `verify --revision N` of an older
revision says its API check ran the running revision's test pods."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from e2e_kube import Helm, Kube
from live_cli import (
    FAIL_ANNOTATION,
    LOCAL_VALUES,
    LiveCli,
    deployed_revision,
    require_ingress_class,
)


@pytest.fixture
def cli(helm: Helm, kube: Kube, namespace: str, tmp_path: Path) -> LiveCli:
    require_ingress_class(kube)
    live = LiveCli(helm, kube, namespace, tmp_path)
    live.write_config()
    return live


def failing_tests_values(workdir: Path) -> Path:
    """The chart's `tests.podAnnotations` carries the control plane's failure annotation."""
    path = workdir / "failing-tests.yaml"
    path.write_text(yaml.safe_dump({"tests": {"podAnnotations": {FAIL_ANNOTATION: "true"}}}))
    return path


def failed_test_pods(cli: LiveCli) -> list[str]:
    """`pod/container` of every check the failed test pod left behind."""
    return sorted(
        f"{pod['metadata']['name']}/{status['name']}"
        for pod in cli.kube.items("pods", cli.namespace)
        if pod.get("status", {}).get("phase") == "Failed"
        and pod["metadata"]["name"].endswith("-test")
        for status in pod["status"].get("containerStatuses") or []
    )


FAILED = "Failed (exit 1, Error)"  # what the control plane's failure annotation leaves


def api_findings(stdout: str) -> list[dict[str, str]]:
    return [f for f in json.loads(stdout)["findings"] if f["check"] == "api"]


def test_verify_fails_naming_the_failed_test_pods(cli: LiveCli) -> None:
    out = cli.ok("release", "e2e")
    assert "revision 1 deployed" in out
    healthy = cli.ok("verify", "e2e")
    assert healthy.count("Succeeded") >= 3, f"the healthy release runs its three checks:\n{healthy}"

    # revision 2: same workloads, test pods that fail (helm test runs them, the release does not)
    cli.write_config(values=[LOCAL_VALUES, failing_tests_values(cli.workdir)])
    cli.ok("release", "e2e", "--skip-tests")
    assert deployed_revision(cli.helm_history()) == 2

    out = cli.ok("verify", "e2e", code=1)
    failed = failed_test_pods(cli)
    assert failed, f"a test pod carrying {FAIL_ANNOTATION} must have failed:\n{out}"
    for pod in failed:
        assert f"[ERROR] api       test {pod}: {FAILED}" in out, out
    assert "[ERROR] api       helm test failed" in out
    assert "Traceback" not in out

    report = json.loads(cli.ok("verify", "e2e", "--format", "json", code=1))
    assert report["revision"] == 2 and report["runningRevision"] == 2 and not report["ok"]
    reported_failed = {
        f["message"]
        for f in report["findings"]
        if f["check"] == "api" and f["message"].endswith(FAILED)
    }
    assert reported_failed == {f"test {pod}: {FAILED}" for pod in failed}, "only checks that failed"

    # revision 1 has passing tests, but helm test can only run the running revision's (2)
    older = cli.run("verify", "e2e", "--revision", "1", "--format", "json")
    assert older.returncode == 1, older.stdout + older.stderr
    report = json.loads(older.stdout)
    assert report["revision"] == 1 and report["runningRevision"] == 2
    api = api_findings(older.stdout)
    assert api[0]["severity"] == "info"
    assert "test pods of the running revision 2, not of revision 1" in api[0]["message"]
    for pod in failed_test_pods(cli):
        assert {
            "check": "api",
            "severity": "error",
            "message": f"test {pod} (running revision 2): {FAILED}",
        } in api
    revision = [f for f in report["findings"] if f["check"] == "revision"]
    assert revision and all(f["severity"] == "ok" for f in revision), revision
    text = cli.ok("verify", "e2e", "--revision", "1", "--skip-tests")
    assert "revision 1, running revision 2" in text

    leaked = [v for v in cli.secret_values() if any(v in output for output in cli.outputs)]
    assert cli.secret_values(), "the release's Secrets must exist to check for leaks"
    assert not leaked, "a Secret value appeared in helmkit output"
