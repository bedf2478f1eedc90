"""The checks of `helmkit lint` (values schema, chart checks, per-render checks).

`helmkit.ops.lint` imports this module only after helm lint and the renders have started: these
imports (Kubernetes schemas, policy rules, docs generator, git) then load while helm works.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from helmkit.core.config import HelmkitConfig
from helmkit.core.lint import chart_meta
from helmkit.core.lint import checks as lint_checks
from helmkit.core.model import content_hash, manifests
from helmkit.core.model.findings import Finding, Severity, finding_from_dict
from helmkit.core.model.manifests import ManifestError
from helmkit.core.render.scenarios import Scenario
from helmkit.core.values import coalesce, go_yaml, json_schema, secret_keys, strvals, yaml_source
from helmkit.core.values import layering as values
from helmkit.core.values.yaml_source import SourcedYaml, format_key_path, load_yaml_file
from helmkit.errors import HelmkitError
from helmkit.ops import chart_checks
from helmkit.ops.render import DerivedCache, Rendered

if TYPE_CHECKING:
    from helmkit.core.lint.policy_posture import PostureKeys


def load_data_only(path: str) -> SourcedYaml:
    """A values file without its line index (the common case: valid values need no lines);
    anything unusual goes through `load_yaml_file`, which names the file and line. Both refuse
    a file beyond the parse limits before building it."""
    text = yaml_source.read_text(path)
    duplicates = yaml_source.check_structure(text, path)
    try:
        data = manifests.load_document(text, go_yaml.Loader)
        return SourcedYaml(path, go_yaml.as_helm_reads(data), duplicates=tuple(duplicates))
    except (yaml.YAMLError, go_yaml.HelmRefuses):
        return load_yaml_file(path)  # names the file and line


def duplicate_key_findings(layers: Sequence[SourcedYaml], scenario: str) -> list[Finding]:
    """Helm (Helm 4 and Helm 3) takes the later of two equal keys without a word: a warning,
    since the earlier value is silently lost."""
    return [
        Finding(
            rule="values-duplicate-key",
            severity=Severity.WARNING,
            message=f"{format_key_path(dup.key_path)} is given twice (first at line "
            f"{dup.first_line}); the later value wins, as in Helm",
            hint="remove one of the two entries",
            scenario=scenario,
            file=layer.path,
            line=dup.line,
        )
        for layer in layers
        for dup in layer.duplicates
    ]


def values_layers(
    chart: Path, load: Callable[[str], SourcedYaml] = load_yaml_file
) -> list[SourcedYaml]:
    """Subchart defaults under their key, then the chart's own values.yaml (as helm does)."""
    layers: list[SourcedYaml] = []
    sub_root = chart / "charts"
    if sub_root.is_dir():
        for sub in sorted(sub_root.iterdir()):
            defaults = sub / "values.yaml"
            if defaults.is_file() and not sub.name.startswith(coalesce.NOT_LOADED):
                source = load(str(defaults))
                nested = {sub.name: source.data or {}}
                lines = {(sub.name, *k): v for k, v in source.lines.items()}
                layers.append(SourcedYaml(source.path, nested, lines, source.duplicates))
    if (chart / "values.yaml").is_file():
        layers.append(load(str(chart / "values.yaml")))
    return layers


@dataclass
class ValuesBase:
    """The chart's defaults, read once per run: the chart tree helm coalesces, and the values
    files with lines on demand (only messages need them)."""

    chart: Path
    nodes: list[coalesce.ChartNode] = field(default_factory=list)
    parsed: dict[str, SourcedYaml] = field(default_factory=dict)
    fast: list[SourcedYaml] = field(default_factory=list)
    full: list[SourcedYaml] = field(default_factory=list)

    def _parse(self, path: str) -> SourcedYaml:
        """Each file parsed once a run: the tree and the duplicate-key check share the parse."""
        if path not in self.parsed:
            self.parsed[path] = load_data_only(path)
        return self.parsed[path]

    def tree(self) -> coalesce.ChartNode:
        if not self.nodes:
            self.nodes.append(coalesce.load_tree(self.chart, lambda p: self._parse(str(p)).data))
        return self.nodes[0]

    def data_layers(self) -> list[SourcedYaml]:
        """The default files without lines: only their duplicate keys are read from them."""
        if not self.fast:
            self.fast = values_layers(self.chart, self._parse)
        return self.fast

    def sourced_layers(self) -> list[SourcedYaml]:
        if not self.full:
            self.full = values_layers(self.chart)
        return self.full


