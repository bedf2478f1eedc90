"""The pod-hygiene, capacity and posture rules: a failing and a passing example each."""

from __future__ import annotations

from typing import Any

import pytest
from offline_objects import container, hpa, obj, pdb, workload

from helmkit.core.lint import policy, policy_capacity, policy_posture
from helmkit.core.lint.credentials import secret_looking
from helmkit.core.lint.rules import RULES
from helmkit.core.model.findings import Finding, Severity
from helmkit.core.model.manifests import K8sObject

SELECTOR = {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "r"}


def hits(objects: list[K8sObject], rule: str) -> list[Finding]:
    rules = {
        **policy.OBJECT_RULES,
        **policy.SHARED_ENV_RULES,
        "quota-headroom": policy_capacity.quota_admits,
    }
    # quota-admit's function also yields quota-headroom: each test looks at one rule
    found = [f for f in rules[rule](objects) if f.rule == rule]
    assert all(f.severity is RULES[rule].severity for f in found)
    return found


def pod_with(**spec: Any) -> K8sObject:
    return obj(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [container()], **spec},
        }
    )


def test_env_duplicate_names_the_second_entry() -> None:
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "A", "value": "3"}]
    (found,) = hits([workload(env=env)], "env-duplicate")
    assert found.field_path == "spec.template.spec.containers[0].env[2]"
    assert "A twice (env[0] and env[2])" in found.message
    assert hits([workload(env=env[:2])], "env-duplicate") == []


# fake credentials in current formats, assembled so no scanner mistakes this file for a leak
OPENAI = "sk-" + "proj-" + "Ab3dEfGh1jKlMnOpQrStUvWx" + "yz_0123456789"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
AWS_ID = "AKIA" + "IOSFODNN7EXAMPLE"
AWS_SECRET = "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PRIVATE = "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3Blbn\n"


@pytest.mark.parametrize(
    ("name", "value", "flagged"),
    [
        ("OPENAI_KEY", OPENAI, "OpenAI"),
        ("MAPS", GOOGLE, "Google"),
        ("AWS_ACCESS_KEY_ID", AWS_ID, "AWS access key id"),
        ("CREDENTIALS_FILE", AWS_SECRET, "AWS secret access key"),
        ("SSH", PRIVATE, "private key"),
        ("DATABASE_URL", "postgres://app:s3cret@db:5432/app", "connection URL"),
        ("redis.conf", "port 6379\nrequirepass hunter2\n", "requirepass"),
        ("ADMIN_PASSWORD", "hunter2", "name says"),
        ("AWS_SECRET_ACCESS_KEY", "abc", "name says"),
        # references and harmless values
        ("DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db:5432/app", ""),
        ("DATABASE_URL", "postgres://db:5432/app", ""),
        ("redis.conf", "requirepass ${REDIS_PASSWORD}\n", ""),
        ("redis.conf", "requirepass replace-default-auth\n", ""),  # redis-ha's placeholder
        ("REDIS_PASSWORD", "", ""),
        ("PASSWORD", "/var/run/secrets/db/password", ""),
        ("MODEL", "gpt-4o", ""),
        ("TASK", "sk-learn", ""),
    ],
)
def test_credential_formats(name: str, value: str, flagged: str) -> None:
    why = secret_looking(name, value)
    assert (flagged in why) if flagged else why == ""
    assert value not in why or not value  # the finding never repeats the secret


def test_env_secret_in_plain_value_but_not_in_secret_ref() -> None:
    env = [
        {"name": "OPENAI_API_KEY", "value": OPENAI},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
    ]
    (found,) = hits([workload(env=env)], "env-secret")
    assert found.field_path == "spec.template.spec.containers[0].env[0].value"
    assert OPENAI not in found.message + found.hint
    assert hits([workload(env=env[1:])], "env-secret") == []


