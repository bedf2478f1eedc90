"""`helmkit adopt ENV`: bring a namespace deployed without Helm under the release, data kept.

Plan first (read the namespace and the volumes, render the chart with the adoption overlay,
decide each object's fate: `helmkit.core.release.adopt_plan`, `adopt_data`,
`adopt_secret`), print it, stop there with --dry-run or on any problem. Then, holding the
release lock:

1. write the values overlay (existingSecret, the seed's PostgreSQL image, user and names);
2. record the carry on the PostgreSQL volume and set its reclaim policy to Retain;
3. label and annotate the objects Helm adopts;
4. delete the objects the plan replaces or retires (each preconditioned on the uid read);
5. move the volume to the chart's claim, step by step, each step judged from the cluster.

Every step checks what is already done, so a run stopped anywhere is finished by running it
again. `helmkit release ENV` (with the overlay in the environment's values) then creates the
rest and takes the adopted objects over.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helmkit.adapters.kube import KubeError
from helmkit.core.helm import argv as helm_argv
from helmkit.core.model import live_manifests as lm
from helmkit.core.release import adopt_data as ad
from helmkit.core.release import adopt_plan as ap
from helmkit.core.release import adopt_report as ar
from helmkit.core.release import adopt_secret as asec
from helmkit.core.release.adopt_report import Plan
from helmkit.core.release.meta import parse_duration
from helmkit.errors import EnvironmentProblem
from helmkit.ops.live import LiveEnv

POLL_S = 2.0
_OUTCOMES = {
    "deleted": "deleted",
    "gone": "already gone",
    "changed": "re-created since the plan was made: left alone (run adopt again to plan it)",
}


@dataclass(frozen=True)
class AdoptOptions:
    values_out: Path
    existing_secret: str = ""
    keep: tuple[str, ...] = ()
    dry_run: bool = False
    yes: bool = False


# --- reading and planning -----------------------------------------------------------------------


def _render(live: LiveEnv, overlay: dict[str, Any]) -> list[lm.KubeObject]:
    """The chart as the next release will render it: the environment's values, then the
    overlay (a client-side render: with existingSecret set no value depends on `lookup`)."""
    with tempfile.TemporaryDirectory(prefix="helmkit-adopt-") as work:
        extra = Path(work) / "adopt.yaml"
        extra.write_text(yaml.safe_dump(overlay, sort_keys=False))
        argv = helm_argv.template_argv(
            live.env.release,
            str(live.config.chart),
            namespace=live.env.namespace,
            values_files=[*(str(v) for v in live.env.values), str(extra)],
        )
        return lm.parse_manifests(live.run(argv, timeout_s=300).stdout)


def _written_secret(path: Path) -> str:
    """secrets.existingSecret of an overlay an earlier run wrote (its workloads may be gone)."""
    try:
        written = yaml.safe_load(path.read_text()) if path.is_file() else None
    except (OSError, yaml.YAMLError):
        return ""
    secrets = (written or {}).get("secrets") if isinstance(written, dict) else None
    return str((secrets or {}).get("existingSecret") or "") if isinstance(secrets, dict) else ""


def read_volume(live: LiveEnv, pv_name: str, target_claim: str) -> ad.Volume | None:
    """The carry's state as the cluster shows it now."""
    kube, ns = live.kube, live.env.namespace
    pv = kube.object("PersistentVolume", "", pv_name)
    if pv is None:
        return None
    notes = (pv.get("metadata") or {}).get("annotations") or {}
    ref = (pv.get("spec") or {}).get("claimRef") or {}
    seed_name = str(notes.get(ad.NOTE_FROM) or ref.get("name") or "")
    seed = (
        kube.object("PersistentVolumeClaim", ns, seed_name) if seed_name != target_claim else None
    )
    if seed is not None and (seed.get("spec") or {}).get("volumeName") not in (None, "", pv_name):
        seed = None  # a claim of that name bound elsewhere is not the carried one
    new = kube.object("PersistentVolumeClaim", ns, target_claim)
    users = ad.claim_users(kube.items("Pod", ns), seed_name) if seed is not None else ()
    return ad.Volume(pv, ns, target_claim, seed, new, users)


