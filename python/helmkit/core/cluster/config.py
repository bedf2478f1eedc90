"""Pure description of the local control plane: paths, the kwokctl config, fake nodes, argv.

Nothing here touches the disk or a process; `helmkit.adapters.cluster` does that. Every component
binds to loopback and fake node IPs are loopback addresses. Pod IPs come from 10.244.0.0/16: they
are data only (no webhook, aggregated API, logs or port-forward ever dials a fake pod), and they
cannot be loopback because EndpointSlices refuse loopback addresses, which would leave every
Service without endpoints.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CLUSTER_NAME = "ai-native"
LOOPBACK = "127.0.0.1"
FAIL_ANNOTATION = "kwok.ai-native.dev/fail"
STORAGE_CLASS = "kwok-volume"
# The binaries kwokctl needs; scripts/build-control-plane.sh links them into $CACHE/bin.
BINARIES = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubectl",
    "etcd",
    "kwok",
    "kwokctl",
)
BUILD_COMMAND = "scripts/build-control-plane.sh"


@dataclass(frozen=True)
class ClusterPaths:
    """Where the cluster lives inside the tool cache (never inside the repo)."""

    cache_dir: Path
    name: str = CLUSTER_NAME

    @property
    def bin_dir(self) -> Path:
        return self.cache_dir / "bin"

    @property
    def root(self) -> Path:
        return self.cache_dir / "cluster"

    @property
    def workdir(self) -> Path:
        """KWOK_WORKDIR: kwokctl keeps PKI, logs and pid files of every cluster under it."""
        return self.root / "kwok"

    @property
    def cluster_dir(self) -> Path:
        return self.workdir / "clusters" / self.name

    @property
    def pid_dir(self) -> Path:
        return self.cluster_dir / "pids"

    @property
    def pki_dir(self) -> Path:
        """kwokctl's PKI: the cluster CA and the admin certificate every component shares."""
        return self.cluster_dir / "pki"

    @property
    def kubeconfig(self) -> Path:
        return self.root / "kubeconfig"

    @property
    def config_file(self) -> Path:
        return self.root / "kwokctl.yaml"

    def binary(self, name: str) -> Path:
        return self.bin_dir / name


@dataclass(frozen=True)
class NodeSpec:
    """One fake node: distinct hostname and zone so anti-affinity and spread constraints bite."""

    name: str
    zone: str
    ip: str
    pod_cidr: str


def default_nodes(count: int = 3) -> list[NodeSpec]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    if not 1 <= count <= len(letters):
        raise ValueError(f"node count must be between 1 and {len(letters)}, got {count}")
    return [
        NodeSpec(
            name=f"kwok-node-{letters[i]}",
            zone=f"zone-{letters[i]}",
            ip=f"127.0.1.{i + 1}",
            pod_cidr=f"10.244.{i + 1}.0/24",
        )
        for i in range(count)
    ]


def node_manifest(node: NodeSpec) -> dict[str, Any]:
    """A Node like kwokctl's own template, with our labels; kwok fills in the Ready status."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node.name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/os": "linux",
                "kubernetes.io/hostname": node.name,
                "topology.kubernetes.io/zone": node.zone,
                "topology.kubernetes.io/region": "local",
                "node-role.kubernetes.io/agent": "",
                "type": "kwok",
            },
        },
        "spec": {"podCIDR": node.pod_cidr, "podCIDRs": [node.pod_cidr]},
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": node.ip},
                {"type": "Hostname", "address": node.name},
            ],
            "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
            "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"},
            "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux"},
        },
    }


def storage_class_manifest() -> dict[str, Any]:
    """The default StorageClass that kwok's volume Stages provision and bind."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": STORAGE_CLASS,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "kwok.x-k8s.io/volume",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    }


def bootstrap_manifests(nodes: list[NodeSpec]) -> str:
    """Everything applied once after the control plane is up, as one multi-document YAML."""
    docs = [storage_class_manifest(), *(node_manifest(n) for n in nodes)]
    return yaml.safe_dump_all(docs, sort_keys=False)


@dataclass(frozen=True)
class NodeLink:
    """Where the real node reaches the API server (the host end of its veth) and the names the
    serving certificate must carry for it and for pods (the `kubernetes` Service IP)."""

    advertise_address: str
    service_cidr: str
    cert_sans: tuple[str, ...]


def _args(pairs: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in pairs.items()]


