"""`helmkit adopt`: the whole plan, and how it is shown (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from helmkit.core.model import live_manifests as lm
from helmkit.core.model import workloads
from helmkit.core.release import adopt_data as ad
from helmkit.core.release import adopt_plan as ap
from helmkit.core.release import adopt_secret as asec

_ORDER = (
    ap.Fate.ADOPT,
    ap.Fate.REPLACE,
    ap.Fate.RETIRE,
    ap.Fate.KEEP,
    ap.Fate.CARRY,
    ap.Fate.OWNED,
)


@dataclass
class Plan:
    objects: ap.ObjectPlan
    overlay: dict[str, Any]
    secret: asec.SecretCheck | None
    volume: ad.Volume | None  # the carry, when there is one
    target: ad.Target | None
    database: ad.Database | None
    problems: list[ap.Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    live: dict[lm.ObjectKey, lm.KubeObject] = field(default_factory=dict)
    desired: dict[lm.ObjectKey, lm.KubeObject] = field(default_factory=dict)

    @property
    def deletes(self) -> list[ap.Decision]:
        return self.objects.of(ap.Fate.REPLACE) + self.objects.of(ap.Fate.RETIRE)


def describe(plan: Plan, release: str, namespace: str, values_out: str) -> list[str]:
    lines = [f"adopt plan for release {release} in {namespace}:"]
    lines += [f"  {note}" for note in plan.notes]
    for fate in _ORDER:
        lines += [d.line() for d in plan.objects.of(fate)]
    if plan.objects.new:
        lines.append(f"  created by the release: {', '.join(str(k) for k in plan.objects.new)}")
    lines += describe_data(plan)
    if plan.secret is not None:
        keys = ", ".join(plan.secret.keys) or "none"
        name = plan.overlay["secrets"]["existingSecret"]
        lines.append(f"  secret:  {name} kept as secrets.existingSecret (keys: {keys})")
        lines += [f"  warning: {w}" for w in plan.secret.warnings]
    lines.append(f"  values:  {values_out} (the overlay the release needs):")
    lines += [f"    {line}" for line in yaml.safe_dump(plan.overlay, sort_keys=False).splitlines()]
    return lines


def lost_contents(plan: Plan) -> list[str]:
    """Workloads deleted by the plan that kept data on no volume claim (the seed's Redis)."""
    lost = []
    for decision in plan.deletes:
        obj = plan.live.get(decision.key)
        if obj is None or decision.key.kind not in workloads.LONG_RUNNING:
            continue
        if plan.database is not None and decision.key == plan.database.workload:
            continue
        spec = (workloads.pod_spec(obj) or {})
        claims = [v for v in spec.get("volumes") or () if v.get("persistentVolumeClaim")]
        if not claims and not (obj.get("spec") or {}).get("volumeClaimTemplates"):
            lost.append(str(decision.key))
    return lost


def describe_data(plan: Plan) -> list[str]:
    lines: list[str] = []
    volume, target = plan.volume, plan.target
    if volume is not None and target is not None:
        pv = lm.key_of(volume.pv).name
        size = ad.capacity(volume.pv)
        policy = (volume.pv.get("spec") or {}).get("persistentVolumeReclaimPolicy")
        if ad.next_step(volume, {}) is None:
            lines.append(f"  data:    volume {pv} ({size}) is bound to claim {volume.target_claim}")
        else:
            seed = lm.key_of(volume.seed_claim).name if volume.seed_claim else "(deleted)"
            lines += [
                f"  data:    volume {pv} ({size}, reclaim policy {policy}) moves from claim "
                f"{seed} to {volume.target_claim} of StatefulSet {target.statefulset}",
                "           its reclaim policy is set to Retain first and stays Retain",
            ]
    elif plan.database is None:
        lines.append("  data:    no PostgreSQL of the seed found; nothing to carry")
    if plan.database is not None:
        lines.append(
            f"           the server keeps the seed's image {plan.database.image} "
            f"(uid {plan.database.run_as_user}): its files are of that major version"
        )
    lines += [f"  not carried: the contents of {key} (no volume)" for key in lost_contents(plan)]
    return lines
