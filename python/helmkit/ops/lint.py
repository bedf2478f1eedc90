"""`helmkit lint` as a Python API: every scenario, every target Kubernetes version.

    report = lint(config, LintOptions(environments=["staging"]))
    report.ok, report.findings

Steps: chart checks (semver, dependencies, version bump, template prefixes, docs), values
schema with file:line, `helm lint --strict` on the chart's defaults, renders of every scenario
in parallel (cached by content), strict Kubernetes schemas per version, policy rules, waivers.
helm lint and the renders start first; the checks that need no render run while helm works,
and each render is checked as soon as it arrives.

`helm lint` runs once on the defaults, not per scenario: per scenario it would double the helm
work, and what it checks there (values schema, template errors, YAML) helmkit checks itself on
every render with better locations; `full_helm_lint=True` runs it for every scenario.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from helmkit.adapters.helm import Helm, default_jobs
from helmkit.core import (
    content_hash,
    helm_argv,
    kube_schema,
    lint_checks,
    render_plan,
    schema_gate,
    values,
)
from helmkit.core.config import HelmkitConfig
from helmkit.core.findings import Finding, Severity, finding_from_dict, sort_key, summarize
from helmkit.core.manifests import K8sObject, ManifestError
from helmkit.core.scenarios import Scenario, pick
from helmkit.core.yaml_source import SourcedYaml, load_yaml_file
from helmkit.errors import UsageError
from helmkit.ops import chart_checks
from helmkit.ops.render import (
    DerivedCache,
    PersistentMemo,
    Rendered,
    default_cache_dir,
    helm_identity,
    iter_render_jobs,
    memo_file,
    require_chart,
    store,
)


@dataclass(frozen=True)
class LintOptions:
    chart: Path | None = None
    environments: Sequence[str] = ()
    values_files: Sequence[Path] = ()
    set_values: Sequence[str] = ()
    scenarios: Sequence[str] = ()
    kube_versions: Sequence[str] = ()
    use_cache: bool = True
    full_helm_lint: bool = False
    chart_checks: bool = True


@dataclass
class LintReport:
    scenarios: list[str]
    kube_versions: list[str]
    findings: list[Finding] = field(default_factory=list)
    renders: list[Rendered] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.blocking for f in self.findings)

    def counts(self) -> dict[str, int]:
        return summarize(self.findings)

    def objects(self, scenario: str) -> list[K8sObject]:
        for rendered in self.renders:
            if rendered.job.scenario.name == scenario and rendered.ok:
                return rendered.objects()
        return []


def _check_versions(versions: Sequence[str]) -> list[str]:
    for version in versions:
        kube_schema.schema_dir(version)  # UsageError naming the bundled versions
    return list(versions)


def _check_values_files(scenarios: Sequence[Scenario]) -> None:
    for scenario in scenarios:
        for path in scenario.values_files:
            if not path.is_file():
                raise UsageError(
                    f"values file {path} of scenario {scenario.name} does not exist",
                    hint="fix the path in helmkit.yaml or on the command line",
                )


def _values_layers(chart: Path) -> list[SourcedYaml]:
    """Subchart defaults under their key, then the chart's own values.yaml (as helm does)."""
    layers: list[SourcedYaml] = []
    sub_root = chart / "charts"
    if sub_root.is_dir():
        for sub in sorted(sub_root.iterdir()):
            defaults = sub / "values.yaml"
            if defaults.is_file():
                source = load_yaml_file(str(defaults))
                nested = {sub.name: source.data or {}}
                lines = {(sub.name, *k): v for k, v in source.lines.items()}
                layers.append(SourcedYaml(source.path, nested, lines))
    if (chart / "values.yaml").is_file():
        layers.append(load_yaml_file(str(chart / "values.yaml")))
    return layers


