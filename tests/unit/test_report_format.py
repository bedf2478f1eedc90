"""Text, JSON and JUnit output of findings and snapshot results."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from helmkit.core import report_format as fmt
from helmkit.core.findings import Finding, Severity

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
