"""Findings (the one type every check reports: lint rules and verify checks), and the waivers
that can silence one lint finding on one object.

A waiver always names one rule and carries a reason. Waivers come from the object itself
(annotation `helmkit.dev/waive: "<rule-id>: <reason>"`, several separated by `;`) or from
helmkit.yaml (`waivers: [{rule, kind, name, reason}]`; `name` may hold `*` for names that carry a
hash, e.g. Jobs; `kind: Chart` with the chart's name for findings about the chart). A whole
rule is re-graded or switched off per project in helmkit.yaml `rules:` (see core/lint/rules.py).
"""

from __future__ import annotations

import enum
import fnmatch
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

WAIVE_ANNOTATION = "helmkit.dev/waive"


@functools.total_ordering
class Severity(enum.Enum):
    """Ordered OK < INFO < WARNING < ERROR. OK is a check that passed (verify lists those too);
    a lint rule never reports OK, and helmkit.yaml's schema does not accept it as a setting."""

    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANK = {Severity.OK: 0, Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


@dataclass(frozen=True)
class Finding:
    """One problem: which rule, how bad, where (scenario, object, field, file:line), how to fix.
    A verify finding names its check (`pods`, `tls`, ...) as the rule and only fills the message."""

    rule: str
    severity: Severity
    message: str
    hint: str = ""
    scenario: str = ""
    obj: str = ""  # "Kind/name" of the rendered object, empty for chart-level findings
    field_path: str = ""
    file: str = ""
    line: int | None = None
    kube_version: str = ""
    waived_reason: str = ""

    @property
    def waived(self) -> bool:
        return bool(self.waived_reason)

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR and not self.waived

    def where(self) -> str:
        parts = [p for p in (self.scenario, self.obj, self.field_path) if p]
        location = " ".join(parts)
        if self.file:
            location = f"{self.file}:{self.line}" if self.line else self.file
            location += f" ({' '.join(p for p in (self.scenario, self.obj) if p)})"
        return location

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "scenario": self.scenario,
            "object": self.obj,
            "field": self.field_path,
            "file": self.file,
            "line": self.line,
            "kubeVersion": self.kube_version,
            "message": self.message,
            "hint": self.hint,
            "waived": self.waived_reason or None,
        }


def finding_from_dict(data: dict[str, Any]) -> Finding:
    """The inverse of `Finding.as_dict` (used by the findings cache)."""
    return Finding(
        rule=data["rule"],
        severity=Severity(data["severity"]),
        message=data["message"],
        hint=data["hint"],
        scenario=data["scenario"],
        obj=data["object"],
        field_path=data["field"],
        file=data["file"],
        line=data["line"],
        kube_version=data["kubeVersion"],
        waived_reason=data["waived"] or "",
    )


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    kind: str = ""  # empty in an annotation waiver: it applies to the annotated object
    name: str = ""


@dataclass(frozen=True)
class WaiverProblem:
    where: str
    problem: str


def parse_annotation(text: str) -> tuple[list[Waiver], list[str]]:
    """`"rule-a: reason; rule-b: other reason"` -> waivers, plus problems for malformed parts."""
    waivers: list[Waiver] = []
    problems: list[str] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        rule, sep, reason = part.partition(":")
        if not sep or not rule.strip() or not reason.strip():
            problems.append(f"{part!r} is not '<rule-id>: <reason>'")
            continue
        waivers.append(Waiver(rule=rule.strip(), reason=reason.strip()))
    return waivers, problems


def config_waivers(entries: Sequence[Mapping[str, str]]) -> list[Waiver]:
    return [
        Waiver(rule=e["rule"], reason=e["reason"], kind=e.get("kind", ""), name=e.get("name", ""))
        for e in entries
    ]


@dataclass
class WaiverBook:
    """Waivers indexed by object ("Kind/name") and rule."""

    by_object: dict[str, dict[str, str]] = field(default_factory=dict)
    patterns: list[tuple[str, str, str]] = field(default_factory=list)  # (glob, rule, reason)

    def add(self, obj: str, waiver: Waiver) -> None:
        if "*" in obj:
            self.patterns.append((obj, waiver.rule, waiver.reason))
            return
        self.by_object.setdefault(obj, {})[waiver.rule] = waiver.reason

    def reason(self, finding: Finding) -> str:
        exact = self.by_object.get(finding.obj, {}).get(finding.rule, "")
        if exact or not self.patterns:
            return exact
        for glob, rule, reason in self.patterns:
            if rule == finding.rule and fnmatch.fnmatchcase(finding.obj, glob):
                return reason
        return ""


def apply_waivers(findings: Iterable[Finding], book: WaiverBook) -> list[Finding]:
    result: list[Finding] = []
    for finding in findings:
        reason = book.reason(finding) if finding.obj else ""
        result.append(replace(finding, waived_reason=reason) if reason else finding)
    return result


def sort_key(finding: Finding) -> tuple[str, str, str, str, str]:
    order = {Severity.ERROR: "0", Severity.WARNING: "1", Severity.INFO: "2"}
    return (
        order[finding.severity],
        finding.scenario,
        finding.obj,
        finding.rule,
        finding.field_path,
    )


def summarize(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0, "waived": 0}
    for finding in findings:
        counts["waived" if finding.waived else finding.severity.value] += 1
    return counts
