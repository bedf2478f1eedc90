"""Bad values are refused by plain `helm template` (Helm 4 and Helm 3) with a message naming the
offending key: the JSON schema for types, unknown keys, patterns, ranges and enums; the
aggregated validate.yaml for cross-field rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_env import CHART, HELMS, SCENARIOS, HelmRuns, template_args

from helmkit.core.render.scenarios import Scenario
from helmkit.ops.lint_steps import ValuesBase, values_findings

# (id, values, substrings the error must contain)
CASES: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    # wrong types
    ("replicas-string", {"backend": {"replicaCount": "three"}}, ("/backend/replicaCount",)),
    ("bool-as-string", {"backend": {"autoscaling": {"enabled": "yes"}}},
     ("/backend/autoscaling/enabled",)),
    ("port-as-string", {"externalDatabase": {"port": "5432"}}, ("/externalDatabase/port",)),
    ("quantity-as-number", {"frontend": {"resources": {"limits": {"cpu": 1}}}},
     ("/frontend/resources/limits/cpu",)),
    ("hosts-not-a-map", {"ingress": {"hosts": ["api.example.edu"]}}, ("/ingress/hosts",)),
    ("parent-refs-not-a-list", {"gateway": {"parentRefs": {"name": "gw"}}},
     ("/gateway/parentRefs",)),
    # unknown keys at every level
    ("unknown-top-level", {"backendd": {"enabled": True}}, ("'backendd'",)),
    ("unknown-in-config", {"config": {"jwt": {"secret": "x"}}}, ("/config/jwt", "'secret'")),
    ("unknown-in-backend-image", {"backend": {"image": {"tagg": "1"}}},
     ("/backend/image", "'tagg'")),
    ("unknown-in-frontend", {"frontend": {"pdb": {"minAvailable": 1}}},
     ("/frontend/pdb", "'minAvailable'")),
    ("unknown-in-postgresql", {"postgresql": {"storage": "10Gi"}}, ("/postgresql", "'storage'")),
    ("unknown-in-redis", {"redis": {"password": "x"}}, ("/redis", "'password'")),
    ("unknown-in-tls", {"ingress": {"tls": {"issuer": "x"}}}, ("/ingress/tls", "'issuer'")),
    ("unknown-in-networkpolicy", {"networkPolicy": {"ingressController": {"namespace": "x"}}},
     ("/networkPolicy/ingressController", "'namespace'")),
    ("unknown-in-guardrails", {"namespaceGuardrails": {"limitRange": {"max": {"cpu": "1"}}}},
     ("/namespaceGuardrails/limitRange", "'max'")),
    ("unknown-in-toleration", {"backend": {"tolerations": [{"key": "k", "efect": "NoSchedule"}]}},
     ("/backend/tolerations/0", "'efect'")),
    ("unknown-in-affinity", {"redis": {"affinity": {"nodeAfinity": {}}}},
     ("/redis/affinity", "'nodeAfinity'")),
    ("unknown-in-env-value-from",
     {"backend": {"extraEnv": [{"name": "X", "valueFrom": {"secretRef": {"name": "s"}}}]}},
     ("/backend/extraEnv/0/valueFrom", "'secretRef'")),
    # invalid quantities
    ("cpu-word", {"backend": {"resources": {"requests": {"cpu": "two"}}}},
     ("/backend/resources/requests/cpu",)),
    ("memory-GB", {"backend": {"resources": {"limits": {"memory": "4GB"}}}},
     ("/backend/resources/limits/memory",)),
    ("memory-negative", {"frontend": {"resources": {"requests": {"memory": "-1Mi"}}}},
     ("/frontend/resources/requests/memory",)),
    ("quota-cpu", {"namespaceGuardrails": {"resourceQuota": {"requests": {"cpu": "lots"}}}},
     ("/namespaceGuardrails/resourceQuota/requests/cpu",)),
    ("storage-GB", {"postgresql": {"persistence": {"size": "50GB"}}},
     ("/postgresql/persistence/size",)),
    ("redis-storage", {"redis": {"persistence": {"size": "big"}}}, ("/redis/persistence/size",)),
    # invalid hostnames
    ("host-underscore", {"ingress": {"hosts": {"api": "Bad_Host.example.edu"}}},
     ("/ingress/hosts/api",)),
    ("host-double-dot", {"ingress": {"hosts": {"app": "app..example.edu"}}},
     ("/ingress/hosts/app",)),
    ("external-db-host-space", {"postgresql": {"enabled": False},
                                "externalDatabase": {"host": "db host", "password": "x"}},
     ("/externalDatabase/host",)),
    # out-of-range numbers
    ("port-too-big", {"externalDatabase": {"port": 70000}}, ("/externalDatabase/port",)),
    ("cpu-target-150", {"backend": {"autoscaling": {"targetCPUUtilizationPercentage": 150}}},
     ("/backend/autoscaling/targetCPUUtilizationPercentage",)),
    ("max-replicas-zero", {"backend": {"autoscaling": {"maxReplicas": 0}}},
     ("/backend/autoscaling/maxReplicas",)),
    ("hpa-window-negative",
     {"backend": {"autoscaling": {"behavior": {"scaleDown": {"stabilizationWindowSeconds": -1}}}}},
     ("/backend/autoscaling/behavior/scaleDown/stabilizationWindowSeconds",)),
    ("hpa-policy-type-enum",
     {"backend": {"autoscaling": {"behavior": {"scaleUp": {"policies": [
         {"type": "Nodes", "value": 1, "periodSeconds": 15}]}}}}},
     ("/backend/autoscaling/behavior/scaleUp/policies/0/type",)),
    ("token-expiry-zero", {"config": {"jwt": {"accessTokenExpireMinutes": 0}}},
     ("/config/jwt/accessTokenExpireMinutes",)),
    ("redis-db-16", {"externalRedis": {"database": 16}}, ("/externalRedis/database",)),
    # enums and patterns
    ("anti-affinity-enum", {"backend": {"podAntiAffinityPreset": "always"}},
     ("/backend/podAntiAffinityPreset",)),
    ("cache-backend-enum", {"config": {"llmCacheBackend": "memcached"}},
     ("/config/llmCacheBackend",)),
    ("pull-policy-enum", {"backend": {"image": {"pullPolicy": "Sometimes"}}},
     ("/backend/image/pullPolicy",)),
    ("jwt-algorithm-enum", {"config": {"jwt": {"algorithm": "none"}}},
     ("/config/jwt/algorithm",)),
    ("eviction-policy-enum", {"redis": {"maxmemoryPolicy": "random"}},
     ("/redis/maxmemoryPolicy",)),
    ("digest-pattern", {"backend": {"image": {"digest": "sha256:short"}}},
     ("/backend/image/digest",)),
    ("duration-pattern", {"metrics": {"serviceMonitor": {"interval": "30"}}},
     ("/metrics/serviceMonitor/interval",)),
    ("cidr-pattern", {"networkPolicy": {"llmApiCIDRs": ["anywhere"]}},
     ("/networkPolicy/llmApiCIDRs/0",)),
    ("secret-name-pattern", {"secrets": {"existingSecret": "Bad_Name"}},
     ("/secrets/existingSecret",)),
    ("pull-secret-item", {"global": {"imagePullSecrets": [{"nam": "x"}]}},
     ("/global/imagePullSecrets/0",)),
    ("platform-name-pattern", {"global": {"platformName": "Bad_Name"}},
     ("/global/platformName",)),
    ("unknown-in-postgresql-auth", {"postgresql": {"auth": {"secret": "x"}}},
     ("/postgresql/auth", "'secret'")),
    # not a key: the server reads the app Secret (secrets.existingSecret), one name for both
    ("no-postgresql-auth-existing-secret", {"postgresql": {"auth": {"existingSecret": "x"}}},
     ("/postgresql/auth", "'existingSecret'")),
    # cross-field rules (templates/validate.yaml)
    ("min-above-max", {"backend": {"autoscaling": {"minReplicas": 8, "maxReplicas": 4}}},
     ("backend.autoscaling.minReplicas", "maxReplicas (4)")),
    ("no-external-database", {"postgresql": {"enabled": False}}, ("externalDatabase.host",)),
    ("gateway-without-parents", {"gateway": {"enabled": True}}, ("gateway.parentRefs",)),
    ("issuers-without-http01-route",
     {"ingress": {"enabled": False},
      "gateway": {"enabled": True, "parentRefs": [{"name": "gw", "port": 443}]},
      "certManager": {"clusterIssuers": {"create": True, "email": "ops@example.edu"}}},
     ("gateway.httpParentRefs",)),
    # the connection budget cannot hold with the bundled PostgreSQL: the numbers, the three ways
    ("budget-seed-pools", {"config": {"database": {"poolSize": 20, "maxOverflow": 40}}},
     ("postgresql.parameters.max_connections: 250 cannot hold",
      "13 backend pods (10 + 3 rollout surge) x 1 process(es) x (poolSize 20 + maxOverflow 40)",
      "= 786", "lower config.database.poolSize/maxOverflow",
      "raise postgresql.parameters.max_connections to at least 786 with the memory",
      "pooler (PgBouncer)")),
    ("budget-processes", {"backend": {"autoscaling": {"enabled": False}, "replicaCount": 6,
                                      "processes": 4},
                          "postgresql": {"parameters": {"max_connections": 300},
                                         "backup": {"enabled": True}}},
     ("max_connections: 300 cannot hold",
      "8 backend pods (6 + 2 rollout surge) x 4 process(es) x (poolSize 5 + maxOverflow 10) + "
      "2 Job connection(s) + adminReserve 5 = 487")),
    ("budget-default-max-connections", {"postgresql": {"parameters": {"max_connections": None}}},
     ("max_connections: 100 cannot hold",)),
    ("sample-data-without-tables", {"postgresql": {"schema": {"sampleData": True}}},
     ("postgresql.schema.sampleData", "postgresql.schema.mode=bundled")),
    ("schema-mode-enum", {"postgresql": {"schema": {"mode": "alembic"}}},
     ("/postgresql/schema/mode",)),
    ("schema-command-empty", {"postgresql": {"schema": {"mode": "command", "command": []}}},
     ("/postgresql/schema/command",)),
    ("all-messages-at-once", {"postgresql": {"enabled": False, "schema": {"sampleData": True}},
                              "backend": {"autoscaling": {"minReplicas": 9, "maxReplicas": 3}}},
     ("externalDatabase.host", "postgresql.schema.sampleData", "backend.autoscaling.minReplicas")),
]


@pytest.fixture(scope="module")
def bad_values_files(
    tmp_path_factory: pytest.TempPathFactory, helm_runs: HelmRuns
) -> dict[str, Path]:
    """Write every case's values file and start all renders in the background."""
    directory = tmp_path_factory.mktemp("bad-values")
    files = {}
    for case_id, values, _ in CASES:
        path = directory / f"{case_id}.yaml"
        path.write_text(yaml.safe_dump(values))
        files[case_id] = path
        for helm in HELMS:
            helm_runs.submit(helm, template_args([path]))
    return files