def values_findings(
    chart: Path,
    scenario: Scenario,
    base: ValuesBase,
    schema: dict[str, Any] | None = None,
    gate: json_schema.Check | None = None,
    helm_major: int = 4,
) -> list[Finding]:
    schema_path = chart / "values.schema.json"
    if schema is None:
        if not schema_path.is_file():
            return []
        schema = json.loads(schema_path.read_text("utf-8"))
        gate = json_schema.gate(schema)
    tree = base.tree()
    if gate is not None:
        layers = [load_data_only(str(p)) for p in scenario.values_files]
        duplicates = duplicate_key_findings(base.data_layers() + layers, scenario.name)
        quick = values.layer(
            tree, layers, scenario.set_values, origins=False, helm_major=helm_major
        )
        if gate(quick.data):
            return duplicates  # valid: no file:line bookkeeping
    layers = [load_yaml_file(str(p)) for p in scenario.values_files]
    layered = values.layer(
        tree,
        layers,
        scenario.set_values,
        default_layers=base.sourced_layers(),
        helm_major=helm_major,
    )
    return duplicate_key_findings(base.sourced_layers() + layers, scenario.name) + [
        Finding(
            rule="values-schema",
            severity=Severity.ERROR,
            message=issue.message,
            hint=f"fix the value (schema: {schema_path})",
            scenario=scenario.name,
            field_path=issue.key_path,
            file=issue.file,
            line=issue.line,
        )
        for issue in values.schema_issues(layered, schema)
    ]


def cached(cache: DerivedCache, key: str, compute: Callable[[], list[Finding]]) -> list[Finding]:
    """Findings of one input are a pure function of it: a no-change re-run reads them back."""
    text = cache.get(key)
    if text is not None:
        try:
            return [finding_from_dict(item) for item in json.loads(text)]
        except (ValueError, TypeError, KeyError, AttributeError):
            pass  # a damaged entry is a miss: computed again and rewritten
    findings = compute()
    cache.put(key, json.dumps([f.as_dict() for f in findings]))
    return findings


def cached_values_findings(
    chart: Path, scenarios: Sequence[Scenario], cache_dir: Path | None, helm_major: int = 4
) -> list[Finding]:
    # every chart's defaults and dependencies (conditions) decide the values helm computes
    inputs = content_hash.hash_named(chart, ("values.yaml", "values.schema.json", "Chart.yaml"))
    cache = DerivedCache(cache_dir, "values-findings", inputs, f"helm{helm_major}")
    base = ValuesBase(chart)
    findings: list[Finding] = []
    schema_path = chart / "values.schema.json"
    if not schema_path.is_file():
        return []
    compiled: list[tuple[dict[str, Any], json_schema.Check | None]] = []
    for scenario in scenarios:
        key = content_hash.combine(
            scenario.name,
            content_hash.hash_files(scenario.values_files),
            strvals.files_digest(scenario.set_values),
            *scenario.set_values,
        )

        def compute(s: Scenario = scenario) -> list[Finding]:
            if not compiled:  # read and compiled once, only when a scenario is not cached
                schema = json.loads(schema_path.read_text("utf-8"))
                compiled.append((schema, json_schema.gate(schema)))
            return values_findings(chart, s, base, *compiled[0], helm_major=helm_major)

        findings += cached(cache, key, compute)
    return findings


def chart_name(chart: Path) -> str:
    """The name in Chart.yaml (findings about the chart name it), else the directory's."""
    try:
        return chart_meta.load_chart(chart).name or chart.name
    except HelmkitError:
        return chart.name


