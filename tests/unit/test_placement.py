"""Pods spread one per node: which workloads, how many nodes they need, which nodes can take
them (taints, cordon, readiness, nodeSelector, node affinity), preflight's verdict and the lint
rule."""

from __future__ import annotations

from typing import Any

import pytest
from offline_objects import obj

from helmkit.core.lint import placement
from helmkit.core.model.findings import Severity

LABELS = {"app.kubernetes.io/name": "backend", "app.kubernetes.io/instance": "ai"}
HARD = {
    "podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": placement.HOSTNAME, "labelSelector": {"matchLabels": LABELS}}
        ]
    }
}
SOFT = {
    "podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {
                "weight": 100,
                "podAffinityTerm": {
                    "topologyKey": placement.HOSTNAME,
                    "labelSelector": {"matchLabels": LABELS},
                },
            }
        ]
    }
}


def deployment(
    affinity: dict[str, Any] | None = HARD,
    *,
    replicas: int | None = None,
    surge: Any = "25%",
    unavailable: Any = 0,
    pod: dict[str, Any] | None = None,
    name: str = "backend",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
        },
        "template": {
            "metadata": {"labels": dict(LABELS)},
            "spec": {"containers": [{"name": "app"}], **(pod or {})},
        },
    }
    if affinity is not None:
        spec["template"]["spec"]["affinity"] = affinity
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def hpa(low: int = 3, high: int = 10, name: str = "backend") -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": low,
            "maxReplicas": high,
        },
    }


def node(
    name: str,
    *,
    ready: bool = True,
    cordoned: bool = False,
    taints: list[dict[str, str]] | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "kind": "Node",
        "metadata": {"name": name, "labels": {placement.HOSTNAME: name, **(labels or {})}},
        "spec": {"unschedulable": cordoned, "taints": taints or []},
        "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


def nodes(count: int) -> list[dict[str, Any]]:
    return [node(f"n{i:02d}") for i in range(count)]


# --- which workloads, how many nodes -----------------------------------------------------------


def test_production_shape_needs_maximum_plus_surge() -> None:
    (spread,) = placement.spreads([deployment(), hpa(3, 10)])
    assert (spread.minimum, spread.maximum, spread.autoscaled) == (3, 10, True)
    assert (spread.budget(3), spread.budget(10)) == ((1, 0), (3, 0))  # 25% rounds up
    assert (spread.needed_at_min, spread.needed_at_max) == (4, 13)
    assert [spread.largest_rollout(n) for n in (1, 2, 3, 5, 6, 12, 13)] == [0, 1, 2, 4, 4, 9, 10]


def test_only_required_anti_affinity_on_own_pods_per_hostname_spreads() -> None:
    assert placement.spreads([deployment(SOFT)]) == []
    assert placement.spreads([deployment(None)]) == []
    zone = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "topologyKey": "topology.kubernetes.io/zone",
                    "labelSelector": {"matchLabels": LABELS},
                }
            ]
        }
    }
    assert placement.spreads([deployment(zone)]) == []
    other = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"topologyKey": placement.HOSTNAME, "labelSelector": {"matchLabels": {"a": "b"}}}
            ]
        }
    }
    assert placement.spreads([deployment(other)]) == [], "keeps off other pods, not its own"
    expressions = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "topologyKey": placement.HOSTNAME,
                    "labelSelector": {
                        "matchExpressions": [
                            {
                                "key": "app.kubernetes.io/name",
                                "operator": "In",
                                "values": ["backend"],
                            }
                        ]
                    },
                }
            ]
        }
    }
    assert len(placement.spreads([deployment(expressions)])) == 1


@pytest.mark.parametrize(
    ("surge", "unavailable", "replicas", "needed"),
    [
        ("25%", 0, 10, 13),
        (1, 0, 10, 11),
        ("25%", 1, 10, 10),  # an old pod stops first: its node frees up
        ("25%", "25%", 4, 4),
        (0, 0, 3, 3),  # both 0: the controller makes maxUnavailable 1
    ],
)
def test_rollout_budget_as_the_deployment_controller_rounds_it(
    surge: Any, unavailable: Any, replicas: int, needed: int
) -> None:
    (spread,) = placement.spreads(
        [deployment(replicas=replicas, surge=surge, unavailable=unavailable)]
    )
    assert spread.needed_at_max == needed


def test_statefulset_without_surge_needs_its_replicas() -> None:
    body = deployment(replicas=3)
    body["kind"] = "StatefulSet"
    (spread,) = placement.spreads([body])
    assert (spread.needed_at_min, spread.needed_at_max) == (3, 3)


# --- nodes --------------------------------------------------------------------------------------


