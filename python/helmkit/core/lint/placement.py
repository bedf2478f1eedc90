"""Pods spread one per node (pure): which workloads of a render carry required pod anti-affinity
per hostname, how many nodes they need at their minimum and at their autoscaled maximum with
the rollout surge, and which nodes of a cluster can take their pods.

Why it matters: with `requiredDuringSchedulingIgnoredDuringExecution` anti-affinity on
`kubernetes.io/hostname`, the scheduler puts at most one of the workload's pods on a node. A
rolling update with `maxUnavailable: 0` starts the surge pods before it stops an old one, so a
rollout at R replicas needs R + surge nodes; pods beyond the node count stay Pending, the HPA
stalls there, and a rollout at full scale never finishes.

A node takes a pod when it is Ready, not cordoned, every NoSchedule/NoExecute taint is tolerated,
and the pod's nodeSelector and required node affinity match its labels (the scheduler's filters
that do not depend on other pods). Free CPU and memory are not judged here: requests change with
load, the node count does not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helmkit.core.lint.policy_findings import finding
from helmkit.core.model.findings import Finding
from helmkit.core.model.manifests import K8sObject

HOSTNAME = "kubernetes.io/hostname"
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
SPREAD_KINDS = ("Deployment", "StatefulSet")
_BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")

Obj = Mapping[str, Any]


# --- workloads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """A workload whose pods the scheduler places at most one per node."""

    kind: str
    name: str
    pod: Mapping[str, Any]  # the pod template's spec (scheduling fields)
    minimum: int  # spec.replicas, or the HPA's minReplicas
    maximum: int  # spec.replicas, or the HPA's maxReplicas
    autoscaled: bool
    strategy: Mapping[str, Any]  # the Deployment's spec.strategy ({} for a StatefulSet)

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"

    def budget(self, replicas: int) -> tuple[int, int]:
        """(surge, unavailable) of a rollout at `replicas`."""
        return rollout_budget(self.kind, self.strategy, replicas)

    def waits(self, replicas: int) -> bool:
        """maxUnavailable resolves to 0: surge pods start before any old pod stops."""
        return self.budget(replicas)[1] == 0

    def needed(self, replicas: int) -> int:
        """Nodes a rollout at `replicas` needs: with maxUnavailable 0 the surge pods run beside
        every old pod; otherwise an old pod stops first and frees its node."""
        surge, unavailable = self.budget(replicas)
        return replicas + surge if unavailable == 0 else replicas

    @property
    def needed_at_min(self) -> int:
        return self.needed(self.minimum)

    @property
    def needed_at_max(self) -> int:
        return self.needed(self.maximum)

    def largest_rollout(self, nodes: int) -> int:
        """The most replicas whose rollout still finishes on `nodes` (0: none)."""
        return max((r for r in range(1, self.maximum + 1) if self.needed(r) <= nodes), default=0)


def _scaled(value: Any, replicas: int, round_up: bool) -> int:
    """An int-or-percent of `replicas`, rounded as the Deployment controller rounds it."""
    if isinstance(value, str) and value.endswith("%"):
        share = replicas * float(value[:-1]) / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value)


def rollout_budget(kind: str, strategy: Mapping[str, Any], replicas: int) -> tuple[int, int]:
    """(surge, unavailable) of a rollout at `replicas`, as the controller computes them (both 0
    is impossible: unavailable becomes 1). StatefulSets replace pods one at a time, no surge."""
    if kind != "Deployment":
        return 0, 1
    if strategy.get("type") == "Recreate":
        return 0, replicas
    rolling = strategy.get("rollingUpdate") or {}
    surge = _scaled(rolling.get("maxSurge", "25%"), replicas, round_up=True)
    unavailable = _scaled(rolling.get("maxUnavailable", "25%"), replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions) against labels; an empty selector
    matches nothing here (anti-affinity against every pod is not a spread of the workload)."""
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return False
    if any(labels.get(k) != v for k, v in match_labels.items()):
        return False
    return all(_expression_matches(e, labels) for e in expressions)


