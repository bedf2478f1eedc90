"""Every policy rule: one object that passes, one that fails, with the field path."""

from __future__ import annotations

import pytest
from offline_objects import hpa, obj, pdb, workload

from helmkit.core.lint import policy
from helmkit.core.model.findings import Finding, Severity
from helmkit.core.model.manifests import K8sObject

SELECTOR = {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "r"}


def rules_hit(objects: list, rule: str) -> list:  # type: ignore[type-arg]
    return list(policy.OBJECT_RULES[rule](objects))


def test_clean_workload_passes_every_rule() -> None:
    assert policy.run_rules([workload()]) == []


def test_resources_missing_limits() -> None:
    (finding,) = rules_hit(
        [workload(resources={"requests": {"cpu": "1", "memory": "1Gi"}})], "resources"
    )
    assert finding.rule == "resources"
    assert finding.severity is Severity.ERROR
    assert finding.field_path == "spec.template.spec.containers[0].resources"
    assert "limits.cpu, limits.memory" in finding.message
    assert finding.obj == "Deployment/web"


def test_probes_required_on_long_running_workloads_only() -> None:
    (finding,) = rules_hit([workload(readinessProbe=None)], "probes")
    assert "no readinessProbe" in finding.message
    job = obj(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "j"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "a:1"}]}}},
        }
    )
    assert rules_hit([job], "probes") == []


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("nginx", "has no tag"),
        ("nginx:latest", "latest"),
        ("reg:5000/nginx", "has no tag"),
        ("nginx:1.27", ""),
        ("reg:5000/nginx:1.2", ""),
        ("nginx@sha256:" + "a" * 64, ""),
        ("nginx:latest@sha256:" + "a" * 64, ""),
    ],
)
def test_image_pinning(image: str, problem: str) -> None:
    assert (
        (problem in policy.image_problem(image)) if problem else policy.image_problem(image) == ""
    )
    hits = rules_hit([workload(image=image)], "image-pinned")
    assert bool(hits) == bool(problem)


def test_replicas_with_hpa() -> None:
    (finding,) = rules_hit([workload(replicas=3), hpa("web")], "hpa-replicas")
    assert finding.field_path == "spec.replicas"
    assert "HorizontalPodAutoscaler/web" in finding.message
    assert rules_hit([workload(replicas=None), hpa("web")], "hpa-replicas") == []


def test_pdb_with_single_replica_cannot_be_satisfied() -> None:
    (finding,) = rules_hit(
        [workload(replicas=1), pdb("web", SELECTOR, minAvailable=1)], "pdb-satisfiable"
    )
    assert "allows no voluntary disruption with 1 replica" in finding.message


def test_pdb_satisfiable_cases() -> None:
    assert (
        rules_hit([workload(replicas=3), pdb("web", SELECTOR, minAvailable=2)], "pdb-satisfiable")
        == []
    )
    assert (
        rules_hit([workload(replicas=1), pdb("web", SELECTOR, maxUnavailable=1)], "pdb-satisfiable")
        == []
    )
    # the HPA's minReplicas counts, not the (absent) replicas field
    ok = [workload(replicas=None), hpa("web", 3), pdb("web", SELECTOR, minAvailable="50%")]
    assert rules_hit(ok, "pdb-satisfiable") == []
    bad = [workload(replicas=None), hpa("web", 2), pdb("web", SELECTOR, minAvailable="100%")]
    assert len(rules_hit(bad, "pdb-satisfiable")) == 1


def test_pdb_selecting_nothing() -> None:
    (finding,) = rules_hit(
        [workload(), pdb("web", {"app": "other"}, maxUnavailable=1)], "pdb-satisfiable"
    )
    assert finding.message == "selects no workload of this release"


def test_version_labels_in_selectors_and_claim_templates() -> None:
    labels = {**SELECTOR, "app.kubernetes.io/version": "1.2"}
    (finding,) = rules_hit([workload(labels=labels)], "selector-version")
    assert finding.field_path == "spec.selector.matchLabels"
    sts = workload("StatefulSet", "db")
    sts.body["spec"]["volumeClaimTemplates"] = [
        {"metadata": {"name": "d", "labels": {"helm.sh/chart": "x-1"}}}
    ]
    (claim,) = rules_hit([sts], "selector-version")
    assert claim.field_path == "spec.volumeClaimTemplates[0].metadata.labels"
    svc = obj({"kind": "Service", "metadata": {"name": "s"}, "spec": {"selector": labels}})
    assert len(rules_hit([svc], "selector-version")) == 1


@pytest.mark.parametrize(
    ("key", "value", "flagged"),
    [
        ("DB_PASSWORD", "hunter2", True),
        ("JWT_SECRET_KEY", "abc", True),
        ("API_TOKEN", "x", True),
        ("DATABASE_URL", "postgres://u:pw@db:5432/x", True),
        ("KEY_PEM", "-----BEGIN RSA PRIVATE KEY-----", True),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "30", False),
        ("DATABASE_URL", "postgres://db:5432/x", False),
        ("LOG_LEVEL", "info", False),
        ("DB_PASSWORD", "", False),
    ],
)
def test_secret_looking_configmap_data(key: str, value: str, flagged: bool) -> None:
    cm = obj({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {key: value}})
    hits = rules_hit([cm], "configmap-secret")
    assert bool(hits) == flagged
    for hit in hits:
        assert value not in hit.message  # never echo the secret


def test_no_value_in_render() -> None:
    cm = obj({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"A": "<no value>"}})
    (finding,) = rules_hit([cm], "no-value")
    assert "missing value" in finding.message


@pytest.mark.parametrize(
    ("kind", "name", "valid"),
    [
        ("Service", "ai-native-backend", True),
        ("Service", "1-backend", False),  # DNS-1035: starts with a letter
        ("Service", "a" * 64, False),
        ("Deployment", "ai-native.backend", True),
        ("Deployment", "AI-native", False),
        ("ConfigMap", "a" * 254, False),
        ("Namespace", "team.a", False),
        ("Role", "system:reader", True),
        ("RoleBinding", "a/b", False),
    ],
)
def test_object_names_as_the_api_server_validates_them(kind: str, name: str, valid: bool) -> None:
    assert (policy.name_problem(kind, name) == "") is valid


def test_an_invalid_name_is_a_finding_on_metadata_name() -> None:
    svc = obj({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "Backend"}})
    (finding,) = policy.valid_names([svc])
    assert finding.rule == "object-name" and finding.field_path == "metadata.name"
    assert "DNS-1035" in finding.message


def test_a_check_that_cannot_read_an_object_reports_it_instead_of_crashing() -> None:
    """Malformed objects (the schema check already failed): informational; otherwise an error,
    since a check that could not read an object has not passed it."""
    from helmkit.core.lint import checks

    def reads_replicas(objects: list[K8sObject]) -> list[Finding]:
        return [] if int("three") else []

    (skipped,) = checks.guarded(malformed=True)("hpa-replicas", reads_replicas, [])
    assert (skipped.rule, skipped.severity) == ("not-checked", Severity.INFO)
    assert skipped.message.startswith("hpa-replicas not checked")
    assert "ValueError" in skipped.message
    assert "three" not in skipped.message  # an exception's text may quote a Secret's value
    (failed,) = checks.guarded(malformed=False)("hpa-replicas", reads_replicas, [])
    assert (failed.rule, failed.severity) == ("rule-failed", Severity.ERROR)
    assert checks.guarded(malformed=False)("x", lambda objects: iter(()), []) == []
