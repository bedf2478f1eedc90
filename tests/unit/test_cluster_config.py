"""Pure pieces of the local control plane: paths, nodes, kwokctl config, argv."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml

from helmkit.core.cluster import config as cc

PATHS = cc.ClusterPaths(cache_dir=Path("/cache"))


def test_paths_live_in_the_cache() -> None:
    assert PATHS.kubeconfig == Path("/cache/cluster/kubeconfig")
    assert PATHS.workdir == Path("/cache/cluster/kwok")
    assert PATHS.pid_dir == Path("/cache/cluster/kwok/clusters/ai-native/pids")
    assert PATHS.binary("kwokctl") == Path("/cache/bin/kwokctl")


def test_three_nodes_with_distinct_hostnames_zones_and_loopback_ips() -> None:
    nodes = cc.default_nodes()
    manifests = [cc.node_manifest(n) for n in nodes]
    hostnames = {m["metadata"]["labels"]["kubernetes.io/hostname"] for m in manifests}
    zones = {m["metadata"]["labels"]["topology.kubernetes.io/zone"] for m in manifests}
    assert len(hostnames) == len(zones) == 3
    for node, manifest in zip(nodes, manifests, strict=True):
        assert manifest["metadata"]["name"] == node.name
        assert ipaddress.ip_address(node.ip).is_loopback
        # EndpointSlices refuse loopback pod IPs; 10.244/16 is private and never dialled.
        assert ipaddress.ip_network(node.pod_cidr).subnet_of(ipaddress.ip_network("10.244.0.0/16"))
        assert manifest["spec"]["podCIDRs"] == [node.pod_cidr]


def test_node_count_is_bounded() -> None:
    assert len(cc.default_nodes(1)) == 1
    for bad in (0, 27):
        try:
            cc.default_nodes(bad)
        except ValueError as exc:
            assert str(bad) in str(exc)
        else:
            raise AssertionError(f"{bad} nodes accepted")


def test_bootstrap_has_one_default_storage_class_then_nodes() -> None:
    docs = list(yaml.safe_load_all(cc.bootstrap_manifests(cc.default_nodes())))
    assert [d["kind"] for d in docs] == ["StorageClass", "Node", "Node", "Node"]
    sc = docs[0]
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert sc["metadata"]["name"] == cc.STORAGE_CLASS


def test_kwokctl_config_uses_our_binaries_loopback_and_admission() -> None:
    stages = "apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata:\n  name: s1\n"
    link = cc.NodeLink("10.250.0.1", "10.96.0.0/16", ("10.250.0.1",))
    docs = list(yaml.safe_load_all(cc.kwokctl_config(PATHS, "1.35.4", stages, link)))
    assert docs[0]["kind"] == "KwokctlConfiguration"
    assert docs[1]["metadata"]["name"] == "s1"
    opts = docs[0]["options"]
    assert opts["runtime"] == "binary"
    assert opts["bindAddress"] == "127.0.0.1"
    assert opts["kubeVersion"] == "v1.35.4"
    assert opts["kubeAdmission"] is True
    assert opts["kubeApiserverBinary"] == "/cache/bin/kube-apiserver"
    assert opts["etcdBinary"] == "/cache/bin/etcd"
    assert opts["kwokControllerBinary"] == "/cache/bin/kwok"
    patch = docs[0]["componentsPatches"][0]
    # The API server listens on loopback and advertises the address pods reach it by.
    assert patch["name"] == "kube-apiserver"
    assert {"key": "advertise-address", "value": "10.250.0.1"} in patch["extraArgs"]


def test_argv_builders() -> None:
    assert cc.create_argv(PATHS) == [
        "/cache/bin/kwokctl", "create", "cluster", "--name", "ai-native",
        "--runtime", "binary", "--config", "/cache/cluster/kwokctl.yaml",
        "--kubeconfig", "/cache/cluster/kubeconfig", "--wait", "120s",
    ]  # fmt: skip
    assert cc.delete_argv(PATHS) == [
        "/cache/bin/kwokctl", "delete", "cluster", "--name", "ai-native",
        "--kubeconfig", "/cache/cluster/kubeconfig",
    ]  # fmt: skip
    assert cc.kubectl_argv(PATHS, "get", "nodes") == [
        "/cache/bin/kubectl", "--kubeconfig", "/cache/cluster/kubeconfig", "get", "nodes",
    ]  # fmt: skip


def test_env_puts_our_bin_first_and_sets_workdir() -> None:
    env = cc.kwokctl_env(PATHS, {"PATH": "/usr/bin", "HOME": "/root"})
    assert env["PATH"] == "/cache/bin:/usr/bin"
    assert env["KWOK_WORKDIR"] == "/cache/cluster/kwok"
    assert env["HOME"] == "/root"


def test_env_line_is_shell_quoted() -> None:
    assert cc.env_line(PATHS) == "export KUBECONFIG=/cache/cluster/kubeconfig"
    spaced = cc.ClusterPaths(cache_dir=Path("/my cache"))
    assert cc.env_line(spaced) == "export KUBECONFIG='/my cache/cluster/kubeconfig'"


def test_parse_versions() -> None:
    text = '# c\nKUBERNETES_VERSION=1.35.4\n\nDEBIAN_PACKAGES="a b"\n'
    assert cc.parse_versions(text) == {"KUBERNETES_VERSION": "1.35.4", "DEBIAN_PACKAGES": "a b"}


def test_shipped_stages_are_complete() -> None:
    """kwokctl drops its defaults when the config lists any Stage: ours must be the full set."""
    text = (Path(cc.__file__).parents[2] / "data" / "kwok" / "stages.yaml").read_text()
    names = {d["metadata"]["name"] for d in yaml.safe_load_all(text) if d}
    assert {
        "node-initialize", "node-heartbeat-with-lease", "pod-ready", "pod-complete",
        "pod-delete", "pvc-provision", "pv-bind", "pvc-delete", "pv-delete",
        "ai-native-pod-run-to-completion", "ai-native-pod-fail", "ai-native-job-pod-fail",
        "ai-native-pod-never-ready",
    } <= names  # fmt: skip
    assert cc.FAIL_ANNOTATION in text
