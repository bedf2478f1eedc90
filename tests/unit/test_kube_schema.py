"""The compiled strict Kubernetes schema validator, checked against jsonschema itself."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from helmkit.core.lint import kube_schema
from helmkit.errors import UsageError

VERSION = "1.33.0"


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"a": "b"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"a": "b"}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"},
            },
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "x:1",
                            "ports": [{"containerPort": 8080, "name": "http"}],
                            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                            "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
                        }
                    ],
                },
            },
        },
    }


def mutations() -> list[tuple[str, Any]]:
    return [
        ("spec.replicas", "two"),
        ("spec.template.spec.containers.0.resources.limts", {}),
        ("spec.template.spec.containers.0.ports.0.containerPort", "8080"),
        ("spec.strategy.type", 7),
        ("spec.template.spec.unknownField", True),
        ("spec.template.spec.containers.0.readinessProbe.httpGet.port", 1.5),
        ("metadata.labels.a", 3),
    ]


def mutate(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    result = copy.deepcopy(obj)
    node: Any = result
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[parts[-1]] = value
    return result


def reference_errors(obj: dict[str, Any]) -> set[tuple[str | int, ...]]:
    """What jsonschema (the slow reference implementation) says, as error locations."""
    directory = kube_schema.schema_dir(VERSION)
    schema = json.loads(
        (directory / kube_schema.schema_file_name(obj["apiVersion"], obj["kind"])).read_text()
    )
    defs = json.loads((directory / "_definitions.json").read_text())
    registry = Resource.from_contents(defs) @ (Resource.from_contents(schema) @ Registry())
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    return {tuple(e.absolute_path) for e in validator.iter_errors(obj)}


def test_valid_object_has_no_issues_in_both() -> None:
    assert kube_schema.validate(deployment(), VERSION) == []
    assert reference_errors(deployment()) == set()


@pytest.mark.parametrize(("path", "value"), mutations())
def test_same_verdict_as_jsonschema(path: str, value: Any) -> None:
    broken = mutate(deployment(), path, value)
    issues = kube_schema.validate(broken, VERSION)
    assert issues, f"{path} = {value!r} passed"
    ours = {issue.path for issue in issues}
    # jsonschema reports unknown fields at the parent; we report the field itself
    ref = reference_errors(broken)
    assert {p if p in ref else p[:-1] for p in ours} == ref


def test_unknown_field_hint_suggests_the_close_name() -> None:
    broken = mutate(deployment(), "spec.template.spec.containers.0.resources.limts", {})
    (issue,) = kube_schema.validate(broken, VERSION) or []
    assert kube_schema.format_path(issue.path) == "spec.template.spec.containers[0].resources.limts"
    assert issue.hint == "did you mean `limits`?"


def test_type_error_message() -> None:
    (issue,) = kube_schema.validate(mutate(deployment(), "spec.replicas", "2"), VERSION) or []
    assert issue.message == "expected integer or null, got str"


def test_required_field() -> None:
    obj = deployment()
    del obj["spec"]["selector"]
    issues = kube_schema.validate(obj, VERSION) or []
    assert [kube_schema.format_path(i.path) for i in issues] == ["spec.selector"]


def test_crd_kind_not_bundled_has_no_schema() -> None:
    obj = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {"name": "x"},
    }
    assert kube_schema.validate(obj, VERSION) is None


@pytest.mark.parametrize(
    ("api_version", "kind", "file"),
    [
        ("v1", "Service", "service-v1.json"),
        ("apps/v1", "Deployment", "deployment-apps-v1.json"),
        ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicy-networking-v1.json"),
        (
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscaler-autoscaling-v2.json",
        ),
    ],
)
def test_schema_file_names(api_version: str, kind: str, file: str) -> None:
    assert kube_schema.schema_file_name(api_version, kind) == file
    assert (kube_schema.schema_dir(VERSION) / file).is_file()


def test_unbundled_version_is_a_usage_error_listing_the_bundled_ones() -> None:
    with pytest.raises(UsageError, match=r"no bundled Kubernetes schema for version 1.5.0") as err:
        kube_schema.schema_dir("1.5.0")
    assert "1.33" in err.value.message
    assert "kubeVersions" in err.value.hint


def test_not_a_version() -> None:
    with pytest.raises(UsageError, match="not a Kubernetes version"):
        kube_schema.minor_of("latest")


def test_validators_are_compiled_once() -> None:
    kube_schema.validator.cache_clear()
    kube_schema.validate(deployment(), VERSION)
    kube_schema.validate(deployment(), VERSION)
    info = kube_schema.validator.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_covered_needs_the_cluster_minor_validated_and_a_schema_for_every_object() -> None:
    built_in = [deployment(), {"apiVersion": "v1", "kind": "Service"}]
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute"}
    validated = ["1.32.0", "1.33.0"]
    assert kube_schema.covered(built_in, validated, "v1.33.4")
    assert not kube_schema.covered(built_in, validated, "v1.34.1"), "that version was not checked"
    assert not kube_schema.covered([*built_in, route], validated, "v1.33.4"), "no CRD schemas"
    assert not kube_schema.covered(built_in, validated, "unknown")


def service_monitor(**endpoint: object) -> dict[str, object]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "m"},
        "spec": {
            "selector": {"matchLabels": {"app": "a"}},
            "endpoints": [{"port": "http", "interval": "15s", **endpoint}],
        },
    }


def test_bundled_crd_schemas_validate_crd_objects() -> None:
    assert kube_schema.validate(service_monitor(), VERSION) == []
    (typo,) = kube_schema.validate(service_monitor(intervall="15s"), VERSION) or []
    assert kube_schema.format_path(typo.path) == "spec.endpoints[0].intervall"
    assert typo.hint == "did you mean `interval`?"
    (bad,) = kube_schema.validate(service_monitor(interval="soon"), VERSION) or []
    assert "does not match" in bad.message
    # int-or-string (anyOf) and open maps (preserve-unknown-fields) accept what the CRD accepts
    assert kube_schema.validate(service_monitor(targetPort=8080), VERSION) == []
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "r"},
        "spec": {"parentRefs": [{"name": "gw", "sectionName": "https"}], "hostnames": ["a.b"]},
    }
    assert kube_schema.validate(route, VERSION) == []
    route["spec"]["hostname"] = "a.b"  # type: ignore[index]
    assert [
        kube_schema.format_path(i.path) for i in kube_schema.validate(route, VERSION) or []
    ] == ["spec.hostname"]
    issuer = {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "spec": {"acme": {}}}
    missing = {kube_schema.format_path(i.path) for i in kube_schema.validate(issuer, VERSION) or []}
    assert {"spec.acme.privateKeySecretRef", "spec.acme.server"} <= missing
    assert kube_schema.validate({"apiVersion": "example.org/v1", "kind": "Widget"}, VERSION) is None


def test_crd_bundle_matches_the_pinned_versions() -> None:
    env = (Path(__file__).resolve().parents[2] / "scripts" / "versions.env").read_text()
    pinned = dict(
        line.split("=", 1) for line in env.splitlines() if "=" in line and not line.startswith("#")
    )
    stamp = kube_schema.crd_schemas()["generatedFrom"]
    assert stamp == {
        "github.com/prometheus-operator/prometheus-operator": pinned["PROMETHEUS_OPERATOR_VERSION"],
        "github.com/cert-manager/cert-manager": pinned["CERT_MANAGER_VERSION"],
        "sigs.k8s.io/gateway-api": pinned["GATEWAY_API_VERSION"],
    }, "run scripts/gen-crd-schemas.py after changing the versions in scripts/versions.env"
    kinds = {key.rsplit("/", 1)[1] for key in kube_schema.crd_schemas()["schemas"]}
    assert kinds == {
        "ServiceMonitor",
        "PrometheusRule",
        "ClusterIssuer",
        "Certificate",
        "HTTPRoute",
        "Gateway",
    }


def test_covered_compiles_nothing() -> None:
    """A release asks it after its gate: a verdict remembered from an earlier run leaves the
    validators uncompiled, and whether a schema exists needs none of them."""
    kube_schema.builtin_validator.cache_clear()
    assert kube_schema.covered([deployment()], ["1.33.0"], "v1.33.4")
    assert kube_schema.builtin_validator.cache_info().currsize == 0


def _service() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"ports": [{"port": "http"}], "selektor": {}},
    }


def _fresh(version: str, api_version: str, kind: str) -> kube_schema.Compiled:
    directory = kube_schema.schema_dir(version)
    text = (directory / kube_schema.schema_file_name(api_version, kind)).read_text()
    return kube_schema.compile_kind(
        text, kube_schema._LazyDefinitions((directory / "_definitions.json").read_text())
    )


def test_a_kind_equal_in_two_versions_shares_one_validator() -> None:
    """Service is the same in 1.33 and 1.35 (descriptions aside); Deployment is not."""
    shared = kube_schema.builtin_validator("1.33.0", "v1", "Service")
    assert shared is kube_schema.builtin_validator("1.35.0", "v1", "Service")
    deployments = {
        id(kube_schema.builtin_validator(v, "apps/v1", "Deployment")) for v in ("1.31.0", "1.35.0")
    }
    assert len(deployments) == 2


@pytest.mark.parametrize("version", kube_schema.bundled_versions())
def test_a_shared_validator_gives_the_verdict_of_its_own_version(version: str) -> None:
    for obj in (_service(), *(mutate(deployment(), p, v) for p, v in mutations())):
        api_version, kind = obj["apiVersion"], obj["kind"]
        shared = kube_schema.builtin_validator(version, api_version, kind)
        assert shared is not None
        assert shared.issues(obj) == _fresh(version, api_version, kind).issues(obj)


def test_a_field_a_later_version_adds_stays_unknown_to_the_earlier_one() -> None:
    def pod_spec_fields(version: str) -> set[str]:
        definitions = kube_schema._LazyDefinitions(
            (kube_schema.schema_dir(version) / "_definitions.json").read_text()
        )
        return set(definitions["io.k8s.api.core.v1.PodSpec"]["properties"])

    added = sorted(pod_spec_fields("1.35.0") - pod_spec_fields("1.31.0"))
    assert added, "1.35 adds PodSpec fields to 1.31's"
    obj = mutate(deployment(), f"spec.template.spec.{added[0]}", None)
    for version in ("1.35.0", "1.31.0", "1.35.0"):  # either order of compiling
        unknown = [i for i in kube_schema.validate(obj, version) or [] if added[0] in i.path]
        assert bool(unknown) == (version == "1.31.0"), (version, unknown)


def test_a_field_named_description_is_known() -> None:
    """Descriptions are dropped from the schemas, a property called `description` is not."""
    priority = {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": "batch"},
        "value": 1000,
        "description": "batch jobs",
    }
    for version in kube_schema.bundled_versions():
        assert kube_schema.validate(priority, version) == [], version
    assert kube_schema.validate({**priority, "value": "high"}, "1.35.0")
