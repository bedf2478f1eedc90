"""`helmkit release ENV`: recover, preflight, offline gate, plan, upgrade --install, verify.

Exit codes: 0 deployed and verified, 1 failed (Helm rolled it back) or verify found errors,
2 preflight or usage (raised as EnvironmentProblem / UsageError).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from helmkit.adapters import gitinfo
from helmkit.core import helm_argv_live as hal
from helmkit.core import live_manifests as lm
from helmkit.core import preflight as pf
from helmkit.core import release_meta as meta
from helmkit.core import release_plan as rp
from helmkit.core import revisions as rv
from helmkit.core.recovery import Action
from helmkit.errors import EnvironmentProblem, HelmError, HelmkitError
from helmkit.ops import gate, progress
from helmkit.ops import recover as recover_ops
from helmkit.ops import verify as verify_ops
from helmkit.ops.live import LiveEnv

PSA_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
}
MAX_ERROR_LINES = 15


@dataclass(frozen=True)
class ReleaseOptions:
    set_values: tuple[str, ...] = ()
    dry_run: bool = False
    pending_grace_s: float = recover_ops.DEFAULT_GRACE_S
    run_tests: bool = True


@dataclass
class Desired:
    state: rp.ReleaseState
    objects: list[lm.KubeObject] = field(default_factory=list)


# --- preflight ----------------------------------------------------------------------------------


def preflight_cluster(live: LiveEnv) -> tuple[list[pf.Problem], bool]:
    """helm, reachability, permissions, namespace, required Secrets; (problems, ns_exists)."""
    problems: list[pf.Problem] = []
    live.echo(f"preflight: helm {live.version} ({live.helm.executable})")
    live.echo(f"preflight: cluster {live.kube.server_version()} reachable")
    ns = live.env.namespace
    denied = [
        (verb, group, resource)
        for verb, group, resource in pf.REQUIRED_PERMISSIONS
        if not live.kube.can_i(verb, group, resource, ns)
    ]
    problems += pf.missing_permissions(denied, ns)
    exists = live.kube.namespace(ns) is not None
    if exists:
        present = {s["metadata"]["name"] for s in live.kube.secrets(ns)}
        problems += pf.missing_secrets(live.env.required_secrets, present, ns)
    elif not live.kube.can_i("create", "", "namespaces", ""):
        problems.append(
            pf.Problem(
                f"namespace {ns} does not exist and this identity may not " "create it",
                f"kubectl create namespace {ns}",
            )
        )
    else:
        problems += pf.missing_secrets(live.env.required_secrets, set(), ns)
    return problems, exists


def preflight_render(live: LiveEnv, objects: Sequence[lm.KubeObject]) -> list[pf.Problem]:
    """CRDs, ingress class and ClusterIssuers the rendered objects need."""
    served = live.kube.served_api_versions()
    problems = pf.missing_apis(objects, served)
    classes = live.kube.cluster_names("/apis/networking.k8s.io/v1/ingressclasses") or set()
    problems += pf.missing_ingress_classes(objects, classes)
    issuers = (
        live.kube.cluster_names("/apis/cert-manager.io/v1/clusterissuers")
        if "cert-manager.io/v1" in served
        else None
    )
    problems += pf.missing_issuers(objects, issuers)
    return problems


def _raise_preflight(problems: Sequence[pf.Problem]) -> None:
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise EnvironmentProblem(
            f"preflight failed ({len(problems)} problem(s)):\n{listed}",
            hint="fix each one with the command shown, then run the release again",
        )


# --- plan ---------------------------------------------------------------------------------------


def _objects_of_release(release: dict[str, Any]) -> list[lm.KubeObject]:
    objects = lm.parse_manifests(str(release.get("manifest", "")))
    for hook in release.get("hooks") or []:
        objects += lm.parse_manifests(str(hook.get("manifest", "")))
    return objects


def render_desired(live: LiveEnv, set_values: Sequence[str]) -> Desired:
    """A server-side dry run: `lookup` sees the live Secrets, so generated values are reused
    exactly as the real upgrade would reuse them, and an unchanged release renders unchanged."""
    argv = hal.upgrade_install_argv(
        live.version,
        live.target,
        str(live.config.chart),
        values_files=[str(v) for v in live.env.values],
        set_values=set_values,
        timeout=live.timeout,
        dry_run=True,
    )
    release = json.loads(live.run(argv, timeout_s=300).stdout)
    chart_meta = (release.get("chart") or {}).get("metadata") or {}
    chart = f"{chart_meta.get('name', '?')}-{chart_meta.get('version', '?')}"
    objects = _objects_of_release(release)
    state = rp.ReleaseState(chart, str(chart_meta.get("appVersion", "")), tuple(objects))
    return Desired(state, objects)


def live_state(live: LiveEnv, running: rv.Revision) -> rp.ReleaseState:
    objects = [*live.manifest(running.number), *live.hooks(running.number)]
    return rp.ReleaseState(running.chart, running.app_version, tuple(objects))


def make_plan(live: LiveEnv, desired: Desired) -> tuple[rp.ReleasePlan, list[rv.Revision]]:
    revisions = live.history()
    running = rv.current(revisions)
    plan = rp.build_plan(
        environment=live.env.name,
        release=live.env.release,
        namespace=live.env.namespace,
        current_revision=running.number if running else None,
        current_status=running.status if running else "",
        current=live_state(live, running) if running else None,
        desired=desired.state,
    )
    return plan, revisions


# --- act ----------------------------------------------------------------------------------------


def provenance(live: LiveEnv, set_values: Sequence[str]) -> meta.Provenance:
    files = [(path.name, path.read_bytes()) for path in live.env.values]
    return meta.Provenance(
        git_commit=gitinfo.head_commit(live.config.chart),
        values_digest=meta.values_digest(files, set_values),
        ci_job=meta.ci_job(os.environ),
    )


def _upgrade(live: LiveEnv, set_values: Sequence[str], prov: meta.Provenance) -> None:
    argv = hal.upgrade_install_argv(
        live.version,
        live.target,
        str(live.config.chart),
        values_files=[str(v) for v in live.env.values],
        set_values=set_values,
        timeout=live.timeout,
        description=meta.description(live.env.name, prov),
        labels=meta.release_labels(prov),
    )
    from helmkit.adapters.helm import mask_argv

    live.echo(f"release: {hal.shown(mask_argv(argv))}")
    with progress.pod_progress(live.env.kube_context, live.env.namespace, live.echo):
        live.run(argv)


def _explain_failure(live: LiveEnv, exc: HelmError, attempted: int) -> str:
    tail = "\n".join(exc.stderr.strip().splitlines()[-MAX_ERROR_LINES:])
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
    return f"release failed (revision {attempted}): {tail}\n{outcome}"


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


def _verify(live: LiveEnv, revision: int, run_tests: bool) -> int:
    result = verify_ops.verify(live, revision=revision, run_tests=run_tests)
    verify_ops.print_result(live, result, fmt="text")
    return result.exit_code


def release(live: LiveEnv, opts: ReleaseOptions) -> int:
    live.echo(f"== release {live.env.name}: {live.env.release} in namespace {live.env.namespace}")
    recovery = recover_ops.recover(live, grace_s=opts.pending_grace_s, dry_run=opts.dry_run)
    if opts.dry_run and recovery.action is not Action.NONE:
        live.echo("dry run: stopped; the release must be recovered before it can be planned")
        return 0
    # preflight, the offline gate and the server-side render are independent: run them at once
    # (each is a helm process or API calls) and report in the documented order
    with ThreadPoolExecutor(max_workers=3) as pool:
        checks = pool.submit(preflight_cluster, live)
        gated = pool.submit(gate.offline_gate, live, opts.set_values)
        rendered = pool.submit(render_desired, live, opts.set_values)
        problems, ns_exists = checks.result()
        _raise_preflight(problems)
        live.echo(f"gate: {gated.result()}")
        desired = rendered.result()
    _raise_preflight(preflight_render(live, desired.objects))
    live.echo("preflight: ok")
    plan, revisions = make_plan(live, desired)
    if not ns_exists:
        live.echo(
            f"plan: create namespace {live.env.namespace} enforcing Pod Security 'restricted'"
        )
    for line in rp.describe_plan(plan):
        live.echo(line)
    if opts.dry_run:
        live.echo("dry run: stopped after the plan")
        return 0
    if plan.no_change and plan.current_revision is not None:
        live.echo(f"no change: no new revision; verifying revision {plan.current_revision}")
        return _verify(live, plan.current_revision, opts.run_tests)
    if not ns_exists:
        live.kube.create_namespace(live.env.namespace, PSA_LABELS)
    attempted = (revisions[-1].number if revisions else 0) + 1
    try:
        _upgrade(live, opts.set_values, provenance(live, opts.set_values))
    except HelmError as exc:
        live.echo(_explain_failure(live, exc, attempted))
        return 1
    running = rv.current(live.history())
    if running is None:
        raise HelmkitError("helm reported success but the release has no revision")
    code = _verify(live, running.number, opts.run_tests)
    for line in summary(live, running, plan.current_revision, desired.objects):
        live.echo(line)
    if code:
        live.echo("verify found errors: the release is deployed but not healthy (see above)")
    return code
