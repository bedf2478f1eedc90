"""Parsing of helm template output."""

from __future__ import annotations

import pytest

from helmkit.core import manifests
from helmkit.core.manifests import ManifestError


def test_sources_empty_documents_and_lists() -> None:
    text = (
        "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: a, namespace: n}\n"
        "---\n# Source: c/templates/empty.yaml\n\n"
        "---\n# Source: c/templates/list.yaml\nkind: List\nitems:\n"
        "  - {apiVersion: v1, kind: Service, metadata: {name: s}}\n"
    )
    objs = manifests.parse_manifests(text)
    assert [(o.ref, o.source, o.key) for o in objs] == [
        ("ConfigMap/a", "c/templates/a.yaml", "ConfigMap/n/a"),
        ("Service/s", "c/templates/list.yaml", "Service/s"),
    ]


def test_invalid_yaml_names_the_template() -> None:
    with pytest.raises(ManifestError, match=r"c/templates/bad.yaml: invalid YAML"):
        manifests.parse_manifests("---\n# Source: c/templates/bad.yaml\nkind: [\n")


def test_not_an_object() -> None:
    with pytest.raises(ManifestError, match="without `kind`"):
        manifests.parse_manifests("---\n# Source: x.yaml\nfoo: bar\n")


def test_pod_spec_of_each_workload_kind() -> None:
    pod = {"containers": [{"name": "c"}]}
    cron = {
        "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": pod}}}},
    }
    (obj,) = manifests.parse_manifests(manifests.dump_yaml(cron))
    assert manifests.pod_spec(obj) == pod
    assert manifests.pod_spec_path("CronJob") == "spec.jobTemplate.spec.template.spec"
    assert [p for p, _ in manifests.containers(pod)] == ["containers[0]"]
