"""Parsing of helm template output."""

from __future__ import annotations

import pytest

from helmkit.core.model import manifests
from helmkit.core.model.manifests import ManifestError


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


TRICKY_DOCUMENTS = [
    "a: &x {b: 1}\nc: *x\nd: 2001-12-14\ne: 1.5\nf: ~\ng: yes\nh: 0o17\ni: '012'\n",
    "base: &b {x: 1, y: 2}\nderived: {<<: *b, y: 3}\n",
    "- 1\n- '2'\n- 1e3\n- .inf\n- -.inf\n- 0x1F\n- true\n- ''\n- null\n",
    "a: !!binary aGVsbG8=\nb: !!str 12\nc: !!int '7'\n",
    "key with spaces: value\n'quoted': \"x\\ty\"\nmulti: |\n  line 1\n  line 2\n",
    "",
    "# only a comment\n",
]


@pytest.mark.parametrize("text", TRICKY_DOCUMENTS)
def test_load_document_is_safe_load(text: str) -> None:
    import yaml

    assert manifests.load_document(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["? [1]\n: 2\n", "!custom x\n", "a: [1\n"])
def test_load_document_raises_like_safe_load(text: str) -> None:
    import yaml

    with pytest.raises(yaml.YAMLError) as ours:
        manifests.load_document(text)
    with pytest.raises(yaml.YAMLError) as theirs:
        yaml.safe_load(text)
    assert type(ours.value) is type(theirs.value)


@pytest.mark.parametrize(
    "data",
    [
        {"b": [1, True, None, "yes", "1", "", "a: b", "ünï", "- x"], "a": {"z": {}, "y": []}},
        [{"k": "multi\nline\n", "n": -3}, "0o17", "2001-12-14", "~"],
        {"f": 1.5, "inf": float("inf")},  # floats: PyYAML's representer
        {1: "int key", "s": "x"},  # mixed key types: left unsorted, as PyYAML does
    ],
)
def test_dump_plain_is_dump_yaml(data: object) -> None:
    assert manifests.dump_plain(data) == manifests.dump_yaml(data)


def test_dump_plain_shared_objects_become_aliases_like_pyyaml() -> None:
    shared = {"x": 1}
    data = {"a": shared, "b": shared}
    assert manifests.dump_plain(data) == manifests.dump_yaml(data)


def test_parsed_objects_carry_the_digest_of_their_text() -> None:
    text = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    (first,) = manifests.parse_manifests(text)
    (again,) = manifests.parse_manifests(text)
    (other,) = manifests.parse_manifests(text.replace("name: a", "name: b"))
    assert first.digest and first.digest == again.digest != other.digest