# The schema cases (the expected text names a JSON pointer, and a quoted key for unknown keys):
# without the offending key, the same values must not be refused for it. This is what makes a
# case mean "the schema refuses exactly this": a refusal for any other reason (a broken harness,
# a case that breaks two things) fails here instead of passing above.
SCHEMA_CASES = [case for case in CASES if case[2][0].startswith("/")]


def _offending_path(expected: tuple[str, ...]) -> list[str | int]:
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in expected[0].split("/")[1:]]
    if len(expected) > 1 and expected[-1].startswith("'"):
        parts.append(expected[-1].strip("'"))
    return parts


def _without(values: Any, path: list[str | int]) -> Any:
    """A copy of values with the key (or list item) at path removed."""
    copy = json.loads(json.dumps(values))
    node = copy
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return copy


def _control_file(
    directory: Path, case_id: str, values: dict[str, Any], expected: tuple[str, ...]
) -> Path:
    path = directory / f"{case_id}-control.yaml"
    path.write_text(yaml.safe_dump(_without(values, _offending_path(expected))))
    return path


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize(
    ("case_id", "values", "expected"), SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES]
)
def test_each_schema_case_is_refused_for_its_key_alone(
    helm_runs: HelmRuns, tmp_path_factory: pytest.TempPathFactory, helm: str,
    case_id: str, values: dict[str, Any], expected: tuple[str, ...],
) -> None:
    control = _control_file(tmp_path_factory.mktemp("control"), case_id, values, expected)
    result = helm_runs.run(helm, template_args([control]))
    assert expected[-1] not in result.stderr, (
        f"{case_id} without {expected[-1]} is still refused for it:\n{result.stderr}"
    )


