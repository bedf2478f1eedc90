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
every render with better locations (the object-name rule is helm lint's name check);
`full_helm_lint=True` runs it for every scenario.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from helmkit.adapters.helm import Helm, default_jobs
from helmkit.core.config import HelmkitConfig
from helmkit.core.helm import argv as helm_argv
from helmkit.core.lint import kube_schema
from helmkit.core.model import content_hash
from helmkit.core.model.findings import Finding, sort_key, summarize
from helmkit.core.model.manifests import K8sObject
from helmkit.core.render import cache_policy
from helmkit.core.render import plan as render_plan
from helmkit.core.render.plan import RenderJob
from helmkit.core.render.scenarios import Scenario, pick
from helmkit.core.values import schema_coverage, secret_keys
from helmkit.errors import UsageError
from helmkit.ops.render import (
    DerivedCache,
    PersistentMemo,
    Rendered,
    default_cache_dir,
    helm_identity,
    iter_render_jobs,
    memo_file,
    prune,
    read_cached,
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
    # (release, namespace): render as that release deploys, not with the fixed scenario names
    # snapshots need; a release's gate reuses the render for its plan
    target: tuple[str, str] | None = None
    # False: `helm lint` sees the scenario's values files but not its --set (a release's gate:
    # the --set values are checked on the exact render, which helm itself refuses on a template
    # or values-schema error, and the chart's lint stays cached across image tags)
    helm_lint_set_values: bool = True


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


def _helm_lint(
    helm: Helm,
    plan: _Plan,
    scenario: Scenario,
    digest: str,
) -> str:
    """helm lint's output for one scenario (parsed by the caller, off this worker thread)."""
    chart, cache_dir = plan.chart, plan.cache_dir
    argv = helm_argv.lint_argv(
        str(chart),
        values_files=[str(p) for p in scenario.values_files],
        set_values=scenario.set_values,
        kube_version=plan.newest,
        skip_schema_validation=plan.skip_values_schema,
    )
    key = content_hash.combine(
        "lint/2",  # 2: only complete helm lint results are stored
        digest,
        content_hash.hash_files(scenario.values_files),
        *argv,
        helm_identity(helm),
    )
    cached = cache_dir / f"{key}.lint" if cache_dir else None
    output = read_cached(cached)
    if output is None:
        output, complete = _run_lint(helm, argv)
        if cached is not None and complete:
            store(cached, output)
    return output


def _run_lint(helm: Helm, argv: list[str]) -> tuple[str, bool]:
    """helm lint's findings (stdout; it fails with --strict: both are wanted) and whether it
    ran to its end; an interrupted lint is an error finding, never a pass."""
    result = helm.run(argv, check=False)
    output = secret_keys.hide_all(result.stdout, secret_keys.secret_set_values(argv))
    if cache_policy.lint_complete(result.stdout, result.stderr):
        return output, True
    said = secret_keys.hide_all(result.stderr, secret_keys.secret_set_values(argv)).strip()
    last = said.splitlines()[-1] if said else f"exit {result.returncode}"
    return f"{output}\n{cache_policy.INCOMPLETE_LINT} ({last})\n", False


@dataclass(frozen=True)
class _Plan:
    """What one lint run does: checked inputs, render jobs, where results are remembered."""

    chart: Path
    versions: list[str]
    scenarios: list[Scenario]
    jobs: list[render_plan.RenderJob]
    per_version: bool
    lint_targets: list[Scenario]
    cache_dir: Path | None
    skip_values_schema: bool  # helm's values-schema check repeats helmkit's: skipped

    @property
    def newest(self) -> str:
        return max(self.versions, key=render_plan.version_key)


def _plan(config: HelmkitConfig, options: LintOptions) -> _Plan:
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
    if options.target:
        release, namespace = options.target
        scenarios = [replace(s, release=release, namespace=namespace) for s in scenarios]
    per_version = render_plan.uses_kube_version(chart)
    # lint checks the values itself (static_findings): helm's repeat of it is skipped when it
    # covers every schema helm would apply
    skip_values_schema = not schema_coverage.uncovered(chart)
    return _Plan(
        chart=chart,
        versions=versions,
        scenarios=scenarios,
        jobs=render_plan.plan(scenarios, versions, per_version, skip_values_schema),
        per_version=per_version,
        lint_targets=[
            s if options.helm_lint_set_values else replace(s, set_values=())
            for s in (scenarios if options.full_helm_lint else scenarios[:1])
        ],
        cache_dir=default_cache_dir(config) if options.use_cache else None,
        skip_values_schema=skip_values_schema,
    )


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
    plan = _plan(config, options)
    helm = helm or Helm.discover()
    _ = helm.version  # an unsupported helm is refused before anything runs
    report = LintReport([s.name for s in plan.scenarios], plan.versions)
    findings, renders = _run(plan, config, options, helm, on_render)
    report.renders = [renders[i] for i in range(len(plan.jobs))]
    from helmkit.core.lint import checks as lint_checks  # already loaded by _run, while helm worked
    from helmkit.core.lint import rules
    from helmkit.ops import lint_steps as steps

    chart_name = steps.chart_name(plan.chart)
    unique = steps.dedupe(steps.without_echoes(findings))
    unique = steps.without_secret_values(unique, plan.scenarios)
    completed = [lint_checks.complete(f, chart_name) for f in unique]
    completed = lint_checks.apply_config_waivers(completed, config.waivers)
    graded = rules.regrade(completed, config.profile, config.rules)
    graded = steps.unchecked_fails_without_a_schema_error(graded)
    report.findings = sorted(graded, key=sort_key)
    return report


def _with_helm_values_check(
    rendered: Rendered, refused: set[str], render_again: Callable[[RenderJob], Rendered]
) -> Rendered:
    """A scenario whose values helmkit refuses is rendered again with helm's own check, so
    helm's verdict decides: helm refuses it (the parity tests say it does), and objects helm
    would never render are never linted or snapshotted."""
    job = rendered.job
    if not job.skip_values_schema or job.scenario.name not in refused:
        return rendered
    return render_again(replace(job, skip_values_schema=False))


def _run(
    plan: _Plan,
    config: HelmkitConfig,
    options: LintOptions,
    helm: Helm,
    on_render: Callable[[Rendered], None] | None,
) -> tuple[list[Finding], dict[int, Rendered]]:
    """helm lint takes the first slot, then every render; the Python checks run while helm
    works, the checks of each render as soon as it arrives."""
    cache_dir, chart = plan.cache_dir, plan.chart
    docs_memo = PersistentMemo(memo_file(cache_dir, "documents"), load=False)
    stamp = content_hash.combine(kube_schema.schema_stamp())[:12]
    schema_memo = PersistentMemo(memo_file(cache_dir, f"schema-verdicts-{stamp}"), load=False)
    digest = content_hash.hash_tree(chart)
    salt = json.dumps([plan.versions, list(config.waivers), plan.per_version, stamp])
    cache = DerivedCache(cache_dir, "findings", salt)
    findings: list[Finding] = []
    renders: dict[int, Rendered] = {}
    with ThreadPoolExecutor(max_workers=default_jobs()) as pool:
        helm_lint = [
            pool.submit(_helm_lint, helm, plan, target, digest) for target in plan.lint_targets
        ]
        arriving = iter_render_jobs(
            chart,
            plan.jobs,
            helm=helm,
            cache_dir=cache_dir,
            memo=docs_memo,
            pool=pool,
            digest=digest,
        )
        # imported and read here, on purpose: the checks' modules and the memos of earlier
        # runs load while helm already works (nothing has parsed a render yet)
        from helmkit.core.lint import checks as lint_checks
        from helmkit.ops import lint_steps as steps

        docs_memo.load()
        schema_memo.load()
        memo = lint_checks.SchemaMemo(schema_memo)
        findings += steps.static_findings(
            config, chart, plan.scenarios, cache_dir, options.chart_checks, helm.version.major
        )
        refused = {f.scenario for f in findings if f.rule == "values-schema"}

        def render_again(job: RenderJob) -> Rendered:
            again = iter_render_jobs(
                chart, [job], helm=helm, cache_dir=cache_dir, memo=docs_memo, pool=pool,
                digest=digest,
            )  # fmt: skip
            return next(iter(again))[1]

        for index, arrived in arriving:
            rendered = _with_helm_values_check(arrived, refused, render_again)
            renders[index] = rendered
            versions = [rendered.job.kube_version] if plan.per_version else plan.versions
            scenario = rendered.job.scenario
            check = partial(steps.render_findings, rendered, versions, config, memo, chart)
            # identical renders share the cached findings: each scenario names itself (the
            # posture rules of shared environments make the findings differ by that flag); a
            # failed render is not remembered: the next run asks helm again
            key = content_hash.combine(rendered.key, f"shared={scenario.shared}")
            found = steps.cached(cache, key if rendered.ok else "", check)
            findings += [replace(f, scenario=scenario.name) for f in found]
            if on_render is not None:
                on_render(rendered)
        for target, future in zip(plan.lint_targets, helm_lint, strict=True):
            output = future.result()
            if plan.skip_values_schema and target.name in refused:
                # as the renders: helm lints refused values with its own check, which stops it
                # before templates that were never meant to see such values
                checked = replace(plan, skip_values_schema=False)
                output = _helm_lint(helm, checked, target, digest)
            found = lint_checks.helm_lint_findings(output)
            findings += [replace(f, scenario=target.name) for f in found]
    if options.use_cache:
        prune(cache_dir)
        docs_memo.save()
        schema_memo.save()
    return findings, renders
