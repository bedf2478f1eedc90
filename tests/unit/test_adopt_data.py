"""`helmkit adopt`: the seed's PostgreSQL, the values that keep it, and the volume's carry."""

from __future__ import annotations

import json

import pytest
from adopt_objects import NS, chart_objects, chart_postgres, seed_claim, seed_postgres, volume

from helmkit.core.release import adopt_data as ad

TARGET = "data-ai-native-postgresql-0"


def test_the_seeds_database_is_found_with_its_claim_image_user_and_names() -> None:
    db, problems = ad.find_database([seed_postgres()])
    assert not problems
    assert db == ad.Database(
        workload=ad.lm.ObjectKey("StatefulSet", "postgresql"),
        claim="postgres-storage-postgresql-0",
        image="postgres:15-alpine",
        run_as_user=ad.ALPINE_UID,
        username="ai_native",
        database="ai_native",
        pgdata_in_volume="pgdata",
    )


def test_a_deployment_with_a_claim_volume_is_found_too() -> None:
    sts = seed_postgres(image="postgres:16")
    dep = {
        "kind": "Deployment",
        "metadata": {"name": "postgres"},
        "spec": {
            "template": {
                "spec": {
                    "securityContext": {"runAsUser": 1001},
                    "containers": sts["spec"]["template"]["spec"]["containers"],
                    "volumes": [
                        {
                            "name": "postgres-storage",
                            "persistentVolumeClaim": {"claimName": "pg-data"},
                        }
                    ],
                }
            }
        },
    }
    db, _ = ad.find_database([dep])
    assert db is not None and db.claim == "pg-data" and db.run_as_user == 1001


def test_a_database_without_a_claim_refuses() -> None:
    sts = seed_postgres()
    sts["spec"]["volumeClaimTemplates"] = []
    db, (problem,) = ad.find_database([sts])
    assert db is None and "no volume claim" in problem.message


def test_the_chart_target_is_the_first_replicas_claim() -> None:
    target = ad.chart_target(chart_objects())
    assert target is not None
    assert (target.statefulset, target.claim, target.pgdata_in_volume) == (
        "ai-native-postgresql",
        TARGET,
        "pgdata",
    )
    assert target.claim_labels["app.kubernetes.io/name"] == "postgresql"


@pytest.mark.parametrize(
    ("pgdata", "inside"),
    [("/var/lib/postgresql/data/pgdata", "pgdata"), ("/var/lib/postgresql/data", "")],
)
def test_a_data_directory_elsewhere_on_the_volume_refuses(pgdata: str, inside: str) -> None:
    db, _ = ad.find_database([seed_postgres(pgdata=pgdata)])
    target = ad.chart_target([chart_postgres()])
    assert db is not None and target is not None and db.pgdata_in_volume == inside
    problem = ad.layout_problem(db, target)
    if inside == "pgdata":
        assert problem is None
    else:
        assert problem is not None and "the root of its volume" in problem.message


@pytest.mark.parametrize(
    ("image", "values"),
    [
        (
            "postgres:15-alpine",
            {"registry": "docker.io", "repository": "postgres", "tag": "15-alpine", "digest": ""},
        ),
        (
            "localhost/ai-native/postgres:stand-in",
            {
                "registry": "localhost",
                "repository": "ai-native/postgres",
                "tag": "stand-in",
                "digest": "",
            },
        ),
        (
            "registry.example.edu:5000/db/postgres@sha256:ab",
            {
                "registry": "registry.example.edu:5000",
                "repository": "db/postgres",
                "tag": "latest",
                "digest": "sha256:ab",
            },
        ),
        (
            "bitnami/postgresql:16",
            {
                "registry": "docker.io",
                "repository": "bitnami/postgresql",
                "tag": "16",
                "digest": "",
            },
        ),
    ],
)
def test_image_values_render_the_same_image(image: str, values: dict[str, str]) -> None:
    assert ad.image_values(image) == values