HELM_SCHEMA_REFUSAL = "don't meet the specifications of the schema"


def _helmkit_refuses(path: Path, helm: str) -> bool:
    found = values_findings(
        CHART, Scenario("case", (path,)), ValuesBase(CHART), helm_major=int(helm[-1])
    )
    return any(f.rule == "values-schema" for f in found)


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize(
    ("case_id", "values", "expected"), SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES]
)
def test_helmkits_values_check_refuses_exactly_what_helms_refuses(
    helm_runs: HelmRuns, bad_values_files: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory, helm: str,
    case_id: str, values: dict[str, Any], expected: tuple[str, ...],
) -> None:
    """lint renders skip helm's values-schema check where helmkit's covers it
    (core.values.schema_coverage): on this chart's schema, helmkit's verdict on each case and
    its control must be helm's."""
    control = _control_file(tmp_path_factory.mktemp("control"), case_id, values, expected)
    for path in (bad_values_files[case_id], control):
        helm_refuses = HELM_SCHEMA_REFUSAL in helm_runs.run(helm, template_args([path])).stderr
        assert _helmkit_refuses(path, helm) == helm_refuses, f"{path.name}: helm {helm_refuses}"


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_helmkits_values_check_accepts_every_scenario(helm: str, scenario: Any) -> None:
    found = values_findings(
        CHART, Scenario("s", scenario.values), ValuesBase(CHART), helm_major=int(helm[-1])
    )
    assert [f for f in found if f.rule == "values-schema"] == []


