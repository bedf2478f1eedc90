"""Per-render checks (pure): strict Kubernetes schemas per version, policy rules, waivers.

The rule modules are imported where a render is first checked, not with this module: a re-run
whose findings all come from the cache (it still needs `complete` and the waivers) never loads
them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from helmkit.core.lint import kube_schema
from helmkit.core.model.findings import (
    WAIVE_ANNOTATION,
    Finding,
    Severity,
    Waiver,
    WaiverBook,
    apply_waivers,
    config_waivers,
    parse_annotation,
)
from helmkit.core.model.manifests import K8sObject

if TYPE_CHECKING:
    from helmkit.core.lint.api_removals import ApiChange
    from helmkit.core.lint.policy_posture import PostureKeys

AnyRule = Callable[[list[K8sObject]], Iterable[Finding]]
RuleRunner = Callable[[str, AnyRule, list[K8sObject]], list[Finding]]  # calls a rule by its id
_HELM_LINT_LINE = re.compile(r"^\[(ERROR|WARNING|INFO)\]\s+(.*)$")


class SchemaMemo:
    """Issues per (Kubernetes version, object content): scenarios render many identical
    objects, each is validated once per version. A backing mapping (JSON-plain values) can
    keep the verdicts between runs."""

    def __init__(self, store: MutableMapping[str, Any] | None = None) -> None:
        self.store: MutableMapping[str, Any] = store if store is not None else {}

    def validate(
        self, body: dict[str, Any], digest: str, version: str
    ) -> list[kube_schema.SchemaIssue] | None:
        """`digest` identifies the content (see `object_digest`)."""
        key = f"{version}:{digest}"
        if key in self.store:
            saved = self.store[key]
            if saved is None:
                return None
            return [kube_schema.SchemaIssue(tuple(p), m, h) for p, m, h in saved]
        issues = kube_schema.validate(body, version)
        self.store[key] = (
            None if issues is None else [[list(i.path), i.message, i.hint] for i in issues]
        )
        return issues


def object_digest(obj: K8sObject) -> str:
    """The digest of the text the object was parsed from, else of its serialised body."""
    if obj.digest:
        return obj.digest
    content = json.dumps(obj.body, sort_keys=True, default=str)
    return "json:" + hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest()


def schema_findings(
    objects: Sequence[K8sObject], kube_versions: Sequence[str], memo: SchemaMemo | None = None
) -> list[Finding]:
    from helmkit.core.lint import api_removals

    memo = memo or SchemaMemo()
    findings: list[Finding] = []
    for obj in objects:
        known_change = api_removals.change(obj.api_version, obj.kind)
        if known_change is not None:
            findings += _api_change(obj, known_change, list(kube_versions))
            if api_removals.removed_in(known_change, list(kube_versions)):
                continue  # the schema of a version that dropped the API adds nothing
        digest = object_digest(obj)
        missing_in: list[str] = []
        for version in kube_versions:
            issues = memo.validate(obj.body, digest, version)
            if issues is None:
                missing_in.append(version)
                continue
            findings.extend(
                Finding(
                    rule="kube-schema",
                    severity=Severity.ERROR,
                    message=f"{issue.message} ({obj.api_version} {obj.kind}, Kubernetes "
                    f"{kube_schema.minor_of(version)})",
                    hint=issue.hint or "fix the template so the object matches the API schema",
                    obj=obj.ref,
                    field_path=kube_schema.format_path(issue.path),
                    file=obj.source,
                    kube_version=version,
                )
                for issue in issues
            )
        if missing_in:
            findings.append(_no_schema(obj, missing_in, len(missing_in) == len(kube_versions)))
    return _merge_versions(findings)


def _api_change(obj: K8sObject, found: ApiChange, versions: list[str]) -> list[Finding]:
    """A removed API is an error naming the versions that refuse it; a deprecated one a
    warning. Both name the replacement."""
    from helmkit.core.lint import api_removals

    removed = api_removals.removed_in(found, versions)
    deprecated = api_removals.deprecated_in(found, versions)
    if removed:
        rule, severity = "kube-api-removed", Severity.ERROR
        message = (
            f"{obj.api_version} {obj.kind} was removed in Kubernetes {found.removed_in}: the API "
            f"server of {', '.join(removed)} refuses it"
        )
    elif deprecated:
        rule, severity = "kube-api-deprecated", Severity.WARNING
        message = (
            f"{obj.api_version} {obj.kind} is deprecated since Kubernetes {found.deprecated_in}"
            + (f" and removed in {found.removed_in}" if found.removed_in else "")
        )
    else:
        return []
    replacement = found.replacement
    hint = replacement if replacement.startswith("remove") else f"use {replacement}"
    return [
        Finding(
            rule=rule,
            severity=severity,
            message=message,
            hint=hint,
            obj=obj.ref,
            field_path="apiVersion",
            file=obj.source,
        )
    ]


def _no_schema(obj: K8sObject, versions: list[str], everywhere: bool) -> Finding:
    from helmkit.core.lint import api_removals

    if everywhere and api_removals.built_in(obj.api_version):
        return Finding(
            rule="kube-api-unknown",
            severity=Severity.ERROR,
            message=f"{obj.api_version} {obj.kind} is not an API Kubernetes "
            f"{', '.join(kube_schema.minor_of(v) for v in versions)} serves (its group is "
            "built in, so no CRD can add it)",
            hint="fix apiVersion/kind: check the spelling and `kubectl api-resources`",
            obj=obj.ref,
            file=obj.source,
        )
    if everywhere:
        return Finding(
            rule="kube-schema-missing",
            severity=Severity.INFO,
            message=f"no bundled schema for {obj.api_version} {obj.kind} (a CRD?): not validated",
            hint="CRD objects are checked by the API server at release time",
            obj=obj.ref,
            file=obj.source,
        )
    return Finding(
        rule="kube-api-removed",
        severity=Severity.ERROR,
        message=f"{obj.api_version} {obj.kind} does not exist in Kubernetes "
        f"{', '.join(kube_schema.minor_of(v) for v in versions)}",
        hint="use the API version every target Kubernetes version serves",
        obj=obj.ref,
        file=obj.source,
    )


def _merge_versions(findings: list[Finding]) -> list[Finding]:
    """The same issue in every version is reported once, not once per version."""
    seen: dict[tuple[str, str, str], Finding] = {}
    versions: dict[tuple[str, str, str], list[str]] = {}
    for finding in findings:
        message = re.sub(r", Kubernetes [\d.]+\)$", ")", finding.message)
        key = (finding.obj, finding.field_path, message)
        seen.setdefault(key, replace(finding, message=message))
        if finding.kube_version:
            versions.setdefault(key, []).append(kube_schema.minor_of(finding.kube_version))
    return [replace(f, kube_version=",".join(versions.get(k, []))) for k, f in seen.items()]


def pod_security_findings(objects: Sequence[K8sObject]) -> list[Finding]:
    """Pod Security Standard "restricted" on every pod template."""
    from helmkit.core.lint import pod_security

    findings: list[Finding] = []
    for obj in objects:
        for path, spec, pod_annotations in pod_security.pod_specs(obj.body):
            findings.extend(
                Finding(
                    rule="pod-security",
                    severity=Severity.ERROR,
                    message=f"{violation.control}: {violation.message}",
                    hint="set the restricted security context (runAsNonRoot, seccompProfile "
                    "RuntimeDefault, allowPrivilegeEscalation false, capabilities drop ALL)",
                    obj=obj.ref,
                    field_path=violation.path,
                    file=obj.source,
                )
                for violation in pod_security.check_pod_spec(spec, pod_annotations, prefix=path)
            )
    return findings


def apply_config_waivers(
    findings: Sequence[Finding], configured: Sequence[dict[str, str]]
) -> list[Finding]:
    """helmkit.yaml waivers on findings that name their object only once complete (the chart:
    `kind: Chart`, its name; the values: `kind: Values`)."""
    if not configured:
        return list(findings)
    book, _ = waiver_book((), configured)
    return [f if f.waived else apply_waivers([f], book)[0] for f in findings]


def waiver_book(
    objects: Sequence[K8sObject], configured: Sequence[dict[str, str]]
) -> tuple[WaiverBook, list[Finding]]:
    book = WaiverBook()
    problems: list[Finding] = []
    for obj in objects:
        text = obj.annotations.get(WAIVE_ANNOTATION)
        if not text:
            continue
        waivers, errors = parse_annotation(text)
        for waiver in waivers:
            book.add(obj.ref, waiver)
        problems.extend(
            Finding(
                rule="waiver-invalid",
                severity=Severity.ERROR,
                message=error,
                hint=f'write `{WAIVE_ANNOTATION}: "<rule-id>: <reason>"`',
                obj=obj.ref,
                field_path=f"metadata.annotations.{WAIVE_ANNOTATION}",
                file=obj.source,
            )
            for error in errors
        )
    for waiver in config_waivers(configured):
        book.add(f"{waiver.kind}/{waiver.name}", Waiver(waiver.rule, waiver.reason))
    return book, problems


# what a rule meets reading an object of the wrong shape (a text where the API wants a number)
_SHAPE_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError)


def guarded(malformed: bool) -> RuleRunner:
    """Runs a rule by its id; a rule that cannot read the objects reports it instead of
    ending the run. `malformed`: the Kubernetes schema check already names a broken object,
    so the rule not checking is informational; otherwise it is an error (nothing is passed
    unchecked)."""

    def run(name: str, rule: AnyRule, objects: list[K8sObject]) -> list[Finding]:
        try:
            return list(rule(objects))
        except _SHAPE_ERRORS as exc:
            return [rule_not_checked(name, exc, malformed)]

    return run


def rule_not_checked(name: str, exc: Exception, malformed: bool) -> Finding:
    said = exc.__class__.__name__  # not its text: it may quote a value (of a Secret, too)
    if malformed:
        return Finding(
            rule="not-checked",
            severity=Severity.INFO,
            message=f"{name} not checked: an object breaks the Kubernetes schema ({said})",
            hint="fix the kube-schema errors; the check then runs",
        )
    return Finding(
        rule="rule-failed",
        severity=Severity.ERROR,
        message=f"{name} could not read the rendered objects ({said})",
        hint="check the objects with `helmkit render`; report the check if they are valid",
    )


def object_findings(
    objects: list[K8sObject],
    kube_versions: Sequence[str],
    configured_waivers: Sequence[dict[str, str]] = (),
    memo: SchemaMemo | None = None,
    posture: PostureKeys | None = None,
) -> list[Finding]:
    """`posture`: the scenario is an environment other than local (its switch keys)."""
    from helmkit.core.lint import connection_budget, policy, policy_posture
    from helmkit.core.values import unusual as unusual_values

    findings = schema_findings(objects, kube_versions, memo)
    run = guarded(malformed=any(f.rule == "kube-schema" for f in findings))
    findings += policy.run_rules(objects, shared=posture is not None, run=run)
    findings += run("connection-budget", connection_budget.connection_budget, objects)
    findings += run("acme-email, redis-aof-emptydir", unusual_values.unusual_values, objects)
    if posture is not None:
        posture_check = partial(policy_posture.posture_findings, keys=posture)
        findings += run("posture-network-policy, posture-tls", posture_check, objects)
    findings += run("pod-security", pod_security_findings, objects)
    book, problems = waiver_book(objects, configured_waivers)
    return apply_waivers(findings, book) + problems


def helm_lint_findings(output: str) -> list[Finding]:
    """`[ERROR] templates/: ...` lines of helm lint; INFO lines stay informational."""
    findings: list[Finding] = []
    for line in output.splitlines():
        match = _HELM_LINT_LINE.match(line.strip())
        if match:
            level, message = match.groups()
            severity = {"ERROR": Severity.ERROR, "WARNING": Severity.ERROR}.get(
                level, Severity.INFO
            )
            findings.append(
                Finding(
                    rule="helm-lint",
                    severity=severity,
                    message=message,
                    hint="see `helm lint --strict` on the chart",
                )
            )
    return findings


# Helm 3: `Error: template: c/templates/x.yaml:2:10: executing ...`;
# Helm 4: `Error: c/templates/x.yaml:2:10\n  executing ...`
_TEMPLATE_REF = re.compile(
    r"(?:template: |Error: )(?P<file>[^\s:]+/templates/[^\s:]+):(?P<line>\d+)"
)
_TEMPLATE_AT = re.compile(r" at <(?P<field>[^>]+)>")
_LINT_PATH = re.compile(r"^(?P<path>[\w./-]*[\w/]|Chart\.yaml|values\.yaml): ")
_FIELD_BY_RULE = {
    "kube-schema-missing": "apiVersion",
    "kube-api-removed": "apiVersion",
    "kube-api-unknown": "apiVersion",
    "chart-version-bump": "version",
    "docs-stale": "(whole file)",
    "docs-source": "(whole file)",
}


def render_error_finding(stderr: str, scenario: str) -> Finding:
    """A failed `helm template`, located at the template, line and value helm names."""
    text = stderr.strip()
    ref = _TEMPLATE_REF.search(text)
    at = _TEMPLATE_AT.search(text)
    return Finding(
        rule="render",
        severity=Severity.ERROR,
        scenario=scenario,
        message=f"helm template failed: {text}",
        hint="fix the values or the template named in the message",
        field_path=at.group("field") if at else "",
        file=ref.group("file") if ref else "",
        line=int(ref.group("line")) if ref else None,
    )


def complete(finding: Finding, chart_name: str) -> Finding:
    """Every finding names an object and a field: findings about the chart rather than a
    rendered object name the chart (or the scenario's values) and the file or key at fault."""
    obj = finding.obj
    if not obj:
        obj = (
            "Values"  # the scenario's layered values (the scenario is named beside it)
            if finding.rule == "values-schema"
            else f"Chart/{chart_name}"
        )
    field_path = finding.field_path or _FIELD_BY_RULE.get(finding.rule, "")
    if not field_path and finding.rule == "helm-lint":
        match = _LINT_PATH.match(finding.message)
        field_path = match.group("path") if match else ""
    if not field_path:
        field_path = finding.file.rsplit("/", 1)[-1] if finding.file else "(chart)"
    return replace(finding, obj=obj, field_path=field_path)
