"""`helmkit release ENV`: recover, preflight, offline gate, plan, upgrade --install, verify.

Exit codes: 0 deployed and verified, 1 failed (Helm rolled it back) or verify found errors,
2 preflight, offline gate or usage (EnvironmentProblem / UsageError): nothing was applied.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helmkit.adapters import git
from helmkit.adapters.helm import mask_argv
from helmkit.core.helm import argv as helm_argv
from helmkit.core.lint import chart_meta, kube_schema
from helmkit.core.model import content_hash
from helmkit.core.model import live_manifests as lm
from helmkit.core.release import meta
from helmkit.core.release import plan as rp
from helmkit.core.release import preflight as pf
from helmkit.core.release import recovery as recovery_core
from helmkit.core.release import revisions as rv
from helmkit.core.release.recovery import Action, Recovery
from helmkit.core.render import plan as render_plan
from helmkit.core.values import strvals
from helmkit.errors import EnvironmentProblem, HelmError
from helmkit.ops import gate, preflight_checks, progress
from helmkit.ops import recover as recover_ops
from helmkit.ops import verify as verify_ops
from helmkit.ops.live import LiveEnv

PSA_LABELS = pf.PSA_LABELS


@dataclass(frozen=True)
class ReleaseOptions:
    set_values: tuple[str, ...] = ()
    dry_run: bool = False
    pending_grace_s: float = recover_ops.DEFAULT_GRACE_S
    run_tests: bool = True


# --- preflight ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterFacts:
    """What preflight read from the cluster: printed lines, problems, and what the rendered
    objects are checked against later (served APIs, ingress classes, ClusterIssuers)."""

    lines: list[str]
    problems: list[pf.Problem]
    server_version: str
    namespace_exists: bool
    served: set[str]
    ingress_classes: set[str]
    issuers: set[str] | None
    gateways: set[str] | None


def preflight_cluster(live: LiveEnv) -> ClusterFacts:
    """helm, reachability, permissions, namespace, required Secrets, served APIs: every read is
    independent, so they run at once (each is one small API request)."""
    kube, ns = live.kube, live.env.namespace
    with ThreadPoolExecutor(max_workers=6) as pool:
        kube.ready()  # connect once, before the threads share the client
        version = pool.submit(kube.server_version)
        allowed = pool.map(lambda p: kube.can_i(p[0], p[1], p[2], ns), pf.REQUIRED_PERMISSIONS)
        namespace = pool.submit(kube.namespace, ns)
        secrets = pool.submit(kube.secrets, ns)
        may_create_ns = pool.submit(kube.can_i, "create", "", "namespaces", "")
        served = pool.submit(kube.served_api_versions)
        classes = pool.submit(kube.cluster_names, "/apis/networking.k8s.io/v1/ingressclasses")
        issuers = pool.submit(kube.cluster_names, "/apis/cert-manager.io/v1/clusterissuers")
        gateways = pool.submit(kube.namespaced_names, "/apis/gateway.networking.k8s.io/v1/gateways")
        denied = [p for p, ok in zip(pf.REQUIRED_PERMISSIONS, allowed, strict=True) if not ok]
        problems = pf.missing_permissions(denied, ns)
        exists = namespace.result() is not None
        present = {s["metadata"]["name"] for s in secrets.result()} if exists else set()
        if not exists and not may_create_ns.result():
            problems.append(
                pf.Problem(
                    f"namespace {ns} does not exist and this identity may not create it",
                    f"kubectl create namespace {ns}",
                )
            )
        else:
            problems += pf.missing_secrets(live.env.required_secrets, present, ns)
        lines = [
            f"preflight: helm {live.version} ({live.helm.executable})",
            f"preflight: cluster {version.result()} reachable",
        ]
        return ClusterFacts(
            lines,
            problems,
            version.result(),
            exists,
            served.result(),
            classes.result() or set(),
            issuers.result(),
            gateways.result(),
        )


def preflight_render(
    facts: ClusterFacts, objects: Sequence[lm.KubeObject], namespace: str
) -> list[pf.Problem]:
    """CRDs, ingress class or Gateways, and ClusterIssuers the rendered objects need."""
    problems = pf.missing_apis(objects, facts.served)
    problems += pf.missing_ingress_classes(objects, facts.ingress_classes)
    issuers = facts.issuers if "cert-manager.io/v1" in facts.served else None
    problems += pf.missing_issuers(objects, issuers)
    problems += pf.missing_gateways(objects, facts.gateways, namespace)
    return problems


def render_preflight(
    live: LiveEnv, facts: ClusterFacts, objects: Sequence[lm.KubeObject]
) -> list[pf.Problem]:
    """What the render needs (APIs, classes, issuers, Gateways) and how it fits what runs there
    (ingress-nginx's allowed headers, the metrics API, nodes): prints the lines and warnings,
    returns the problems that refuse the release."""
    env = live.env
    checked = preflight_checks.check_render(
        live.kube, objects, env.namespace, env.ingress_nginx_configmap
    )
    for line in checked.lines:
        live.echo(f"preflight: {line}")
    for warning in checked.warnings:
        live.echo(f"preflight: warning: {warning}")
    return preflight_render(facts, objects, env.namespace) + checked.problems


def _raise_preflight(problems: Sequence[pf.Problem]) -> None:
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise EnvironmentProblem(
            f"preflight failed ({len(problems)} problem(s)):\n{listed}",
            hint="fix each one with the command shown, then run the release again",
        )


# --- plan ---------------------------------------------------------------------------------------


def render_desired(live: LiveEnv, set_values: Sequence[str]) -> rv.ReleaseRecord:
    """A server-side dry run: `lookup` sees the live Secrets, so generated values are reused
    exactly as the real upgrade would reuse them, and an unchanged release renders unchanged."""
    argv = _upgrade_argv(live, set_values, dry_run=True)
    return rv.parse_release(live.run(argv, timeout_s=300).stdout)


def cluster_objects(
    live: LiveEnv, set_values: Sequence[str], gated: gate.Gated, facts: ClusterFacts
) -> list[lm.KubeObject]:
    """What the upgrade would apply, from the gate's client-side render, or from `helm template`
    with the cluster's capabilities when the chart asks for ones helm's defaults answer
    differently (an API the cluster serves beyond them, or the Kubernetes version)."""
    chart = live.config.chart
    flags = render_plan.cluster_render(
        render_plan.api_probes(chart),
        facts.served,
        render_plan.uses_kube_version(chart),
        facts.server_version,
    )
    if flags is None:
        return gated.objects
    argv = helm_argv.template_argv(
        live.env.release,
        str(chart),
        namespace=live.env.namespace,
        values_files=[str(v) for v in live.env.values],
        set_values=set_values,
        kube_version=flags.kube_version,
        api_versions=flags.api_versions,
    )
    return lm.parse_manifests(live.run(argv, timeout_s=300).stdout)


def _upgrade_argv(live: LiveEnv, set_values: Sequence[str], **flags: Any) -> list[str]:
    """The environment's `helm upgrade --install`; the plan's dry run and the release differ
    only in the extra flags."""
    return helm_argv.upgrade_install_argv(
        live.version,
        live.target,
        str(live.config.chart),
        values_files=[str(v) for v in live.env.values],
        set_values=set_values,
        timeout=live.timeout,
        **flags,
    )


Newest = tuple[rv.Revision, list[lm.KubeObject], list[lm.KubeObject]] | None


@dataclass(frozen=True)
class Running:
    """The revision that runs now, with its manifest and hooks (as `helm get` returns them)."""

    revision: rv.Revision
    manifest: list[lm.KubeObject]
    hooks: list[lm.KubeObject]

    @property
    def state(self) -> rp.ReleaseState:
        rev = self.revision
        return rp.ReleaseState(rev.chart, rev.app_version, (*self.manifest, *self.hooks))


def running_state(live: LiveEnv, revision: rv.Revision, newest: Future[Newest]) -> Running:
    """The running revision's objects: the newest revision's (read by `helm get all` at the
    start) are almost always them; another revision runs only after a failure or recovery."""
    read = newest.result()
    if read is not None and read[0].number == revision.number:
        return Running(revision, read[1], read[2])
    return Running(revision, *live.manifest_and_hooks(revision.number))


def make_plan(
    live: LiveEnv, desired: rp.ReleaseState, running: Running | None, *, secret_values: bool
) -> rp.ReleasePlan:
    return rp.build_plan(
        environment=live.env.name,
        release=live.env.release,
        namespace=live.env.namespace,
        current_revision=running.revision.number if running else None,
        current_status=running.revision.status if running else "",
        current=running.state if running else None,
        desired=desired,
        secret_values=secret_values,
    )


def chart_state(live: LiveEnv, objects: Sequence[lm.KubeObject]) -> rp.ReleaseState:
    """The desired side of the plan from a client-side render: Chart.yaml names the chart."""
    info = chart_meta.load_chart(live.config.chart)
    return rp.ReleaseState(f"{info.name}-{info.version}", info.app_version, tuple(objects))


def settle_plan(
    live: LiveEnv,
    set_values: Sequence[str],
    plan: rp.ReleasePlan,
    running: Running | None,
    same_inputs: bool,
) -> rp.ReleasePlan:
    """A client-side render cannot see the live Secret, so it compares Secrets by their keys.
    That decides every plan with a change elsewhere, and every unchanged plan whose running
    revision was made from the same chart content and values (lookup reuses the same generated
    values). Otherwise only Secret values may differ: a server-side dry run tells."""
    if not plan.no_change or same_inputs:
        return plan
    record = render_desired(live, set_values)
    desired = rp.ReleaseState(record.revision.chart, record.revision.app_version, record.objects)
    return make_plan(live, desired, running, secret_values=True)


# --- act ----------------------------------------------------------------------------------------


def provenance(live: LiveEnv, set_values: Sequence[str]) -> meta.Provenance:
    files = [(path.name, path.read_bytes()) for path in live.env.values]
    # --set-file contents are values too
    files += [
        (path, Path(path).read_bytes()) for item in set_values for path in strvals.file_paths(item)
    ]
    return meta.Provenance(
        git_commit=git.head_commit(live.config.chart),
        values_digest=meta.values_digest(files, set_values),
        ci_job=meta.ci_job(os.environ),
        chart_digest=content_hash.hash_tree(live.config.chart)[:32],
    )


def _upgrade(
    live: LiveEnv, set_values: Sequence[str], prepared: Prepared, attempted: int
) -> rv.ReleaseRecord:
    """The release itself; helm prints the revision it made (with manifest and hooks) as JSON."""
    prov = prepared.provenance
    argv = _upgrade_argv(
        live,
        set_values,
        description=meta.description(live.env.name, prov),
        labels=meta.release_labels(prov, attempted),
        openapi_validation=not prepared.schemas_checked,
    )
    live.echo(f"release: {helm_argv.shown(mask_argv(argv))}")
    with progress.pod_progress(live.env.kube_context, live.env.namespace, live.echo):
        return rv.parse_release(live.run(argv).stdout)


def _explain_failure(live: LiveEnv, exc: HelmError, attempted: int) -> str:
    shown = live.brief_error(exc.stderr)
    after = live.history()
    running = rv.current(after)
    if not after:
        outcome = "the first install was rolled back and removed (volumes kept)"
    elif running and running.status == rv.DEPLOYED and running.number != attempted:
        outcome = f"Helm rolled back: revision {running.number} runs again"
    else:
        newest = after[-1]
        outcome = (
            f"revision {newest.number} is {newest.status}; inspect `helmkit status {live.env.name}`"
        )
    return f"release failed (revision {attempted}): {shown}\n{outcome}"


def summary(
    live: LiveEnv, running: rv.Revision, previous: int | None, objects: Sequence[lm.KubeObject]
) -> list[str]:
    target, n = live.target, running.number
    lines = [
        f"released {live.env.release} to {live.env.namespace}: revision {n} "
        f"{running.status} (chart {running.chart}, app {running.app_version})"
    ]
    lines += [f"  url:      {url}" for url in meta.urls(objects)]
    lines.append(f"  verify:   {rv.verify_command(live.env.name, n)}")
    if previous is not None:
        lines.append(
            "  undo:     "
            + rv.rollback_command(live.version, target, previous, timeout=live.timeout)
        )
    lines.append(
        "  back to this revision later: "
        + rv.rollback_command(live.version, target, n, timeout=live.timeout)
    )
    return lines


def _verify(live: LiveEnv, known: verify_ops.Known, run_tests: bool) -> int:
    result = verify_ops.verify(live, known=known, run_tests=run_tests)
    verify_ops.print_result(live, result, fmt="text")
    return result.exit_code


@dataclass
class Prepared:
    """Everything before the upgrade: the revisions, what runs, what would run, the plan."""

    # the whole history when recovery read it; just the newest revision when that is deployed
    revisions: list[rv.Revision]
    facts: ClusterFacts
    desired: list[lm.KubeObject]
    running: Running | None
    plan: rp.ReleasePlan
    provenance: meta.Provenance
    schemas_checked: bool  # the gate checked every object with the cluster version's schemas


def _recover(
    live: LiveEnv, opts: ReleaseOptions, newest: Future[Newest]
) -> tuple[Recovery, list[rv.Revision]]:
    """Recovery from the full history, unless the newest revision is deployed: helm writes a
    pending revision only as the newest, so then there is nothing to recover and the history
    is not needed (the release uses the newest revision and its number)."""
    read = newest.result()
    if read is not None and read[0].status == rv.DEPLOYED:
        decision = recovery_core.decide([read[0]], now=datetime.now(UTC), grace_s=0)
        live.echo(f"recover: nothing to do ({decision.reason})")
        return decision, [read[0]]
    return recover_ops.recover_state(live, grace_s=opts.pending_grace_s, dry_run=opts.dry_run)


def prepare(live: LiveEnv, opts: ReleaseOptions) -> Prepared | None:
    """Steps 1-4. The gate (whose render is also the plan's), the cluster preflight and the
    provenance do not depend on each other, so all start at once, beside recovery. Results are
    reported in the documented order. None: a dry run stopped before the plan."""
    with ThreadPoolExecutor(max_workers=6) as pool:
        gated = pool.submit(gate.offline_gate, live, opts.set_values)
        checks = pool.submit(preflight_cluster, live)
        prov = pool.submit(provenance, live, opts.set_values)
        newest = pool.submit(live.newest_manifest_and_hooks)
        labels = pool.submit(live.kube.release_labels, live.env.release, live.env.namespace)
        recovery, revisions = _recover(live, opts, newest)
        if opts.dry_run and recovery.action is not Action.NONE:
            live.echo("dry run: stopped; the release must be recovered before it can be planned")
            return None
        current = rv.current(revisions)
        if recovery.action is not Action.NONE:  # recovery wrote a revision: read again
            newest = pool.submit(live.newest_manifest_and_hooks)
            labels = pool.submit(live.kube.release_labels, live.env.release, live.env.namespace)
        running = pool.submit(running_state, live, current, newest) if current else None
        facts = checks.result()
        for line in facts.lines:
            live.echo(line)
        _raise_preflight(facts.problems)
        passed = gated.result()
        live.echo(f"gate: {passed.summary}")
        desired = cluster_objects(live, opts.set_values, passed, facts)
        _raise_preflight(render_preflight(live, facts, desired))
        live.echo("preflight: ok")
        now = running.result() if running else None
        plan = make_plan(live, chart_state(live, desired), now, secret_values=False)
        same = now is not None and meta.same_inputs(
            labels.result().get(now.revision.number, {}), now.revision.number, prov.result()
        )
        plan = settle_plan(live, opts.set_values, plan, now, same)
        # helm's OpenAPI validation would repeat the gate's, if the gate's render is the one
        # applied and every object in it passed the schemas of the cluster's version
        checked = (
            desired is passed.objects
            and passed.schema_clean
            and kube_schema.covered(desired, passed.kube_versions, facts.server_version)
        )
        return Prepared(revisions, facts, desired, now, plan, prov.result(), checked)


def release(live: LiveEnv, opts: ReleaseOptions) -> int:
    live.echo(f"== release {live.env.name}: {live.env.release} in namespace {live.env.namespace}")
    prepared = prepare(live, opts)
    if prepared is None:
        return 0
    plan = prepared.plan
    if not prepared.facts.namespace_exists:
        live.echo(
            f"plan: create namespace {live.env.namespace} enforcing Pod Security 'restricted'"
        )
    for line in rp.describe_plan(plan):
        live.echo(line)
    if opts.dry_run:
        live.echo("dry run: stopped after the plan")
        return 0
    running = prepared.running
    if plan.no_change and running is not None:
        live.echo(f"no change: no new revision; verifying revision {running.revision.number}")
        known = verify_ops.Known(running.revision.number, running.manifest, running.hooks)
        return _verify(live, known, opts.run_tests)
    if not prepared.facts.namespace_exists:
        live.kube.create_namespace(live.env.namespace, PSA_LABELS)
    attempted = (prepared.revisions[-1].number if prepared.revisions else 0) + 1
    try:
        made = _upgrade(live, opts.set_values, prepared, attempted)
    except HelmError as exc:
        live.echo(_explain_failure(live, exc, attempted))
        return 1
    known = verify_ops.Known(made.revision.number, list(made.manifest), list(made.hooks))
    code = _verify(live, known, opts.run_tests)
    for line in summary(live, made.revision, plan.current_revision, prepared.desired):
        live.echo(line)
    if code:
        live.echo("verify found errors: the release is deployed but not healthy (see above)")
    return code
