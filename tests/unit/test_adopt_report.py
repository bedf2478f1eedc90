"""`helmkit adopt`: the plan as printed, and the small readings ops relies on (pure)."""

from __future__ import annotations

from adopt_objects import (
    NS,
    RELEASE,
    chart_objects,
    seed_claim,
    seed_objects,
    seed_postgres,
    volume,
)

from helmkit.core.model import live_manifests as lm
from helmkit.core.release import adopt_data as ad
from helmkit.core.release import adopt_plan as ap
from helmkit.core.release import adopt_report as ar
from helmkit.core.release import adopt_secret as asec

TARGET = "data-ai-native-postgresql-0"


def make_plan(**volume_state) -> ar.Plan:
    live, desired = seed_objects(), chart_objects()
    inputs = ap.Inputs(RELEASE, NS, tuple(live), tuple(desired), "ai-native-secrets",
                       frozenset({"postgres-storage-postgresql-0"}))  # fmt: skip
    db, _ = ad.find_database(live)
    state = {"pv": volume(), "namespace": NS, "target_claim": TARGET, "seed_claim": seed_claim(),
             "new_claim": None, **volume_state}  # fmt: skip
    plan = ar.Plan(
        ap.plan_objects(inputs),
        ad.overlay_values("ai-native-secrets", {"runAsUser": 70}),
        asec.SecretCheck((), ("Secret ai-native-secrets has no REDIS_URL: ...",), ("A", "B")),
        ad.Volume(**state),  # type: ignore[arg-type]
        ad.chart_target(desired),
        db,
    )
    plan.live, plan.desired = lm.by_key(live), lm.by_key(desired)
    return plan


def test_the_plan_lists_fates_data_secret_and_overlay() -> None:
    lines = ar.describe(make_plan(), RELEASE, NS, "values/staging-adopted.yaml")
    text = "\n".join(lines)
    assert lines[0] == f"adopt plan for release {RELEASE} in {NS}:"
    assert (
        "  retire   Deployment/redis: deleted: replaced by the chart's StatefulSet/ai-native-redis"
        in lines
    )
    assert (
        "  data:    volume pv-seed (50Gi, reclaim policy Delete) moves from claim "
        f"postgres-storage-postgresql-0 to {TARGET} of StatefulSet ai-native-postgresql"
    ) in lines
    assert "the server keeps the seed's image postgres:15-alpine (uid 70)" in text
    # the seed's Redis kept its data on no volume: said, not hidden
    assert "  not carried: the contents of Deployment/redis (no volume)" in lines
    assert "  not carried: the contents of StatefulSet/postgresql (no volume)" not in lines
    assert "  secret:  ai-native-secrets kept as secrets.existingSecret (keys: A, B)" in lines
    assert "  warning: Secret ai-native-secrets has no REDIS_URL: ..." in lines
    assert lines[-4:-2] == ["    secrets:", "      existingSecret: ai-native-secrets"]
    # fates come grouped: adopted first, then replaced, retired, kept, carried
    order = ["adopt", "replace", "retire", "keep", "carry"]
    fates = [line.split()[0] for line in lines if line.split()[0] in order]
    assert fates == sorted(fates, key=order.index) and len(set(fates)) == len(order)


def test_a_finished_carry_is_shown_as_bound() -> None:
    pv = volume(policy="Retain", claim=TARGET, uid="new")
    bound = {"metadata": {"name": TARGET, "uid": "new"}, "spec": {"volumeName": "pv-seed"},
             "status": {"phase": "Bound"}}  # fmt: skip
    lines = ar.describe_data(make_plan(pv=pv, seed_claim=None, new_claim=bound))
    assert lines[0] == f"  data:    volume pv-seed (50Gi) is bound to claim {TARGET}"


def test_the_secret_in_use_is_the_one_most_workloads_read() -> None:
    assert asec.secret_in_use(seed_objects(), RELEASE, NS) == "ai-native-secrets"
    assert asec.secret_in_use([], RELEASE, NS) == ""


def test_the_carried_volume_is_the_recorded_one_else_the_seed_claims() -> None:
    other = {**volume(), "metadata": {"name": "pv-other", "annotations": {}}}
    assert lm.key_of(ad.carried_pv([other, volume()], NS, seed_claim()) or {}).name == "pv-seed"
    notes = {ad.NOTE_CLAIM: f"{NS}/{TARGET}"}
    recorded = {**other, "metadata": {"name": "pv-other", "annotations": notes}}
    assert lm.key_of(ad.carried_pv([volume(), recorded], NS, None) or {}).name == "pv-other"
    assert ad.carried_pv([volume()], NS, None) is None


def test_claim_users_are_running_pods_mounting_it() -> None:
    def pod(name, phase):
        return {"metadata": {"name": name}, "status": {"phase": phase},
                "spec": {"volumes": [{"persistentVolumeClaim": {"claimName": "c"}}]}}  # fmt: skip

    assert ad.claim_users([pod("a", "Running"), pod("b", "Succeeded")], "c") == ("a",)


def test_a_postgres_statefulset_is_not_a_lost_content() -> None:
    assert seed_postgres()["spec"]["volumeClaimTemplates"]