def kwokctl_options(paths: ClusterPaths, kube_version: str, link: NodeLink) -> dict[str, Any]:
    """KwokctlConfiguration: binary runtime, our own binaries, loopback only, real admission.
    The same with or without the real node, so adding one never makes the cluster stale."""
    b = paths.binary
    pki = paths.pki_dir
    return {
        "kind": "KwokctlConfiguration",
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
        "options": {
            "runtime": "binary",
            "bindAddress": LOOPBACK,
            "kubeVersion": f"v{kube_version}",
            "securePort": True,
            # Admission on means Pod Security, ServiceAccount and DefaultStorageClass are real.
            "kubeAuthorization": True,
            "kubeAdmission": True,
            "kubeApiserverCertSANs": list(link.cert_sans),
            "kubeApiserverBinary": str(b("kube-apiserver")),
            "kubeControllerManagerBinary": str(b("kube-controller-manager")),
            "kubeSchedulerBinary": str(b("kube-scheduler")),
            "kubectlBinary": str(b("kubectl")),
            "etcdBinary": str(b("etcd")),
            "kwokControllerBinary": str(b("kwok")),
        },
        "componentsPatches": [
            {
                "name": "kube-apiserver",
                "extraArgs": _args(
                    {
                        # An address pods reach (through the real node's veth and a forwarder),
                        # so the `kubernetes` Service works from them; the API server itself
                        # still listens on loopback only.
                        "advertise-address": link.advertise_address,
                        "service-cluster-ip-range": link.service_cidr,
                        # The node's Hostname does not resolve: dial kubelets by IP.
                        "kubelet-preferred-address-types": "InternalIP,Hostname",
                        # Aggregated APIs (metrics-server) by endpoint address: this namespace
                        # has no route to Service addresses, the real node's veth reaches it.
                        "enable-aggregator-routing": "true",
                        # The kubelet authenticates the API server by this (cluster CA) cert.
                        "kubelet-client-certificate": str(pki / "admin.crt"),
                        "kubelet-client-key": str(pki / "admin.key"),
                    }
                ),
            },
            {
                # kwok plays the kubelet for the fake nodes only; on the real node it would
                # write pod status beside the kubelet and force-delete its pods. The later
                # flag wins over kwokctl's own --manage-all-nodes=true.
                "name": "kwok-controller",
                "extraArgs": _args(
                    {
                        "manage-all-nodes": "false",
                        "manage-nodes-with-annotation-selector": "kwok.x-k8s.io/node=fake",
                    }
                ),
            },
        ],
    }


# Part of the config text, so a running cluster with an older node layout counts as stale.
NODE_LAYOUT = "nodes: kwok-node-<letter>, zone-<letter>, IP 127.0.1.<n>, pods 10.244.<n>.0/24"


def kwokctl_config(paths: ClusterPaths, kube_version: str, stages_yaml: str, link: NodeLink) -> str:
    """The config file: options first, then every Stage (the file replaces kwok's defaults)."""
    head = yaml.safe_dump(kwokctl_options(paths, kube_version, link), sort_keys=False)
    return f"# {NODE_LAYOUT}\n{head}---\n{stages_yaml.strip()}\n"


def create_argv(paths: ClusterPaths, wait_s: int = 120) -> list[str]:
    return [
        str(paths.binary("kwokctl")),
        "create",
        "cluster",
        "--name",
        paths.name,
        "--runtime",
        "binary",
        "--config",
        str(paths.config_file),
        "--kubeconfig",
        str(paths.kubeconfig),
        "--wait",
        f"{wait_s}s",
    ]


def delete_argv(paths: ClusterPaths) -> list[str]:
    return [
        str(paths.binary("kwokctl")),
        "delete",
        "cluster",
        "--name",
        paths.name,
        "--kubeconfig",
        str(paths.kubeconfig),
    ]


def kubectl_argv(paths: ClusterPaths, *args: str) -> list[str]:
    return [str(paths.binary("kubectl")), "--kubeconfig", str(paths.kubeconfig), *args]


def kwokctl_env(paths: ClusterPaths, base: dict[str, str]) -> dict[str, str]:
    """kwokctl finds kubectl on PATH (else it downloads one), so our bin dir goes first."""
    env = dict(base)
    env["PATH"] = f"{paths.bin_dir}:{base.get('PATH', '')}"
    env["KWOK_WORKDIR"] = str(paths.workdir)
    env["KWOK_RUNTIME"] = "binary"
    return env


def env_line(paths: ClusterPaths) -> str:
    return f"export KUBECONFIG={shlex.quote(str(paths.kubeconfig))}"


def parse_versions(text: str) -> dict[str, str]:
    """scripts/versions.env: KEY=VALUE lines, comments and blank lines ignored."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        out[key.strip()] = value.strip().strip('"')
    return out
