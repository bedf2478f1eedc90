"""Text, JSON and JUnit output of findings and snapshot results."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from helmkit.core.model.findings import Finding, Severity
from helmkit.core.render import report_format as fmt

FINDINGS = [
    Finding(
        "probes",
        Severity.ERROR,
        "no readinessProbe",
        "add probes",
        scenario="default",
        obj="Deployment/web",
        field_path="spec.template.spec.containers[0]",
        file="t.yaml",
    ),
    Finding(
        "resources",
        Severity.ERROR,
        "no limits",
        scenario="default",
        obj="Deployment/w",
        waived_reason="batch",
    ),
    Finding("helm-lint", Severity.INFO, "icon is recommended"),
]


def test_text_shows_location_fix_and_summary() -> None:
    text = fmt.findings_text(FINDINGS, ["default", "ci-ha"])
    assert (
        "ERROR [probes] default Deployment/web spec.template.spec.containers[0]: no readinessProbe"
        in text
    )
    assert "    at t.yaml\n    fix: add probes" in text
    assert "WAIVED [resources]" in text and "waived: batch" in text
    assert text.endswith(
        "lint FAILED: 1 error(s), 0 warning(s), 1 info, 1 waived in 2 scenario(s) (default, ci-ha)"
    )


def test_json_is_machine_readable() -> None:
    payload = json.loads(fmt.findings_json(FINDINGS, ["default"]))
    assert payload["ok"] is False
    assert payload["counts"] == {"error": 1, "warning": 0, "info": 1, "waived": 1}
    assert payload["findings"][0]["field"] == "spec.template.spec.containers[0]"


def test_junit_suites_cases_and_failures() -> None:
    root = ET.fromstring(fmt.findings_junit(FINDINGS, ["default", "ci-ha"]))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"lint chart", "lint default", "lint ci-ha"}
    default = suites["lint default"]
    assert (default.get("tests"), default.get("failures"), default.get("skipped")) == (
        "2",
        "1",
        "1",
    )
    assert suites["lint ci-ha"].find("testcase").get("name") == "ci-ha: all checks"  # type: ignore[union-attr]


def test_snapshot_report() -> None:
    report = fmt.SnapshotReport(
        [
            fmt.SnapshotResult("default", "ok"),
            fmt.SnapshotResult("ci-ha", "changed", ("--- a\n+++ b\n",), "x"),
        ],
        stale=["tests/snapshots/env-old.yaml"],
    )
    assert not report.ok
    text = fmt.snapshots_text(report)
    assert "CHANGED  ci-ha  x\n--- a\n+++ b" in text
    assert "STALE    tests/snapshots/env-old.yaml" in text
    root = ET.fromstring(fmt.snapshots_junit(report))
    assert root.find("testsuite").get("failures") == "2"  # type: ignore[union-attr]
    assert json.loads(fmt.snapshots_json(report))["stale"] == ["tests/snapshots/env-old.yaml"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["lint"], ("text", None)),
        (["lint", "--format", "json", "--output", "r.json"], ("json", "r.json")),
        (["test", "--format=junit", "--output=out/r.xml"], ("junit", "out/r.xml")),
        (["lint", "--format", "yaml"], ("text", None)),
        (["lint", "--", "--format", "json"], ("text", None)),
    ],
)
def test_report_target_reads_the_command_line(
    args: list[str], expected: tuple[str, str | None]
) -> None:
    assert fmt.report_target(args) == expected


def test_failure_reports_say_the_run_failed() -> None:
    as_json = json.loads(fmt.failure_report("json", "lint", "boom\n  hint: x", 2))
    assert as_json == {"ok": False, "error": "boom\n  hint: x", "exitCode": 2, "findings": []}
    root = ET.fromstring(fmt.failure_report("junit", "test", "boom\n  hint: x", 130))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    error = root.find(".//testcase/error")
    assert error is not None and error.get("message") == "boom" and "hint: x" in (error.text or "")
    assert fmt.failure_report("text", "lint", "boom", 2) == "helmkit lint FAILED (exit 2): boom"