def test_the_overlay_keeps_secret_and_server() -> None:
    db, _ = ad.find_database([seed_postgres()])
    assert db is not None
    overlay = ad.overlay_values("ai-native-secrets", ad.database_values(db, "50Gi", ""))
    assert overlay["secrets"] == {"existingSecret": "ai-native-secrets"}
    assert overlay["postgresql"]["runAsUser"] == 70
    assert overlay["postgresql"]["auth"] == {"username": "ai_native", "database": "ai_native"}
    # no StorageClass on the volume: "-" renders storageClassName "" (bind, never provision)
    assert overlay["postgresql"]["persistence"] == {"size": "50Gi", "storageClass": "-"}


def carry(**state) -> ad.Volume:
    base = {
        "pv": volume(),
        "namespace": NS,
        "target_claim": TARGET,
        "seed_claim": seed_claim(),
        "new_claim": None,
    }
    return ad.Volume(**{**base, **state})  # type: ignore[arg-type]


def test_the_carry_goes_step_by_step_from_what_the_cluster_shows() -> None:
    labels = {"app.kubernetes.io/name": "postgresql"}
    assert ad.next_step(carry(), labels).kind == "retain"  # type: ignore[union-attr]
    retained = volume(policy="Retain")
    busy = carry(pv=retained, users=("postgresql-0",))
    assert ad.next_step(busy, labels).kind == "wait-unused"  # type: ignore[union-attr]
    assert ad.next_step(carry(pv=retained), labels).kind == "delete-seed-claim"  # type: ignore[union-attr]
    leaving = seed_claim()
    leaving["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert ad.next_step(carry(pv=retained, seed_claim=leaving), labels).kind == "wait-gone"  # type: ignore[union-attr]
    released = carry(pv=retained, seed_claim=None)
    step = ad.next_step(released, labels)
    assert step is not None and step.kind == "reserve"
    assert step.body == {
        "spec": {
            "claimRef": {"namespace": NS, "name": TARGET, "uid": None, "resourceVersion": None}
        }
    }
    reserved = volume(policy="Retain", claim=TARGET, uid="")
    step = ad.next_step(carry(pv=reserved, seed_claim=None), labels)
    assert step is not None and step.kind == "create-claim" and step.body is not None
    assert step.body["spec"]["volumeName"] == "pv-seed"
    assert step.body["spec"]["storageClassName"] == "standard"
    assert step.body["metadata"]["labels"] == labels
    pending = {
        "metadata": {"name": TARGET, "uid": "new"},
        "spec": {"volumeName": "pv-seed"},
        "status": {"phase": "Pending"},
    }
    assert (
        ad.next_step(carry(pv=reserved, seed_claim=None, new_claim=pending), labels).kind
        == "wait-bound"
    )  # type: ignore[union-attr]
    bound_pv = volume(policy="Retain", claim=TARGET, uid="new")
    bound = {**pending, "status": {"phase": "Bound"}}
    assert ad.next_step(carry(pv=bound_pv, seed_claim=None, new_claim=bound), labels) is None


def test_a_chart_claim_bound_elsewhere_is_a_problem_never_a_step() -> None:
    other = {
        "metadata": {"name": TARGET, "uid": "x"},
        "spec": {"volumeName": "pv-empty"},
        "status": {"phase": "Bound"},
    }
    state = carry(
        pv=volume(policy="Retain", claim=TARGET, uid=""), seed_claim=None, new_claim=other
    )
    problem = ad.carry_problem(state)
    assert problem is not None and "bound to volume pv-empty" in problem.message


def test_the_volume_records_what_a_resumed_run_needs() -> None:
    notes = ad.volume_notes(NS, TARGET, seed_claim(), volume(), {"postgresql": {"runAsUser": 70}})
    assert notes[ad.NOTE_CLAIM] == f"{NS}/{TARGET}"
    assert notes[ad.NOTE_POLICY] == "Delete"
    assert notes[ad.NOTE_REQUEST] == "50Gi"
    pv = volume()
    pv["metadata"]["annotations"] = notes
    assert ad.carried_to(pv, NS) == TARGET and ad.carried_to(pv, "elsewhere") == ""
    assert ad.recorded_values(pv) == {"postgresql": {"runAsUser": 70}}
    assert json.loads(notes[ad.NOTE_VALUES]) == {"postgresql": {"runAsUser": 70}}