def render_findings(
    rendered: Rendered,
    versions: Sequence[str],
    config: HelmkitConfig,
    memo: lint_checks.SchemaMemo | None = None,
    chart: Path | None = None,
) -> list[Finding]:
    name = rendered.job.scenario.name
    if rendered.error is not None:
        return [lint_checks.render_error_finding(rendered.error.stderr, name)]
    try:
        objects = rendered.objects()
    except ManifestError as exc:
        return [
            Finding(
                rule="render-yaml",
                severity=Severity.ERROR,
                scenario=name,
                message=exc.message,
                file=exc.source,
                hint=exc.hint,
            )
        ]
    shared = rendered.job.scenario.shared
    posture = posture_keys(chart or config.chart) if shared else None
    found = lint_checks.object_findings(
        objects, versions, config.waivers, memo=memo, posture=posture
    )
    return [replace(f, scenario=name) for f in found]


_POSTURE_KEYS: dict[tuple[str, int], PostureKeys] = {}


def posture_keys(chart: Path) -> PostureKeys:
    """The NetworkPolicy and TLS switches of the chart's values.yaml (read once per content)."""
    from helmkit.core.lint import policy_posture

    path = chart / "values.yaml"
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return policy_posture.PostureKeys()
    if key not in _POSTURE_KEYS:
        _POSTURE_KEYS[key] = policy_posture.posture_keys(load_data_only(str(path)).data)
    return _POSTURE_KEYS[key]


def static_findings(
    config: HelmkitConfig,
    chart: Path,
    scenarios: Sequence[Scenario],
    cache_dir: Path | None,
    with_chart_checks: bool,
    helm_major: int = 4,
) -> list[Finding]:
    """Chart.yaml, git, generated docs and values schema: everything that needs no render."""
    findings: list[Finding] = []
    if with_chart_checks:
        repo = config.path.parent
        findings += chart_checks.chart_findings(chart, repo)
        schema_dir = config.docs_schema_dir
        if (repo / schema_dir).is_dir():
            chart_dir = os.path.relpath(chart, repo)
            findings += cached(
                DerivedCache(cache_dir, "docs-findings"),
                chart_checks.docs_key(repo, chart, schema_dir),
                partial(chart_checks.docs_up_to_date, repo, chart_dir, schema_dir),
            )
    return findings + cached_values_findings(chart, scenarios, cache_dir, helm_major)


_HELM_SCHEMA_ERROR = "don't meet the specifications of the schema"


def without_echoes(findings: list[Finding]) -> list[Finding]:
    """helm's own schema failure repeats a values-schema finding without file:line: drop it."""
    with_schema_issue = {f.scenario for f in findings if f.rule == "values-schema"}
    return [
        f
        for f in findings
        if not (
            f.rule in ("render", "helm-lint")
            and f.scenario in with_schema_issue
            and (_HELM_SCHEMA_ERROR in f.message or f.message.startswith("values.yaml: - at"))
        )
    ]


def without_secret_values(findings: list[Finding], scenarios: Sequence[Scenario]) -> list[Finding]:
    """A value given with --set under a secret key never shows in a finding, whichever check
    (values schema, Kubernetes schema, policy, helm) quoted it."""
    argv = [part for s in scenarios for item in s.set_values for part in strvals.decode(item)]
    secrets = secret_keys.secret_set_values(argv)
    if not secrets:
        return findings
    return [
        replace(
            f,
            message=secret_keys.hide_all(f.message, secrets),
            hint=secret_keys.hide_all(f.hint, secrets),
        )
        for f in findings
    ]


def dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    unique = []
    for finding in findings:
        if finding not in seen:
            seen.add(finding)
            unique.append(finding)
    return unique


def unchecked_fails_without_a_schema_error(findings: list[Finding]) -> list[Finding]:
    """`not-checked` (a rule that could not read a malformed object) is informational only
    while a blocking kube-schema finding fails its scenario; once that finding is waived or
    regraded, the rule that never ran fails the run instead."""
    failing = {f.scenario for f in findings if f.rule == "kube-schema" and f.blocking}
    return [
        replace(f, rule="rule-failed", severity=Severity.ERROR)
        if f.rule == "not-checked" and f.scenario not in failing
        else f
        for f in findings
    ]