def test_configmap_secret_recognises_current_key_formats() -> None:
    config = obj({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"settings": OPENAI}})
    (found,) = hits([config], "configmap-secret")
    assert found.field_path == "data.settings"
    plain = obj({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"LOG": "debug"}})
    assert hits([plain], "configmap-secret") == []


def test_emptydir_without_size_limit() -> None:
    volumes = [{"name": "tmp", "emptyDir": {}}, {"name": "ok", "emptyDir": {"sizeLimit": "1Gi"}}]
    (found,) = hits([pod_with(volumes=volumes)], "emptydir-size")
    assert found.field_path == "spec.volumes[0].emptyDir"
    assert hits([pod_with(volumes=volumes[1:])], "emptydir-size") == []
    # every container has an ephemeral-storage limit: the kubelet bounds disk-backed volumes
    limited = container(resources={"limits": {"ephemeral-storage": "1Gi"}})
    assert hits([pod_with(volumes=volumes[:1], containers=[limited])], "emptydir-size") == []


def test_toleration_of_every_taint() -> None:
    (found,) = hits([pod_with(tolerations=[{"operator": "Exists"}])], "toleration-all")
    assert found.field_path == "spec.tolerations[0]"
    assert "never evicted" in found.message
    keyed = [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert hits([pod_with(tolerations=keyed)], "toleration-all") == []


@pytest.mark.parametrize(
    ("image", "moving"),
    [
        ("app:main", "main"),
        ("app:stable-alpine", "stable-alpine"),
        ("reg:5000/app:feature-login", "feature-login"),
        ("app:nightly", "nightly"),
        ("app:1.4.2", ""),
        ("app:v2", ""),
        ("app:3f9c2a1", ""),
        ("app:main@sha256:" + "a" * 64, ""),
        ("app:latest", ""),  # image-pinned's finding
    ],
)
def test_mutable_tags(image: str, moving: str) -> None:
    found = hits([workload(image=image)], "image-mutable-tag")
    assert (
        [moving] == [f.message.split("tag ")[1].split("'")[1] for f in found]
        if moving
        else (found == [])
    )


def test_mutable_tag_rule_runs_only_for_shared_environments() -> None:
    objects = [workload(image="app:main")]
    assert not any(f.rule == "image-mutable-tag" for f in policy.run_rules(objects))
    assert any(f.rule == "image-mutable-tag" for f in policy.run_rules(objects, shared=True))


def quota(**hard: str) -> K8sObject:
    return obj({"kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": hard}})


def sized(name: str, replicas: int, cpu: str, **extra: Any) -> K8sObject:
    resources = {
        "requests": {"cpu": cpu, "memory": "64Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    return workload(name=name, replicas=replicas, resources=resources, **extra)


def test_quota_that_cannot_admit_the_minimum_is_an_error() -> None:
    objects = [sized("web", 3, "500m"), sized("api", 2, "1"), quota(**{"requests.cpu": "3"})]
    (found,) = hits(objects, "quota-admit")
    assert found.obj == "ResourceQuota/q"
    assert found.field_path == "spec.hard.requests.cpu"
    assert "3500m" in found.message and "3000m" in found.message
    assert "Deployment/api 2000m" in found.message
    assert hits([*objects[:2], quota(**{"requests.cpu": "3500m"})], "quota-admit") == []


def test_quota_counts_jobs_and_the_hpa_minimum() -> None:
    job = obj(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "migrate"},
            "spec": {"template": {"spec": {"containers": [container()]}}},
        }
    )
    objects = [sized("web", 1, "1"), hpa("web", min_replicas=3), job]
    assert hits([*objects, quota(pods="3")], "quota-admit")  # 3 web pods + the Job
    assert hits([*objects, quota(pods="4")], "quota-admit") == []