def _expression_matches(expression: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """One selector requirement (In, NotIn, Exists, DoesNotExist, Gt, Lt) against labels."""
    key, operator = str(expression.get("key", "")), str(expression.get("operator", ""))
    values = [str(v) for v in expression.get("values") or []]
    present = key in labels
    value = str(labels.get(key, ""))
    simple = {
        "In": present and value in values,
        "NotIn": not present or value not in values,
        "Exists": present,
        "DoesNotExist": not present,
    }
    if operator in simple:
        return simple[operator]
    if operator not in ("Gt", "Lt") or not present or not values:
        return False
    try:
        number, bound = int(value), int(values[0])
    except ValueError:
        return False
    return number > bound if operator == "Gt" else number < bound


def spreads_by_hostname(template: Obj) -> bool:
    """The pod template's required anti-affinity keeps two of its own pods off one node."""
    metadata = template.get("metadata") or {}
    spec = template.get("spec") or {}
    anti = (spec.get("affinity") or {}).get("podAntiAffinity") or {}
    own = metadata.get("labels") or {}
    return any(
        term.get("topologyKey") == HOSTNAME
        and selector_matches(term.get("labelSelector") or {}, own)
        for term in anti.get("requiredDuringSchedulingIgnoredDuringExecution") or []
    )


def _hpa_bounds(objects: Sequence[Obj]) -> dict[tuple[str, str], tuple[int, int]]:
    bounds: dict[tuple[str, str], tuple[int, int]] = {}
    for hpa in objects:
        if hpa.get("kind") == "HorizontalPodAutoscaler":
            spec = hpa.get("spec") or {}
            ref = spec.get("scaleTargetRef") or {}
            key = (str(ref.get("kind")), str(ref.get("name")))
            bounds[key] = (int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", 1)))
    return bounds


def spreads(objects: Sequence[Obj]) -> list[Spread]:
    """Every Deployment or StatefulSet of the render that spreads one pod per node."""
    bounds = _hpa_bounds(objects)
    found: list[Spread] = []
    for obj in objects:
        if obj.get("kind") not in SPREAD_KINDS:
            continue
        spec = obj.get("spec") or {}
        template = spec.get("template") or {}
        if not spreads_by_hostname(template):
            continue
        kind, name = str(obj["kind"]), str((obj.get("metadata") or {}).get("name", ""))
        hpa = bounds.get((kind, name))
        low, high = hpa if hpa else (int(spec.get("replicas", 1)),) * 2
        strategy = (spec.get("strategy") or {}) if kind == "Deployment" else {}
        found.append(
            Spread(kind, name, template.get("spec") or {}, low, high, hpa is not None, strategy)
        )
    return found


# --- nodes --------------------------------------------------------------------------------------


def tolerates(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """Kubernetes' Toleration.ToleratesTaint: an empty effect matches every effect, an empty key
    with Exists every key; Equal (the default operator) compares values."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    operator = toleration.get("operator") or "Equal"
    if key and key != taint.get("key"):
        return False
    if operator == "Exists":
        return True
    if operator != "Equal":
        return False
    return str(toleration.get("value") or "") == str(taint.get("value") or "")


def _taint_text(taint: Mapping[str, Any]) -> str:
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint.get('key')}{value}:{taint.get('effect')}"


def _ready(node: Obj) -> bool:
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _node_term_matches(term: Mapping[str, Any], node: Obj) -> bool:
    labels = (node.get("metadata") or {}).get("labels") or {}
    fields = {"metadata.name": (node.get("metadata") or {}).get("name", "")}
    expressions = term.get("matchExpressions") or []
    field_expressions = term.get("matchFields") or []
    if not expressions and not field_expressions:
        return False  # the API server's rule: an empty term matches no node
    return all(_expression_matches(e, labels) for e in expressions) and all(
        _expression_matches(e, fields) for e in field_expressions
    )


def refusal(node: Obj, pod: Mapping[str, Any]) -> str:
    """Why the node cannot take the pod ("" when it can)."""
    if not _ready(node):
        return "not Ready"
    tolerations = pod.get("tolerations") or []
    taints = list((node.get("spec") or {}).get("taints") or [])
    if (node.get("spec") or {}).get("unschedulable"):
        cordon = {"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule"}
        if not any(tolerates(t, cordon) for t in tolerations):
            return "cordoned"
    for taint in taints:
        if taint.get("effect") in _BLOCKING_EFFECTS and not any(
            tolerates(t, taint) for t in tolerations
        ):
            return f"taint {_taint_text(taint)} not tolerated"
    labels = (node.get("metadata") or {}).get("labels") or {}
    selector = pod.get("nodeSelector") or {}
    unmatched = sorted(k for k, v in selector.items() if labels.get(k) != v)
    if unmatched:
        return f"nodeSelector {', '.join(f'{k}={selector[k]}' for k in unmatched)} not matched"
    affinity = ((pod.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if affinity is not None and not any(
        _node_term_matches(t, node) for t in affinity.get("nodeSelectorTerms") or []
    ):
        return "required node affinity not matched"
    return ""


@dataclass(frozen=True)
class NodeCount:
    """The nodes that can take a workload's pods, and why the others cannot."""

    able: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]  # (node, why)

    def describe(self, shown: int = 3) -> str:
        text = f"{len(self.able)} of {len(self.able) + len(self.refused)} node(s) can take its pods"
        if not self.refused:
            return text
        listed = "; ".join(f"{name}: {why}" for name, why in self.refused[:shown])
        more = f"; {len(self.refused) - shown} more" if len(self.refused) > shown else ""
        return f"{text} ({listed}{more})"


def count_nodes(nodes: Iterable[Obj], pod: Mapping[str, Any]) -> NodeCount:
    able: list[str] = []
    refused: list[tuple[str, str]] = []
    for node in sorted(nodes, key=lambda n: str((n.get("metadata") or {}).get("name", ""))):
        name = str((node.get("metadata") or {}).get("name", ""))
        why = refusal(node, pod)
        if why:
            refused.append((name, why))
        else:
            able.append(name)
    return NodeCount(tuple(able), tuple(refused))


# --- verdicts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One workload against the cluster's nodes: "error" cannot work, "warning" stalls at scale,
    "ok" fits."""

    level: str
    message: str
    fix: str = ""


def _rollout_text(spread: Spread, replicas: int) -> str:
    surge = spread.budget(replicas)[0]
    if spread.waits(replicas) and surge:
        return f"{replicas} replica(s) plus rollout surge {surge} (maxUnavailable 0)"
    return f"{replicas} replica(s)"


def judge(spread: Spread, count: NodeCount) -> Verdict:
    nodes = len(count.able)
    lead = f"{spread.ref} runs at most one pod per node (required pod anti-affinity per {HOSTNAME})"
    fix = (
        f"make at least {spread.needed_at_max} nodes able to take its pods (tolerations, "
        "nodeSelector, uncordon), or make the anti-affinity preferred (this chart: "
        "podAntiAffinityPreset: soft)"
        + (", or lower autoscaling.maxReplicas" if spread.autoscaled else ", or fewer replicas")
    )
    if nodes < spread.needed_at_min:
        effect = (
            f"{spread.minimum - nodes} of its minimum {spread.minimum} pod(s) stay Pending"
            if nodes < spread.minimum
            else "every rollout waits forever for a node for its surge pods"
        )
        return Verdict(
            "error",
            f"{lead}; {count.describe()}, but {_rollout_text(spread, spread.minimum)} need "
            f"{spread.needed_at_min}: {effect}",
            fix,
        )
    if nodes < spread.needed_at_max:
        scale = (
            f"the HPA stalls at {nodes} pod(s) (the rest stay Pending) and "
            if spread.autoscaled and nodes < spread.maximum
            else ""
        )
        return Verdict(
            "warning",
            f"{lead}; {count.describe()}, but {_rollout_text(spread, spread.maximum)} need "
            f"{spread.needed_at_max}: {scale}a rollout at more than "
            f"{spread.largest_rollout(nodes)} replica(s) never finishes",
            fix,
        )
    return Verdict(
        "ok",
        f"{spread.ref}: {count.describe()}, enough for "
        f"{_rollout_text(spread, spread.maximum)} ({spread.needed_at_max} needed)",
    )


def judge_all(objects: Sequence[Obj], nodes: Sequence[Obj]) -> list[Verdict]:
    return [judge(s, count_nodes(nodes, s.pod)) for s in spreads(objects)]


def lint_messages(objects: Sequence[Obj]) -> Iterator[tuple[Spread, str]]:
    """The lint side, without a cluster: autoscaled workloads spread one per node whose maximum
    plus surge needs a cluster of that many able nodes (what preflight then counts)."""
    for spread in spreads(objects):
        surge = spread.budget(spread.maximum)[0]
        if not (spread.autoscaled and spread.waits(spread.maximum) and surge):
            continue
        yield (
            spread,
            (
                f"required pod anti-affinity per {HOSTNAME} runs at most one pod per node, the HPA "
                f"may scale to {spread.maximum} and a rollout adds {surge} surge pod(s) before "
                f"stopping any (maxUnavailable 0): it needs {spread.needed_at_max} nodes that can "
                "take its pods; on fewer the HPA stalls and a rollout at full scale never finishes"
            ),
        )


def anti_affinity_nodes(objects: list[K8sObject]) -> Iterator[Finding]:
    """Lint rule `anti-affinity-nodes`."""
    by_ref = {o.ref: o for o in objects}
    for spread, message in lint_messages([o.body for o in objects]):
        yield finding(
            "anti-affinity-nodes",
            by_ref[spread.ref],
            "spec.template.spec.affinity.podAntiAffinity",
            message,
            f"run it where at least {spread.needed_at_max} nodes can take its pods (`helmkit "
            "release` counts them in preflight), or make the anti-affinity preferred (this "
            "chart: podAntiAffinityPreset: soft), lower maxReplicas, or allow maxUnavailable 1",
        )
