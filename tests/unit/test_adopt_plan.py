"""`helmkit adopt`: each seed object's fate against the chart's render (pure)."""

from __future__ import annotations

from adopt_objects import (
    NS,
    RELEASE,
    chart_objects,
    configmap,
    deployment,
    seed_objects,
    service,
)

from helmkit.core.model.live_manifests import ObjectKey
from helmkit.core.release import adopt_plan as ap


def plan(live=None, desired=None, **extra):
    inputs = ap.Inputs(
        RELEASE,
        NS,
        tuple(seed_objects() if live is None else live),
        tuple(chart_objects() if desired is None else desired),
        existing_secret="ai-native-secrets",
        carried_claims=frozenset({"postgres-storage-postgresql-0"}),
        **extra,
    )
    return ap.plan_objects(inputs)


def fates(result: ap.ObjectPlan) -> dict[str, str]:
    return {str(d.key): d.fate.value for d in result.decisions}


def test_the_seeds_objects_get_the_fates_the_chart_implies() -> None:
    result = plan()
    assert fates(result) == {
        # same kind and name, only mutable fields differ: adopted
        "Service/ai-native-postgresql": "adopt",
        "Service/ai-native-backend": "adopt",
        # the seed's selector app=ai-native-backend cannot become the chart's: replaced
        "Deployment/ai-native-backend": "replace",
        # the chart's ConfigMap lacks nothing of the seed's: adopted
        "ConfigMap/ai-native-config": "adopt",
        # the seed's Redis Deployment and Service, and its PostgreSQL StatefulSet: not in the chart
        "Deployment/redis": "retire",
        "Service/redis": "retire",
        "StatefulSet/postgresql": "retire",
        "Secret/ai-native-secrets": "keep",
        "PersistentVolumeClaim/postgres-storage-postgresql-0": "carry",
    }
    assert not result.problems
    assert ObjectKey("StatefulSet", "ai-native-redis") in result.new
    # hooks are Helm's own business, never "new" objects of the release
    assert ObjectKey("Job", "ai-native-db-schema-1") not in result.new


def test_a_retired_object_names_what_replaces_it() -> None:
    reasons = {str(d.key): d.reason for d in plan().decisions}
    assert (
        reasons["Deployment/redis"]
        == "deleted: replaced by the chart's StatefulSet/ai-native-redis"
    )
    assert reasons["StatefulSet/postgresql"].endswith("StatefulSet/ai-native-postgresql")
    assert "spec.selector" in reasons["Deployment/ai-native-backend"]


def test_deletes_carry_the_uid_they_were_planned_with() -> None:
    retired = {str(d.key): d.uid for d in plan().of(ap.Fate.RETIRE)}
    assert retired["Deployment/redis"] == "uid-redis"


def test_a_configmap_with_keys_the_chart_does_not_render_is_replaced() -> None:
    live = [
        configmap("ai-native-config", {"ENVIRONMENT": "x", "REDIS_URL": "redis://redis:6379/0"})
    ]
    (decision,) = plan(live=live).decisions
    assert decision.fate is ap.Fate.REPLACE
    assert "REDIS_URL" in decision.reason


def test_a_headless_service_cannot_become_a_normal_one() -> None:
    live = [service("ai-native-postgresql", {"app": "postgresql"}, 5432, headless=True)]
    (decision,) = plan(live=live).decisions
    assert decision.fate is ap.Fate.REPLACE and "clusterIP" in decision.reason


def test_a_statefulset_with_other_claim_templates_is_replaced() -> None:
    desired = chart_objects()
    live_sts = next(o for o in desired if o["metadata"]["name"] == "ai-native-postgresql")
    live_sts = {**live_sts, "metadata": {**live_sts["metadata"], "uid": "u"}}
    same = plan(live=[live_sts]).decisions[0]
    assert same.fate is ap.Fate.ADOPT
    other = {**live_sts, "spec": {**live_sts["spec"], "volumeClaimTemplates": []}}
    changed = plan(live=[other]).decisions[0]
    assert changed.fate is ap.Fate.REPLACE and "volumeClaimTemplates" in changed.reason