def test_quota_on_requests_refuses_pods_without_requests() -> None:
    bare = workload(resources={})
    (found,) = hits([bare, quota(**{"requests.memory": "1Gi"})], "quota-admit")
    assert found.obj == "Deployment/web"
    assert "refuses every pod" in found.message
    defaults = obj(
        {
            "kind": "LimitRange",
            "metadata": {"name": "l"},
            "spec": {"limits": [{"type": "Container", "defaultRequest": {"memory": "64Mi"}}]},
        }
    )
    assert hits([bare, defaults, quota(**{"requests.memory": "1Gi"})], "quota-admit") == []


def test_quota_headroom_for_hpa_maximum_and_surge_is_a_warning() -> None:
    # minimum 2 x 1 cpu fits 4; the maximum (5) plus surge (ceil 25% of 5 = 2) needs 7
    objects = [sized("web", 1, "1"), hpa("web", min_replicas=2)]
    (found,) = [f for f in policy_capacity.quota_admits([*objects, quota(cpu="4")])]
    assert (found.rule, found.severity) == ("quota-headroom", Severity.WARNING)
    assert "7000m" in found.message
    assert list(policy_capacity.quota_admits([*objects, quota(cpu="7")])) == []


@pytest.mark.parametrize(
    ("replicas", "budget", "flagged"),
    [
        (2, {"maxUnavailable": 2}, True),
        (3, {"maxUnavailable": "100%"}, True),
        (2, {"minAvailable": 0}, True),
        (3, {"maxUnavailable": 1}, False),
        (2, {"minAvailable": 1}, False),
    ],
)
def test_pdb_protecting_nothing(replicas: int, budget: dict[str, Any], flagged: bool) -> None:
    found = hits(
        [workload(replicas=replicas), pdb("web", SELECTOR, **budget)], "pdb-protects-nothing"
    )
    assert bool(found) is flagged


def test_pdb_blocking_every_drain_is_a_warning() -> None:
    (found,) = hits([workload(replicas=1), pdb("web", SELECTOR, minAvailable=1)], "pdb-satisfiable")
    assert found.severity is Severity.WARNING


@pytest.mark.parametrize("quantity", ["100m", "0.1", "1e-1"])
def test_cpu_quantities(quantity: str) -> None:
    assert policy_capacity.quantity(quantity) == pytest.approx(0.1)


def test_memory_quantities() -> None:
    assert policy_capacity.quantity("1Gi") == 2**30
    assert policy_capacity.quantity("1G") == 1e9
    assert policy_capacity.quantity("lots") is None


def test_posture_keys_are_found_in_any_chart_values() -> None:
    values = {
        "ingress": {"tls": {"enabled": True}},
        "networkPolicy": {"enabled": True},
        "sub": {"networkPolicies": {"enabled": False}},
    }
    keys = policy_posture.posture_keys(values)
    assert keys == policy_posture.PostureKeys("networkPolicy.enabled", "ingress.tls.enabled")
    assert policy_posture.posture_keys({"tls": False}).tls == "tls"


def test_posture_without_network_policies_names_the_key() -> None:
    keys = policy_posture.PostureKeys("networkPolicy.enabled", "ingress.tls.enabled")
    (found,) = policy_posture.posture_findings([workload()], keys)
    assert (found.rule, found.severity) == ("posture-network-policy", Severity.WARNING)
    assert found.hint == "set `networkPolicy.enabled: true`"
    deny = obj({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "spec": {}})
    assert policy_posture.posture_findings([workload(), deny], keys) == []


def test_posture_ingress_without_tls_names_the_key() -> None:
    keys = policy_posture.PostureKeys("", "ingress.tls.enabled")
    spec: dict[str, Any] = {"rules": [{"host": "a.example.org"}, {"host": "b.example.org"}]}
    ingress = obj({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "spec": spec})
    (found,) = policy_posture.tls_on([ingress], keys)
    assert "a.example.org, b.example.org" in found.message
    assert found.hint == "set `ingress.tls.enabled: true`"
    spec["tls"] = [{"hosts": ["a.example.org", "b.example.org"], "secretName": "t"}]
    assert list(policy_posture.tls_on([ingress], keys)) == []