def values_findings(
    chart: Path,
    scenario: Scenario,
    base: list[SourcedYaml],
    schema: dict[str, Any] | None = None,
    gate: schema_gate.Check | None = None,
) -> list[Finding]:
    schema_path = chart / "values.schema.json"
    if schema is None:
        if not schema_path.is_file():
            return []
        schema = json.loads(schema_path.read_text("utf-8"))
        gate = schema_gate.compile_gate(schema)
    layers = base + [load_yaml_file(str(p)) for p in scenario.values_files]
    if gate is not None and gate(values.layer(layers, scenario.set_values, origins=False).data):
        return []  # valid: no file:line bookkeeping, no jsonschema
    layered = values.layer(layers, scenario.set_values)
    return [
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


def _helm_lint(
    helm: Helm,
    chart: Path,
    scenario: Scenario,
    version: str,
    cache_dir: Path | None,
    digest: str,
) -> list[Finding]:
    files = [str(p) for p in scenario.values_files]
    argv = helm_argv.lint_argv(
        str(chart), values_files=files, set_values=scenario.set_values, kube_version=version
    )
    key = content_hash.combine(
        "lint/1",
        digest,
        content_hash.hash_files(scenario.values_files),
        *argv,
        helm_identity(helm),
    )
    cached = cache_dir / f"{key}.lint" if cache_dir else None
    if cached is not None and cached.is_file():
        output = cached.read_text("utf-8")
    else:
        output = _run_lint(helm, argv)
        if cached is not None:
            store(cached, output)
    return [replace(f, scenario=scenario.name) for f in lint_checks.helm_lint_findings(output)]


def _run_lint(helm: Helm, argv: list[str]) -> str:
    """helm lint prints its findings on stdout and fails with --strict: both are wanted."""
    result = helm.run(argv, check=False)
    return result.stdout


def _cached(cache: DerivedCache, key: str, compute: Callable[[], list[Finding]]) -> list[Finding]:
    """Findings of one input are a pure function of it: a no-change re-run reads them back."""
    text = cache.get(key)
    if text is not None:
        return [finding_from_dict(item) for item in json.loads(text)]
    findings = compute()
    cache.put(key, json.dumps([f.as_dict() for f in findings]))
    return findings


def _cached_values_findings(
    chart: Path, scenarios: Sequence[Scenario], cache_dir: Path | None
) -> list[Finding]:
    inputs = content_hash.hash_named(chart, ("values.yaml", "values.schema.json"))
    cache = DerivedCache(cache_dir, "values-findings", inputs)
    base: list[SourcedYaml] = []
    findings: list[Finding] = []
    schema_path = chart / "values.schema.json"
    if not schema_path.is_file():
        return []
    compiled: list[tuple[dict[str, Any], schema_gate.Check | None]] = []
    for scenario in scenarios:
        key = content_hash.combine(
            scenario.name, content_hash.hash_files(scenario.values_files), *scenario.set_values
        )

        def compute(s: Scenario = scenario) -> list[Finding]:
            if not base:  # read and compiled once, only when a scenario is not cached
                base.extend(_values_layers(chart))
                schema = json.loads(schema_path.read_text("utf-8"))
                compiled.append((schema, schema_gate.compile_gate(schema)))
            return values_findings(chart, s, base, *compiled[0])

        findings += _cached(cache, key, compute)
    return findings


def _render_findings(
    rendered: Rendered,
    versions: Sequence[str],
    config: HelmkitConfig,
    memo: lint_checks.SchemaMemo | None = None,
) -> list[Finding]:
    name = rendered.job.scenario.name
    if rendered.error is not None:
        return [
            Finding(
                rule="render",
                severity=Severity.ERROR,
                scenario=name,
                message=f"helm template failed: {rendered.error.stderr.strip()}",
                hint="fix the values or the template named in the message",
            )
        ]
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
    found = lint_checks.object_findings(objects, versions, config.waivers, memo=memo)
    return [replace(f, scenario=name) for f in found]


def lint(
    config: HelmkitConfig,
    options: LintOptions | None = None,
    helm: Helm | None = None,
    on_render: Callable[[Rendered], None] | None = None,
) -> LintReport:
    """Every finding of every picked scenario; raises UsageError/EnvironmentProblem on bad input.

    `on_render` is called with each render as it arrives (`helmkit test` compares snapshots
    there, while helm still renders the other scenarios).
    """
    options = options or LintOptions()
    chart = options.chart or config.chart
    require_chart(chart)
    versions = _check_versions(options.kube_versions or config.kube_versions)
    scenarios = pick(
        config,
        environments=options.environments,
        values_files=options.values_files,
        set_values=options.set_values,
        names=options.scenarios,
    )
    _check_values_files(scenarios)
    helm = helm or Helm.discover()
    cache_dir = default_cache_dir(config) if options.use_cache else None
    per_version = render_plan.uses_kube_version(chart)
    jobs = render_plan.plan(scenarios, versions, per_version)
    newest = max(versions, key=render_plan.version_key)
    lint_targets = scenarios if options.full_helm_lint else [scenarios[0]]
    report = LintReport([s.name for s in scenarios], versions)
    docs_memo = PersistentMemo(memo_file(cache_dir, "documents"))
    schema_memo = PersistentMemo(memo_file(cache_dir, "schema-verdicts"))
    digest = content_hash.hash_tree(chart)
    salt = json.dumps([list(versions), list(config.waivers), per_version])
    cache = DerivedCache(cache_dir, "findings", salt)
    memo = lint_checks.SchemaMemo(schema_memo)
    renders: dict[int, Rendered] = {}
    # helm lint takes the first slot, then every render: the Python checks below run while
    # helm works, the checks of each render as soon as it arrives
    with ThreadPoolExecutor(max_workers=default_jobs()) as pool:
        helm_lint = [
            pool.submit(_helm_lint, helm, chart, target, newest, cache_dir, digest)
            for target in lint_targets
        ]
        arriving = iter_render_jobs(
            chart, jobs, helm=helm, cache_dir=cache_dir, memo=docs_memo, pool=pool, digest=digest
        )
        report.findings += _static_findings(
            config, chart, scenarios, cache_dir, options.chart_checks
        )
        for index, rendered in arriving:
            renders[index] = rendered
            validate_for = [rendered.job.kube_version] if per_version else versions
            report.findings += _cached(
                cache,
                rendered.key,
                partial(_render_findings, rendered, validate_for, config, memo),
            )
            if on_render is not None:
                on_render(rendered)
        for future in helm_lint:
            report.findings += future.result()
    report.renders = [renders[i] for i in range(len(jobs))]
    if options.use_cache:
        docs_memo.save()
        schema_memo.save()
    report.findings = sorted(_dedupe(_without_echoes(report.findings)), key=sort_key)
    return report


def _static_findings(
    config: HelmkitConfig,
    chart: Path,
    scenarios: Sequence[Scenario],
    cache_dir: Path | None,
    with_chart_checks: bool,
) -> list[Finding]:
    """Chart.yaml, git, generated docs and values schema: everything that needs no render."""
    findings: list[Finding] = []
    if with_chart_checks:
        repo = config.path.parent
        findings += chart_checks.chart_findings(chart, repo)
        findings += _cached(
            DerivedCache(cache_dir, "docs-findings"),
            chart_checks.docs_key(repo, chart) if (repo / "schemas").is_dir() else "",
            partial(chart_checks.docs_up_to_date, repo),
        )
    return findings + _cached_values_findings(chart, scenarios, cache_dir)


_HELM_SCHEMA_ERROR = "don't meet the specifications of the schema"


def _without_echoes(findings: list[Finding]) -> list[Finding]:
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


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    unique = []
    for finding in findings:
        if finding not in seen:
            seen.add(finding)
            unique.append(finding)
    return unique