def test_an_object_of_another_release_refuses_the_plan() -> None:
    notes = {ap.RELEASE_NAME: "other", ap.RELEASE_NAMESPACE: NS}
    live = [deployment("redis", {"app": "redis"}, "redis", annotations=notes)]
    result = plan(live=live)
    assert not result.decisions
    (problem,) = result.problems
    assert (
        "belongs to Helm release other" in problem.message
        and "--keep Deployment/redis" in problem.fix
    )


def test_the_releases_own_objects_are_left_alone() -> None:
    notes = {ap.RELEASE_NAME: RELEASE, ap.RELEASE_NAMESPACE: NS}
    live = [
        configmap(
            "ai-native-config",
            {"ENVIRONMENT": "x"},
            annotations=notes,
            labels={ap.MANAGED_BY: "Helm"},
        )
    ]
    assert fates(plan(live=live)) == {"ConfigMap/ai-native-config": "owned"}


def test_keep_and_unknown_secrets_and_volumes_are_never_deleted() -> None:
    extra = [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/tls",
            "metadata": {"name": "ai-native-tls", "uid": "t"},
            "data": {"tls.crt": ""},
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "uploads", "uid": "v"},
            "spec": {},
        },
        deployment("grafana", {"app": "grafana"}, "grafana"),
    ]
    result = plan(live=extra, keep=frozenset({"Deployment/grafana"}))
    assert fates(result) == {
        "Secret/ai-native-tls": "keep",
        "PersistentVolumeClaim/uploads": "keep",
        "Deployment/grafana": "keep",
    }


def test_system_and_controller_objects_are_not_candidates() -> None:
    assert not ap.is_candidate(configmap("kube-root-ca.crt", {}))
    assert not ap.is_candidate({"kind": "Pod", "metadata": {"name": "p", "ownerReferences": [{}]}})
    assert not ap.is_candidate(
        {"kind": "Secret", "type": "helm.sh/release.v1", "metadata": {"name": "s"}}
    )
    assert not ap.is_candidate(
        {
            "kind": "Lease",
            "metadata": {"name": "helmkit-release-ai-native", "labels": {ap.MANAGED_BY: "helmkit"}},
        }
    )
    assert ap.is_candidate(configmap("ai-native-config", {}))


def test_the_ownership_patch_is_what_helm_checks_for() -> None:
    patch = ap.ownership_patch(RELEASE, NS)
    assert patch["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "Helm"}
    assert patch["metadata"]["annotations"] == {
        "meta.helm.sh/release-name": RELEASE,
        "meta.helm.sh/release-namespace": NS,
    }


def test_an_adopted_services_selector_becomes_the_charts_and_loses_the_seeds_keys() -> None:
    live = service("ai-native-postgresql", {"app": "postgresql"}, 5432)
    want = service("ai-native-postgresql", {"app.kubernetes.io/name": "postgresql"}, 5432)
    patch = ap.adoption_patch(live, want, RELEASE, NS)
    # a merge patch: null deletes the seed's key, which Helm's own patch would have kept
    assert patch["spec"]["selector"] == {"app": None, "app.kubernetes.io/name": "postgresql"}
    # the rest of the chart's spec is written too: Helm 4's apply then changes no value
    assert patch["spec"]["ports"] == want["spec"]["ports"]
    assert patch["metadata"] == ap.ownership_patch(RELEASE, NS)["metadata"]


def test_a_configmap_is_adopted_with_the_charts_data() -> None:
    live = configmap("ai-native-config", {"DB_POOL_SIZE": "20"})
    want = configmap("ai-native-config", {"DB_POOL_SIZE": "5"})
    patch = ap.adoption_patch(live, want, RELEASE, NS)
    assert patch["data"] == {"DB_POOL_SIZE": "5"}
    assert "spec" not in patch
