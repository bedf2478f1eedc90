"""Findings and snapshot results as text (for people), JSON (for tools) or JUnit XML (for CI).

Pure: strings in, strings out. Secret values never reach a finding (Secrets are masked before
snapshot diffs, and findings carry field paths, not Secret data).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field

from helmkit.core.model.findings import Finding, summarize

FORMATS = ("text", "json", "junit")


@dataclass(frozen=True)
class SnapshotResult:
    scenario: str
    status: str  # ok | changed | missing | updated | created | error
    diffs: tuple[str, ...] = ()
    message: str = ""
    path: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("changed", "missing", "error")


@dataclass
class SnapshotReport:
    results: list[SnapshotResult] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    stale_removed: bool = False

    @property
    def ok(self) -> bool:
        return not any(r.failed for r in self.results) and (not self.stale or self.stale_removed)


def finding_text(finding: Finding) -> str:
    label = "WAIVED" if finding.waived else finding.severity.value.upper()
    head = f"{label} [{finding.rule}]"
    subject = " ".join(p for p in (finding.scenario, finding.obj, finding.field_path) if p)
    lines = [f"{head} {subject}: {finding.message}" if subject else f"{head} {finding.message}"]
    if finding.file:
        lines.append(
            f"    at {finding.file}:{finding.line}" if finding.line else f"    at {finding.file}"
        )
    if finding.kube_version:
        lines.append(f"    kubernetes: {finding.kube_version}")
    if finding.waived:
        lines.append(f"    waived: {finding.waived_reason}")
    elif finding.hint:
        lines.append(f"    fix: {finding.hint}")
    return "\n".join(lines)


def summary_line(findings: Sequence[Finding], scenarios: Sequence[str]) -> str:
    counts = summarize(findings)
    verdict = "FAILED" if counts["error"] else "ok"
    return (
        f"lint {verdict}: {counts['error']} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} info, {counts['waived']} waived in {len(scenarios)} scenario(s) "
        f"({', '.join(scenarios)})"
    )


def findings_text(findings: Sequence[Finding], scenarios: Sequence[str]) -> str:
    parts = [finding_text(f) for f in findings]
    return "\n".join([*parts, summary_line(findings, scenarios)])


def findings_json(findings: Sequence[Finding], scenarios: Sequence[str]) -> str:
    payload = {
        "ok": not any(f.blocking for f in findings),
        "scenarios": list(scenarios),
        "counts": summarize(findings),
        "findings": [f.as_dict() for f in findings],
    }
    return json.dumps(payload, indent=2)


def _suite(name: str) -> ET.Element:
    return ET.Element("testsuite", name=name)


def _finish(suites: dict[str, ET.Element]) -> str:
    root = ET.Element("testsuites", name="helmkit")
    for suite in suites.values():
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
        root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def findings_junit(findings: Sequence[Finding], scenarios: Sequence[str]) -> str:
    return _finish(_findings_suites(findings, scenarios))


def test_junit(
    findings: Sequence[Finding], scenarios: Sequence[str], report: SnapshotReport
) -> str:
    """`helmkit test`: the lint suites and the snapshot suite in one document."""
    suites = _findings_suites(findings, scenarios)
    suites["snapshot"] = _snapshot_suite(report)
    return _finish(suites)


def _findings_suites(
    findings: Sequence[Finding], scenarios: Sequence[str]
) -> dict[str, ET.Element]:
    """One suite per scenario (plus `chart`), one test case per finding, a passing case per
    clean scenario so CI shows what ran."""
    suites = {name: _suite(f"lint {name}") for name in ["chart", *scenarios]}
    for finding in findings:
        suite = suites.setdefault(finding.scenario or "chart", _suite(f"lint {finding.scenario}"))
        name = " ".join(p for p in (finding.rule, finding.obj, finding.field_path) if p)
        case = ET.SubElement(suite, "testcase", classname=f"helmkit.lint.{finding.rule}", name=name)
        body = finding_text(finding)
        if finding.waived:
            ET.SubElement(case, "skipped", message=f"waived: {finding.waived_reason}")
        elif finding.blocking:
            ET.SubElement(case, "failure", message=finding.message).text = body
        else:
            ET.SubElement(case, "system-out").text = body
    for name, suite in suites.items():
        if not suite.findall("testcase"):
            ET.SubElement(suite, "testcase", classname="helmkit.lint", name=f"{name}: all checks")
    return suites


def snapshots_text(report: SnapshotReport) -> str:
    lines: list[str] = []
    for result in report.results:
        lines.append(f"{result.status.upper():8} {result.scenario}  {result.message}".rstrip())
        lines.extend(diff.rstrip("\n") for diff in result.diffs)
    for path in report.stale:
        state = "removed" if report.stale_removed else "STALE"
        lines.append(f"{state:8} {path}  (no scenario renders it any more)")
    verdict = "ok" if report.ok else "FAILED"
    failed = sum(1 for r in report.results if r.failed)
    lines.append(
        f"snapshot {verdict}: {len(report.results)} scenario(s), {failed} failed, "
        f"{len(report.stale)} stale file(s)"
    )
    return "\n".join(lines)


def snapshots_json(report: SnapshotReport) -> str:
    payload = {
        "ok": report.ok,
        "results": [
            {
                "scenario": r.scenario,
                "status": r.status,
                "message": r.message,
                "path": r.path,
                "diffs": list(r.diffs),
            }
            for r in report.results
        ],
        "stale": report.stale,
    }
    return json.dumps(payload, indent=2)


def snapshots_junit(report: SnapshotReport) -> str:
    return _finish({"snapshot": _snapshot_suite(report)})


def _snapshot_suite(report: SnapshotReport) -> ET.Element:
    suite = _suite("snapshot")
    for result in report.results:
        case = ET.SubElement(suite, "testcase", classname="helmkit.snapshot", name=result.scenario)
        if result.failed:
            failure = ET.SubElement(case, "failure", message=f"{result.status}: {result.message}")
            failure.text = "\n".join(result.diffs)
    for path in report.stale:
        case = ET.SubElement(suite, "testcase", classname="helmkit.snapshot.stale", name=path)
        if not report.stale_removed:
            ET.SubElement(case, "failure", message="snapshot file of a removed scenario")
    return suite


# --- a run that did not finish --------------------------------------------------------------

INCOMPLETE = "the run did not complete (interrupted or killed before it wrote its results)"


def failure_report(fmt: str, verb: str, message: str, exit_code: int) -> str:
    """The report of a run that stopped on an error: a CI reading it sees a failure, never an
    earlier run's success. `message` is the error helmkit printed (it holds no secret)."""
    if fmt == "json":
        payload = {"ok": False, "error": message, "exitCode": exit_code, "findings": []}
        return json.dumps(payload, indent=2)
    if fmt != "junit":
        return f"helmkit {verb} FAILED (exit {exit_code}): {message}"
    root = ET.Element("testsuites", name="helmkit")
    suite = ET.SubElement(
        root, "testsuite", name=f"helmkit {verb}", tests="1", failures="0", errors="1"
    )
    case = ET.SubElement(suite, "testcase", classname=f"helmkit.{verb}", name=f"helmkit {verb}")
    ET.SubElement(case, "error", message=message.splitlines()[0] if message else "").text = message
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def report_target(args: Sequence[str]) -> tuple[str, str | None]:
    """(--format, --output) as given on a command line, read without click (the error may
    come from parsing the options themselves); ("text", None) when absent."""
    found: dict[str, str] = {}
    for position, arg in enumerate(args):
        if arg == "--":
            break
        for name in ("--format", "--output"):
            if arg == name and position + 1 < len(args):
                found[name] = args[position + 1]
            elif arg.startswith(name + "="):
                found[name] = arg.split("=", 1)[1]
    fmt = found.get("--format", "text")
    return (fmt if fmt in FORMATS else "text"), found.get("--output") or None
