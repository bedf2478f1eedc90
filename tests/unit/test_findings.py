"""Findings, waivers (annotation and config) and their bookkeeping."""

from __future__ import annotations

import pytest
from offline_objects import workload

from helmkit.core.lint import checks as lint_checks
from helmkit.core.model.findings import (
    Finding,
    Severity,
    WaiverBook,
    apply_waivers,
    parse_annotation,
    summarize,
)


def test_parse_annotation_several_waivers() -> None:
    waivers, problems = parse_annotation("probes: batch worker has no port; image-pinned: mirrored")
    assert [(w.rule, w.reason) for w in waivers] == [
        ("probes", "batch worker has no port"),
        ("image-pinned", "mirrored"),
    ]
    assert problems == []


def test_parse_annotation_rejects_missing_reason() -> None:
    waivers, problems = parse_annotation("probes; resources:  ")
    assert waivers == []
    assert len(problems) == 2
    assert "'<rule-id>: <reason>'" in problems[0]


def test_waiver_applies_to_one_rule_on_one_object() -> None:
    book = WaiverBook()
    waivers, _ = parse_annotation("probes: no port")
    book.add("Deployment/web", waivers[0])
    findings = [
        Finding("probes", Severity.ERROR, "m", obj="Deployment/web"),
        Finding("resources", Severity.ERROR, "m", obj="Deployment/web"),
        Finding("probes", Severity.ERROR, "m", obj="Deployment/other"),
    ]
    result = apply_waivers(findings, book)
    assert [f.waived for f in result] == [True, False, False]
    assert not result[0].blocking
    assert summarize(result) == {"error": 2, "warning": 0, "info": 0, "waived": 1}


def test_annotation_and_config_waivers_on_rendered_objects() -> None:
    annotated = workload(name="web", readinessProbe=None)
    annotated.body["metadata"]["annotations"] = {"helmkit.dev/waive": "probes: sidecar-less batch"}
    configured = workload(name="worker", readinessProbe=None)
    findings = lint_checks.object_findings(
        [annotated, configured],
        ["1.33.0"],
        [{"rule": "probes", "kind": "Deployment", "name": "worker", "reason": "a queue worker"}],
    )
    probes = [f for f in findings if f.rule == "probes"]
    assert {(f.obj, f.waived_reason) for f in probes} == {
        ("Deployment/web", "sidecar-less batch"),
        ("Deployment/worker", "a queue worker"),
    }


def test_malformed_annotation_is_itself_a_finding() -> None:
    bad = workload()
    bad.body["metadata"]["annotations"] = {"helmkit.dev/waive": "everything"}
    findings = lint_checks.object_findings([bad], ["1.33.0"])
    (problem,) = [f for f in findings if f.rule == "waiver-invalid"]
    assert problem.blocking
    assert problem.field_path == "metadata.annotations.helmkit.dev/waive"


def test_helm_lint_output_parsing() -> None:
    output = "==> Linting chart\n[INFO] Chart.yaml: icon is recommended\n[ERROR] templates/: boom\n"
    info, error = lint_checks.helm_lint_findings(output)
    assert (info.severity, error.severity) == (Severity.INFO, Severity.ERROR)
    assert error.message == "templates/: boom"


def test_where_prefers_file_and_line() -> None:
    finding = Finding(
        "values-schema", Severity.ERROR, "m", scenario="default", file="v.yaml", line=3
    )
    assert finding.where() == "v.yaml:3 (default)"
    assert Finding("r", Severity.ERROR, "m", scenario="s", obj="A/b").where() == "s A/b"


HELM3_RENDER_ERROR = (
    'Error: template: ai-native/templates/zz.yaml:3:10: executing "ai-native/templates/zz.yaml"'
    " at <.Values.nope.deeper>: nil pointer evaluating interface {}.deeper"
)


HELM4_RENDER_ERROR = (
    "Error: ai-native/templates/zz.yaml:3:10\n"
    '  executing "ai-native/templates/zz.yaml" at <.Values.nope.deeper>:\n'
    "    nil pointer evaluating interface {}.deeper\n"
)


@pytest.mark.parametrize("stderr", [HELM3_RENDER_ERROR, HELM4_RENDER_ERROR])
def test_render_error_names_template_line_and_value(stderr: str) -> None:
    finding = lint_checks.render_error_finding(stderr, "ci-minimal")
    assert (finding.file, finding.line, finding.field_path) == (
        "ai-native/templates/zz.yaml",
        3,
        ".Values.nope.deeper",
    )
    assert finding.scenario == "ci-minimal" and finding.hint


@pytest.mark.parametrize(
    ("finding", "obj", "field"),
    [
        (
            Finding("helm-lint", Severity.ERROR, "templates/x.yaml: bad"),
            "Chart/c",
            "templates/x.yaml",
        ),
        (Finding("helm-lint", Severity.ERROR, "Chart.yaml: version"), "Chart/c", "Chart.yaml"),
        (
            Finding("values-schema", Severity.ERROR, "m", scenario="s", field_path="a.b"),
            "Values",
            "a.b",
        ),
        (Finding("kube-api-removed", Severity.ERROR, "m", obj="X/y"), "X/y", "apiVersion"),
        (Finding("docs-stale", Severity.ERROR, "m", file="README.md"), "Chart/c", "(whole file)"),
        (Finding("render", Severity.ERROR, "m"), "Chart/c", "(chart)"),
        (
            Finding("probes", Severity.ERROR, "m", obj="Deployment/w", field_path="spec"),
            "Deployment/w",
            "spec",
        ),
    ],
)
def test_every_finding_names_an_object_and_a_field(finding: Finding, obj: str, field: str) -> None:
    done = lint_checks.complete(finding, "c")
    assert (done.obj, done.field_path) == (obj, field)