def test_case_ids_are_unique() -> None:
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize(("case_id", "values", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_values_are_refused_naming_the_key(
    helm_runs: HelmRuns, bad_values_files: dict[str, Path], helm: str,
    case_id: str, values: dict[str, Any], expected: tuple[str, ...],
) -> None:
    result = helm_runs.run(helm, template_args([bad_values_files[case_id]]))
    assert result.returncode != 0, f"{case_id} was accepted:\n{yaml.safe_dump(values)}"
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "goroutine" not in result.stderr and "panic" not in result.stderr


def test_global_stays_open_for_other_charts(helm_runs: HelmRuns, tmp_path: Path) -> None:
    path = tmp_path / "global.yaml"
    path.write_text(yaml.safe_dump({"global": {"someOtherChart": {"x": 1}}}))
    for helm in HELMS:
        assert helm_runs.run(helm, template_args([path])).returncode == 0


# Objects the values schema leaves open on purpose: the terms of an affinity follow the Kubernetes
# API, and the strict Kubernetes schema validation of every rendered object checks them.
OPEN_ON_PURPOSE = re.compile(r"/affinity/properties/\w+/properties/\w+DuringExecution(/items)?$")


def _open_objects(node: Any, path: str) -> list[str]:
    """JSON pointers of object schemas that accept keys nobody declared."""
    found: list[str] = []
    if isinstance(node, dict):
        is_object = node.get("type") == "object" or "properties" in node
        extra = node.get("additionalProperties", True)
        string_map = isinstance(extra, dict) and extra.get("type") == "string"
        if is_object and extra is not False and not string_map:
            found.append(path)
        for key, child in node.items():
            found += _open_objects(child, f"{path}/{key}")
    elif isinstance(node, list):
        for position, child in enumerate(node):
            found += _open_objects(child, f"{path}/{position}")
    return found


def test_the_schema_rejects_unknown_keys_everywhere_but_global() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    open_objects = [
        pointer for pointer in _open_objects(schema, "")
        if not re.search(r"/properties/global(/|$)", pointer)
        and not OPEN_ON_PURPOSE.search(pointer)
    ]
    assert open_objects == []
    assert schema["properties"]["global"]["additionalProperties"] is True
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("helm", HELMS)
def test_a_release_name_too_long_for_the_derived_names_is_refused(
    helm_runs: HelmRuns, helm: str
) -> None:
    longest = "x" * 25  # becomes "<release>-ai-native": 35 characters
    ok = helm_runs.run(helm, ("template", longest, str(CHART), "--namespace", "ns"))
    assert ok.returncode == 0, ok.stderr
    refused = helm_runs.run(helm, ("template", longest + "y", str(CHART), "--namespace", "ns"))
    assert refused.returncode != 0
    assert "63-character limit" in refused.stderr and "at most 25 characters" in refused.stderr