@dataclass
class Seed:
    """The seed's database as read: its workload, claim and volume, and the values keeping it."""

    database: ad.Database | None = None
    claim: lm.KubeObject | None = None
    pv: lm.KubeObject | None = None
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[ap.Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recorded: dict[str, Any] = field(default_factory=dict)  # the overlay recorded on the volume


def _named(objects: Sequence[lm.KubeObject], kind: str, name: str) -> lm.KubeObject | None:
    return next((o for o in objects if lm.key_of(o) == lm.ObjectKey(kind, name)), None)


def read_seed(
    objects: Sequence[lm.KubeObject], pvs: Sequence[lm.KubeObject], release: str, ns: str
) -> Seed:
    """The seed's PostgreSQL, or (a resumed run, its workload gone) what adopt recorded on the
    volume it is carrying."""
    seed = Seed()
    mine = (release, ns)
    seed.database, seed.problems = ad.find_database(
        [o for o in objects if ap.owner_release(o) != mine]
    )
    db = seed.database
    if db is not None:
        seed.claim = _named(objects, "PersistentVolumeClaim", db.claim)
        if seed.claim is None or not (seed.claim.get("spec") or {}).get("volumeName"):
            seed.problems.append(
                ap.Problem(
                    f"claim {db.claim} of {db.workload} is missing or bound to no volume",
                    f"adopt carries a bound claim's volume: check `kubectl -n {ns} get pvc "
                    f"{db.claim}`",
                )
            )
    seed.pv = ad.carried_pv(pvs, ns, seed.claim)
    seed.recorded = ad.recorded_values(seed.pv) if seed.pv is not None else {}
    if db is not None and seed.claim is not None and seed.pv is not None:
        request = ((seed.claim.get("spec") or {}).get("resources") or {}).get("requests") or {}
        size = str(request.get("storage") or ad.capacity(seed.pv))
        storage_class = str((seed.pv.get("spec") or {}).get("storageClassName") or "")
        seed.values = ad.database_values(db, size, storage_class)
    elif seed.pv is not None:
        seed.values = dict(seed.recorded.get("postgresql") or {})
        name = lm.key_of(seed.pv).name
        seed.notes.append(f"resuming: volume {name} is being carried (recorded on it)")
    return seed


def _volume_state(
    live: LiveEnv, seed: Seed, target: ad.Target | None
) -> tuple[ad.Volume | None, list[ap.Problem]]:
    if seed.pv is None or target is None:
        return None, []
    if not target.claim:
        no_volume = ap.Problem(
            "the chart's PostgreSQL has no volume (postgresql.persistence.enabled is false)",
            "enable postgresql.persistence in the environment's values",
        )
        return None, [no_volume]
    layout = ad.layout_problem(seed.database, target) if seed.database else None
    if layout is not None:
        return None, [layout]
    volume = read_volume(live, lm.key_of(seed.pv).name, target.claim)
    taken = ad.carry_problem(volume) if volume is not None else None
    return volume, [taken] if taken else []


def make_plan(live: LiveEnv, opts: AdoptOptions) -> Plan:
    kube, ns, release = live.kube.ready(), live.env.namespace, live.env.release
    if kube.namespace(ns) is None:
        raise EnvironmentProblem(
            f"namespace {ns} does not exist: there is nothing to adopt",
            hint=f"check environments.{live.env.name}.namespace in helmkit.yaml",
        )
    objects = kube.objects(ns)
    seed = read_seed(objects, kube.persistent_volumes(), release, ns)
    problems = list(seed.problems)
    secret = (
        opts.existing_secret
        or str((seed.recorded.get("secrets") or {}).get("existingSecret") or "")
        or _written_secret(opts.values_out)
        or asec.secret_in_use(objects, release, ns)
    )
    if not secret:
        problems.append(
            ap.Problem(
                "no Secret of the seed found for secrets.existingSecret (no workload reads one)",
                "name it with --existing-secret NAME",
            )
        )
    overlay = ad.overlay_values(secret, seed.values)
    desired = _render(live, overlay) if secret else []
    target = ad.chart_target(desired)
    volume, found = _volume_state(live, seed, target)
    problems += found
    carried = frozenset({seed.database.claim} if seed.database and volume else ())
    if seed.database is not None and str(seed.database.workload) in opts.keep and volume:
        problems.append(
            ap.Problem(
                f"{seed.database.workload} is kept (--keep) but its volume is to be carried: "
                "its pod would hold the claim forever",
                f"drop --keep {seed.database.workload}; adopt stops it before moving the volume",
            )
        )
    inputs = ap.Inputs(
        release, ns, tuple(objects), tuple(desired), secret, carried, frozenset(opts.keep)
    )
    object_plan = ap.plan_objects(inputs)
    problems += object_plan.problems
    check = None
    if secret and desired:
        check = _check_secret(live, secret, objects, desired, overlay)
        problems += check.problems
    plan = Plan(object_plan, overlay, check, volume, target, seed.database, problems, seed.notes)
    plan.live, plan.desired = lm.by_key(objects), lm.by_key(ap.rendered(desired))
    return plan


def _check_secret(
    live: LiveEnv,
    name: str,
    objects: Sequence[lm.KubeObject],
    desired: Sequence[lm.KubeObject],
    overlay: dict[str, Any],
) -> asec.SecretCheck:
    ns = live.env.namespace
    present = [o for o in objects if lm.key_of(o) == lm.ObjectKey("Secret", name)]
    if not present:
        problem = ap.Problem(
            f"Secret {name} does not exist in {ns}",
            "create it (keys JWT_SECRET_KEY, DATABASE_URL, POSTGRES_PASSWORD, REDIS_URL, "
            "OPENAI_API_KEY, GEMINI_API_KEY) or name another with --existing-secret",
        )
        return asec.SecretCheck((problem,), (), ())
    keys = sorted((present[0].get("data") or {}).keys())
    services = {lm.key_of(s).name for s in lm.of_kind(desired, "Service")}
    platform = _platform(desired)
    auth = (overlay.get("postgresql") or {}).get("auth") or {}
    return asec.check_secret(
        name,
        keys,
        live.kube.secret_endpoints(ns, name),
        desired,
        namespace=ns,
        database_service=f"{platform}-postgresql" if f"{platform}-postgresql" in services else "",
        database=str(auth.get("database") or "ai_native"),
        redis_service=f"{platform}-redis" if f"{platform}-redis" in services else "",
    )


def _platform(desired: Sequence[lm.KubeObject]) -> str:
    """`<platform>` of the chart's names, from its app ConfigMap (`<platform>-config`)."""
    for cm in lm.of_kind(desired, "ConfigMap"):
        name = lm.key_of(cm).name
        if (
            name.endswith("-config")
            and lm.labels(cm).get("app.kubernetes.io/component") == "platform"
        ):
            return name.removesuffix("-config")
    return ""


# --- acting -------------------------------------------------------------------------------------


def write_overlay(path: Path, overlay: dict[str, Any], env: str) -> bool:
    text = (
        f"# Written by `helmkit adopt {env}`: the seed's Secret (secrets.existingSecret) and its\n"
        "# PostgreSQL (image, user, names, volume) kept. List this file in the environment's\n"
        "# values in helmkit.yaml, after the others. No secret value is in it.\n"
        + yaml.safe_dump(overlay, sort_keys=False)
    )
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True


def _wait(live: LiveEnv, what: str, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + parse_duration(live.timeout)
    while not done():
        if time.monotonic() > deadline:
            raise EnvironmentProblem(
                f"adopt: timed out after {live.timeout} waiting for {what}",
                hint="see `kubectl get events`; run adopt again to continue from here",
            )
        time.sleep(POLL_S)


def _record_volume(live: LiveEnv, plan: Plan) -> None:
    volume = plan.volume
    if volume is None or volume.seed_claim is None or ad.carried_to(volume.pv, volume.namespace):
        return
    notes = ad.volume_notes(
        volume.namespace, volume.target_claim, volume.seed_claim, volume.pv, plan.overlay
    )
    live.kube.merge_patch(
        "PersistentVolume", "", lm.key_of(volume.pv).name, {"metadata": {"annotations": notes}}
    )
    live.echo(f"adopt: recorded the carry on volume {lm.key_of(volume.pv).name}")


def _carry(live: LiveEnv, plan: Plan, *, until_retained: bool) -> None:
    assert plan.volume is not None and plan.target is not None
    pv_name, claim = lm.key_of(plan.volume.pv).name, plan.volume.target_claim
    ns = live.env.namespace
    while True:
        volume = read_volume(live, pv_name, claim)
        if volume is None:
            raise EnvironmentProblem(f"adopt: volume {pv_name} disappeared", hint="check it first")
        step = ad.next_step(volume, plan.target.claim_labels)
        if step is None or (until_retained and step.kind != "retain"):
            return
        live.echo(f"adopt: {step.text}")
        if step.kind == "retain":
            live.kube.merge_patch(
                "PersistentVolume",
                "",
                pv_name,
                {"spec": {"persistentVolumeReclaimPolicy": "Retain"}},
            )
        elif step.kind == "delete-seed-claim" and volume.seed_claim is not None:
            seed = volume.seed_claim["metadata"]
            live.kube.delete("PersistentVolumeClaim", ns, seed["name"], str(seed.get("uid", "")))
        elif step.kind == "reserve" and step.body is not None:
            live.kube.merge_patch("PersistentVolume", "", pv_name, step.body)
        elif step.kind == "create-claim" and step.body is not None:
            live.kube.create("PersistentVolumeClaim", ns, step.body)
        if step.kind in ("wait-unused", "wait-gone", "wait-bound", "delete-seed-claim"):
            _wait(
                live,
                step.text.removeprefix("wait until "),
                functools.partial(_moved_on, live, pv_name, claim, step),
            )


def _moved_on(live: LiveEnv, pv_name: str, claim: str, step: ad.Step) -> bool:
    volume = read_volume(live, pv_name, claim)
    if volume is None:
        return True
    after = ad.next_step(volume, {})
    return after is None or after.kind not in {step.kind, "wait-gone"}


def apply(live: LiveEnv, plan: Plan, opts: AdoptOptions) -> None:
    ns, release = live.env.namespace, live.env.release
    if write_overlay(opts.values_out, plan.overlay, live.env.name):
        live.echo(f"adopt: wrote {opts.values_out}")
    if plan.volume is not None:
        _record_volume(live, plan)
        _carry(live, plan, until_retained=True)
    for decision in plan.objects.of(ap.Fate.ADOPT):
        patch = ap.adoption_patch(plan.live[decision.key], plan.desired[decision.key], release, ns)
        live.kube.merge_patch(decision.key.kind, ns, decision.key.name, patch)
        live.echo(f"adopt: {decision.key} now carries release {release}'s ownership")
    gone = plan.deletes
    for decision in gone:
        outcome = live.kube.delete(decision.key.kind, ns, decision.key.name, decision.uid)
        live.echo(f"adopt: {decision.key}: {_OUTCOMES[outcome]}")
    if plan.volume is not None:
        _carry(live, plan, until_retained=False)
        live.echo(f"adopt: claim {plan.volume.target_claim} is bound to the carried volume")


def adopt(live: LiveEnv, opts: AdoptOptions, ask: Callable[[str], bool]) -> int:
    plan = make_plan(live, opts)
    for line in ar.describe(plan, live.env.release, live.env.namespace, str(opts.values_out)):
        live.echo(line)
    if plan.problems:
        listed = "\n".join(f"  - {p}" for p in plan.problems)
        raise EnvironmentProblem(
            f"adopt refused ({len(plan.problems)} problem(s)); nothing was changed:\n{listed}",
            hint="fix each one as shown, then run adopt again (--dry-run to see the plan)",
        )
    if opts.dry_run:
        live.echo("dry run: nothing changed")
        return 0
    deletes = len(plan.deletes)
    question = f"delete {deletes} object(s) and adopt the rest into release {live.env.release}?"
    if deletes and not opts.yes and not ask(question):
        live.echo("adopt: cancelled, nothing changed")
        return 1
    try:
        apply(live, plan, opts)
    except KubeError as exc:
        raise EnvironmentProblem(
            f"adopt stopped: {exc.message}",
            hint="what is done stays done; fix the cause and run adopt again to continue",
        ) from exc
    for line in next_steps(live, opts):
        live.echo(line)
    return 0


def next_steps(live: LiveEnv, opts: AdoptOptions) -> list[str]:
    listed = any(v.resolve() == opts.values_out.resolve() for v in live.env.values)
    lines = ["adopted: the objects above now wait for the release"]
    if not listed:
        lines.append(
            f"  next:   add {opts.values_out} to environments.{live.env.name}.values in "
            "helmkit.yaml (after the others), then:"
        )
    lines.append(f"  then:   helmkit release {live.env.name}")
    return lines