def test_tolerations_follow_kubernetes_matching() -> None:
    taint = {"key": "dedicated", "value": "ai", "effect": "NoSchedule"}
    assert placement.tolerates({"key": "dedicated", "value": "ai"}, taint)
    assert placement.tolerates({"key": "dedicated", "operator": "Exists"}, taint)
    assert placement.tolerates({"operator": "Exists"}, taint), "empty key + Exists: everything"
    assert not placement.tolerates({"key": "dedicated", "value": "other"}, taint)
    assert not placement.tolerates(
        {"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}, taint
    )
    assert not placement.tolerates({"key": "other", "operator": "Exists"}, taint)


def test_which_nodes_refuse_and_why() -> None:
    pod = {
        "nodeSelector": {"pool": "apps"},
        "tolerations": [{"key": "dedicated", "value": "ai", "effect": "NoSchedule"}],
    }
    apps = {"pool": "apps"}
    cluster = [
        node("ok", labels=apps),
        node(
            "tolerated",
            labels=apps,
            taints=[{"key": "dedicated", "value": "ai", "effect": "NoSchedule"}],
        ),
        node("soft-taint", labels=apps, taints=[{"key": "x", "effect": "PreferNoSchedule"}]),
        node(
            "tainted", labels=apps, taints=[{"key": "gpu", "value": "yes", "effect": "NoSchedule"}]
        ),
        node("cordoned", labels=apps, cordoned=True),
        node("down", labels=apps, ready=False),
        node("other-pool", labels={"pool": "batch"}),
    ]
    count = placement.count_nodes(cluster, pod)
    assert count.able == ("ok", "soft-taint", "tolerated")
    assert dict(count.refused) == {
        "cordoned": "cordoned",
        "down": "not Ready",
        "other-pool": "nodeSelector pool=apps not matched",
        "tainted": "taint gpu=yes:NoSchedule not tolerated",
    }
    assert count.describe(shown=2).startswith(
        "3 of 7 node(s) can take its pods (cordoned: cordoned"
    )
    assert count.describe(shown=2).endswith("; 2 more)")


def test_required_node_affinity_terms_are_ored_expressions_anded() -> None:
    pod = {
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
                        {
                            "matchExpressions": [
                                {"key": "zone", "operator": "In", "values": ["b"]},
                                {"key": "spot", "operator": "DoesNotExist"},
                            ]
                        },
                        {
                            "matchFields": [
                                {"key": "metadata.name", "operator": "In", "values": ["pinned"]}
                            ]
                        },
                    ]
                }
            }
        }
    }
    cluster = [
        node("a1", labels={"zone": "a"}),
        node("b1", labels={"zone": "b"}),
        node("b-spot", labels={"zone": "b", "spot": "true"}),
        node("c1", labels={"zone": "c"}),
        node("pinned", labels={"zone": "c"}),
    ]
    assert placement.count_nodes(cluster, pod).able == ("a1", "b1", "pinned")


def test_a_cordon_toleration_lets_a_pod_onto_a_cordoned_node() -> None:
    pod = {"tolerations": [{"key": placement.UNSCHEDULABLE_TAINT, "operator": "Exists"}]}
    assert placement.refusal(node("c", cordoned=True), pod) == ""


# --- preflight's verdict ------------------------------------------------------------------------


def test_enough_nodes_is_ok() -> None:
    (verdict,) = placement.judge_all([deployment(), hpa(3, 10)], nodes(13))
    assert verdict.level == "ok"
    assert verdict.message == (
        "Deployment/backend: 13 of 13 node(s) can take its pods, enough for 10 replica(s) plus "
        "rollout surge 3 (maxUnavailable 0) (13 needed)"
    )


def test_fewer_than_maximum_plus_surge_is_a_warning_naming_the_stall() -> None:
    (verdict,) = placement.judge_all([deployment(), hpa(3, 10)], nodes(6))
    assert verdict.level == "warning"
    assert "6 of 6 node(s) can take its pods" in verdict.message
    assert "10 replica(s) plus rollout surge 3 (maxUnavailable 0) need 13" in verdict.message
    assert "the HPA stalls at 6 pod(s)" in verdict.message
    assert "a rollout at more than 4 replica(s) never finishes" in verdict.message
    assert "at least 13 nodes" in verdict.fix and "lower autoscaling.maxReplicas" in verdict.fix


def test_fewer_than_minimum_plus_surge_cannot_work() -> None:
    (verdict,) = placement.judge_all([deployment(), hpa(3, 10)], nodes(3))
    assert verdict.level == "error"
    assert "3 replica(s) plus rollout surge 1 (maxUnavailable 0) need 4" in verdict.message
    assert "every rollout waits forever" in verdict.message
    (fewer,) = placement.judge_all([deployment(), hpa(3, 10)], nodes(2))
    assert "1 of its minimum 3 pod(s) stay Pending" in fewer.message


def test_nodes_that_cannot_take_the_pods_do_not_count() -> None:
    taint = [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]
    cluster = nodes(13)[:10] + [node(f"t{i}", taints=taint) for i in range(3)]
    (verdict,) = placement.judge_all([deployment(), hpa(3, 10)], cluster)
    assert verdict.level == "warning"
    assert "10 of 13 node(s)" in verdict.message and "dedicated=db:NoSchedule" in verdict.message


# --- lint ---------------------------------------------------------------------------------------


def test_lint_warns_on_required_anti_affinity_with_hpa_maximum_and_surge() -> None:
    (found,) = placement.anti_affinity_nodes([obj(deployment()), obj(hpa(3, 10))])
    assert found.rule == "anti-affinity-nodes"
    assert found.severity is Severity.WARNING
    assert found.obj == "Deployment/backend"
    assert found.field_path == "spec.template.spec.affinity.podAntiAffinity"
    assert "the HPA may scale to 10 and a rollout adds 3 surge pod(s)" in found.message
    assert "it needs 13 nodes that can take its pods" in found.message
    assert "podAntiAffinityPreset: soft" in found.hint


@pytest.mark.parametrize(
    "objects",
    [
        [deployment(SOFT), hpa()],  # preferred: pods share nodes when they must
        [deployment(replicas=3)],  # no HPA: preflight counts the nodes for fixed replicas
        [deployment(unavailable=1), hpa()],  # an old pod stops first
        [deployment(surge=0, unavailable=1), hpa()],
    ],
)
def test_lint_stays_quiet_without_the_combination(objects: list[dict[str, Any]]) -> None:
    assert list(placement.anti_affinity_nodes([obj(o) for o in objects])) == []
