"""Pure description of the local cluster's real node: names, addresses, configs, argv, checks.

The real node is a kubelet, containerd (with runc and the standard CNI plugins) and kube-proxy
joined to the kwok control plane. Every one of them runs inside a network namespace of its own
with one veth link to the host: the pod network, the Service range and every iptables rule stay
in that namespace, and pods have no route off the machine (the namespace has no default route).
The API server listens on loopback only; a forwarder on the host end of the veth relays to it.

Names and addresses derive from the cache directory, so two clusters on one machine (the session
cluster and the private one of the lifecycle test) never collide. Nothing here touches the disk
or a process; `helmkit.adapters.real_node` does that.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from helmkit.core.cluster_config import ClusterPaths, NodeLink

NODE_NAME = "real-node"
# Chart pods opt in to the real node with this nodeSelector and a toleration of the taint.
NODE_LABEL = ("type", "real")
NODE_TAINT = {"key": "ai-native.dev/real-node", "value": "true", "effect": "NoSchedule"}
# `down` adds it first so that no pod is scheduled or restarted while the node drains.
SHUTDOWN_TAINT = "ai-native.dev/shutdown=true:NoExecute"
POD_CIDR = "10.244.128.0/24"
CLUSTER_CIDR = "10.244.0.0/16"
SERVICE_CIDR = "10.96.0.0/16"
# The first address of the Service range: the `kubernetes` Service, in the serving cert's SANs.
KUBERNETES_SERVICE_IP = "10.96.0.1"
# Cluster DNS: CoreDNS in the node's namespace behind the usual kube-dns Service address.
DNS_SERVICE_IP = "10.96.0.10"
CLUSTER_DOMAIN = "cluster.local"
COREDNS_READY_PORT = 8181
# metrics-server in the node's namespace; the API server reaches it at the node's address
# (aggregator routing to endpoints: the host has no route to Service addresses).
METRICS_PORT = 4443
METRICS_APISERVICE = "v1beta1.metrics.k8s.io"
VETH_RANGE = ipaddress.ip_network("10.250.0.0/16")
KUBELET_PORT = 10250
KUBELET_HEALTHZ_PORT = 10248
KUBE_PROXY_HEALTHZ_PORT = 10256
CNI_DIR = Path("/usr/lib/cni")
CNI_PLUGINS = ("bridge", "host-local", "portmap", "loopback")
# Host programs the node needs (Debian packages, see REAL_NODE_DEBIAN_PACKAGES).
HOST_PROGRAMS = (
    "containerd",
    "containerd-shim-runc-v2",
    "runc",
    "ctr",
    "iptables",
    "conntrack",
    "ip",
    "nsenter",
    "socat",
    "openssl",
)
NODE_BINARIES = ("kubelet", "kube-proxy", "coredns", "metrics-server")
# Only cgroup v1 is supported: the hierarchies the kubelet needs in cgroupfs mode.
CGROUP_V1_CONTROLLERS = ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "pids")
# Host sysctls (not per network namespace) the kubelet sets when protectKernelDefaults is false:
# recorded before it starts and restored by `down`.
KUBELET_SYSCTLS = (
    "vm.overcommit_memory",
    "vm.panic_on_oom",
    "kernel.panic",
    "kernel.panic_on_oops",
    "kernel.keys.root_maxkeys",
    "kernel.keys.root_maxbytes",
)
# Per-namespace sysctls set inside the node's namespace: forwarding between the pod bridge and
# the veth, and bridged pod traffic through iptables (Service replies are un-DNATed there).
NETNS_SYSCTLS = {"net.ipv4.ip_forward": "1", "net.bridge.bridge-nf-call-iptables": "1"}
PAUSE_REPOSITORY = "localhost/ai-native/pause"
IMAGES_BUILD_COMMAND = "scripts/build-images.sh"
# Directories the kubelet and containerd write outside the private tree whatever their flags say.
OUTSIDE_DIRS = (
    Path("/var/log/containers"),
    Path("/var/lib/kubelet"),
    Path("/var/lib/kubelet/device-plugins"),
    Path("/var/lib/cni"),
    Path("/var/lib/cni/results"),
    Path("/run/containerd"),
    Path("/run/containerd/s"),
    Path("/run/netns"),
)


@dataclass(frozen=True)
class NodeNetwork:
    """The names and addresses of one cluster's node; all derived from its instance id."""

    instance: str

    @property
    def netns(self) -> str:
        return f"ai-native-{self.instance}"

    @property
    def netns_path(self) -> Path:
        return Path("/run/netns") / self.netns

    @property
    def host_veth(self) -> str:
        return f"an{self.instance}h"

    @property
    def node_veth(self) -> str:
        return f"an{self.instance}n"

    @property
    def link(self) -> ipaddress.IPv4Network:
        index = int(self.instance, 16) % (VETH_RANGE.num_addresses // 4)
        base = int(VETH_RANGE.network_address) + 4 * index
        return ipaddress.IPv4Network((base, 30))

    @property
    def host_ip(self) -> str:
        return str(self.link.network_address + 1)

    @property
    def node_ip(self) -> str:
        return str(self.link.network_address + 2)

    @property
    def cni_network(self) -> str:
        return f"ai-native-{self.instance}"

    @property
    def cgroup_root(self) -> str:
        return f"/ai-native-{self.instance}"


def node_network(paths: ClusterPaths) -> NodeNetwork:
    digest = hashlib.sha256(str(paths.cache_dir).encode()).hexdigest()
    return NodeNetwork(instance=digest[:6])


def node_link(paths: ClusterPaths) -> NodeLink:
    """What the control plane's config needs to know about the node's link."""
    net = node_network(paths)
    return NodeLink(
        advertise_address=net.host_ip,
        service_cidr=SERVICE_CIDR,
        cert_sans=(net.host_ip, KUBERNETES_SERVICE_IP),
    )


@dataclass(frozen=True)
class NodePaths:
    """Everything the node writes that we can place: under the cluster directory in the cache."""

    root: Path

    @property
    def pid_dir(self) -> Path:
        return self.root / "pids"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def pki(self) -> Path:
        return self.root / "pki"

    @property
    def containerd_root(self) -> Path:
        # Kept across down/up: the imported images live here (nothing can be pulled again).
        return self.root.parent / "node-images"

    @property
    def containerd_state(self) -> Path:
        return self.root / "containerd-state"

    @property
    def containerd_config(self) -> Path:
        return self.root / "containerd.toml"

    @property
    def containerd_socket(self) -> Path:
        return self.root / "containerd.sock"

    @property
    def cni_conf_dir(self) -> Path:
        return self.root / "cni"

    @property
    def cni_ipam_dir(self) -> Path:
        return self.root / "cni-ipam"

    @property
    def kubelet_root(self) -> Path:
        return self.root / "kubelet"

    @property
    def pod_logs(self) -> Path:
        return self.root / "pod-logs"

    @property
    def kubelet_config(self) -> Path:
        return self.root / "kubelet.yaml"

    @property
    def kubelet_kubeconfig(self) -> Path:
        return self.root / "kubelet.kubeconfig"

    @property
    def kube_proxy_config(self) -> Path:
        return self.root / "kube-proxy.yaml"

    @property
    def kube_proxy_kubeconfig(self) -> Path:
        return self.root / "kube-proxy.kubeconfig"

    @property
    def corefile(self) -> Path:
        return self.root / "Corefile"

    @property
    def coredns_kubeconfig(self) -> Path:
        return self.root / "coredns.kubeconfig"

    @property
    def metrics_kubeconfig(self) -> Path:
        return self.root / "metrics-server.kubeconfig"

    def pid_file(self, component: str) -> Path:
        return self.pid_dir / f"{component}.pid"

    def log_file(self, component: str) -> Path:
        return self.log_dir / f"{component}.log"


def node_paths(paths: ClusterPaths) -> NodePaths:
    return NodePaths(root=paths.root / "node")


# Start order; `down` stops them in reverse.
COMPONENTS = (
    "apiserver-forwarder",
    "containerd",
    "kubelet",
    "kube-proxy",
    "coredns",
    "metrics-server",
)


@dataclass(frozen=True)
class NodeSpec:
    """What a node config needs beyond its paths: the API server, the CA, the sandbox image."""

    network: NodeNetwork
    paths: NodePaths
    apiserver_port: int
    ca_cert: Path
    pause_image: str
    bin_dir: Path

    @property
    def server(self) -> str:
        return f"https://{self.network.host_ip}:{self.apiserver_port}"


# --- preflight ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostFacts:
    """What decides whether this machine can run the node, gathered by the adapter."""

    euid: int
    cgroup_v1: tuple[str, ...]
    missing_programs: tuple[str, ...]
    missing_binaries: tuple[str, ...]
    missing_cni_plugins: tuple[str, ...]
    pause_image: str
    images_index: Path
    node_root: Path


# Unix socket paths are limited to 107 bytes; the kubelet puts its pod-resources socket (a
# 10-digit name) under its root directory, so a deep cache directory makes it fail at start.
UNIX_PATH_MAX = 107


def longest_socket(node_root: Path) -> Path:
    return node_root / "kubelet" / "pod-resources" / ("0" * 10)


def cannot_run(facts: HostFacts) -> list[str]:
    """Every reason this machine cannot run the real node (empty: it can)."""
    reasons = []
    socket = longest_socket(facts.node_root)
    if len(str(socket).encode()) > UNIX_PATH_MAX:
        reasons.append(
            f"the cache directory is too deep for the kubelet's unix sockets ({socket} is "
            f"{len(str(socket).encode())} bytes, the limit is {UNIX_PATH_MAX}): "
            "set AI_NATIVE_CACHE to a shorter path"
        )
    if facts.euid != 0:
        reasons.append(
            f"not root (uid {facts.euid}): network namespaces, cgroups and mounts need root"
        )
    missing_cg = [c for c in CGROUP_V1_CONTROLLERS if c not in facts.cgroup_v1]
    if missing_cg:
        reasons.append(
            "cgroup v1 hierarchies missing under /sys/fs/cgroup: "
            f"{', '.join(missing_cg)} (only cgroup v1 hosts are supported)"
        )
    if facts.missing_programs:
        reasons.append(
            f"programs not found: {', '.join(facts.missing_programs)} "
            "(install them: scripts/bootstrap.sh debian)"
        )
    if facts.missing_binaries:
        reasons.append(
            f"node binaries not built: {', '.join(facts.missing_binaries)} "
            "(build them: scripts/build-control-plane.sh)"
        )
    if facts.missing_cni_plugins:
        reasons.append(
            f"CNI plugins missing in {CNI_DIR}: {', '.join(facts.missing_cni_plugins)} "
            "(install them: scripts/bootstrap.sh debian)"
        )
    if not facts.pause_image:
        reasons.append(
            f"no {PAUSE_REPOSITORY} image in {facts.images_index} "
            f"(build it: {IMAGES_BUILD_COMMAND})"
        )
    return reasons


def pause_reference(index: dict[str, str]) -> str:
    """The sandbox image from the images index: its content-hash tag when there is one."""
    refs = sorted(ref for ref in index if ref.rpartition(":")[0] == PAUSE_REPOSITORY)
    hashed = [ref for ref in refs if not ref.endswith(":stand-in")]
    return (hashed or refs or [""])[0]


# --- configs -----------------------------------------------------------------------------------


def _toml_str(value: str | Path) -> str:
    return json.dumps(str(value))


def containerd_config(spec: NodeSpec) -> str:
    """containerd 1.6 (config version 2): private root/state/socket, CRI with runc and CNI."""
    p = spec.paths
    cri = '[plugins."io.containerd.grpc.v1.cri"]'
    return "\n".join(
        [
            "version = 2",
            f"root = {_toml_str(p.containerd_root)}",
            f"state = {_toml_str(p.containerd_state)}",
            # Snapshotters this host cannot run only log errors at every start.
            'disabled_plugins = ["io.containerd.snapshotter.v1.aufs", '
            '"io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", '
            '"io.containerd.snapshotter.v1.devmapper"]',
            "[grpc]",
            f"  address = {_toml_str(p.containerd_socket)}",
            "[ttrpc]",
            f"  address = {_toml_str(str(p.containerd_socket) + '.ttrpc')}",
            '[plugins."io.containerd.internal.v1.opt"]',
            f"  path = {_toml_str(p.root / 'containerd-opt')}",
            cri,
            f"  sandbox_image = {_toml_str(spec.pause_image)}",
            # Root here lacks CAP_SYS_RESOURCE: runc cannot lower the pause container's
            # oom_score_adj to -998 and fails with "can't get final child's PID from pipe".
            "  restrict_oom_score_adj = true",
            "  netns_mounts_under_state_dir = true",
            "  enable_selinux = false",
            '  stream_server_address = "127.0.0.1"',
            f"{cri[:-1]}.containerd]",
            '  snapshotter = "overlayfs"',
            '  default_runtime_name = "runc"',
            f"{cri[:-1]}.containerd.runtimes.runc]",
            '  runtime_type = "io.containerd.runc.v2"',
            f"{cri[:-1]}.containerd.runtimes.runc.options]",
            "  SystemdCgroup = false",
            # runc's own state, by default under /run/containerd/runc.
            f"  Root = {_toml_str(p.containerd_state / 'runc')}",
            f"{cri[:-1]}.cni]",
            f"  bin_dir = {_toml_str(CNI_DIR)}",
            f"  conf_dir = {_toml_str(p.cni_conf_dir)}",
            "  max_conf_num = 1",
            "",
        ]
    )


def cni_conflist(spec: NodeSpec) -> dict[str, Any]:
    """Bridge with masquerade and host-local IPAM (private data dir), plus portmap."""
    return {
        "cniVersion": "1.0.0",
        "name": spec.network.cni_network,
        "plugins": [
            {
                "type": "bridge",
                "bridge": "cni0",
                "isGateway": True,
                "isDefaultGateway": True,
                "ipMasq": True,
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": POD_CIDR}]],
                    "dataDir": str(spec.paths.cni_ipam_dir),
                },
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }


def kubeconfig(spec: NodeSpec, user: str, cert: Path, key: Path) -> dict[str, Any]:
    """A kubeconfig through the host-side forwarder; the serving cert names 127.0.0.1."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "local",
                "cluster": {
                    "server": spec.server,
                    "certificate-authority": str(spec.ca_cert),
                },
            }
        ],
        "users": [
            {"name": user, "user": {"client-certificate": str(cert), "client-key": str(key)}}
        ],
        "contexts": [{"name": "local", "context": {"cluster": "local", "user": user}}],
        "current-context": "local",
    }


def kubelet_config(spec: NodeSpec) -> dict[str, Any]:
    """KubeletConfiguration for a cgroup v1 host, cgroupfs driver, nothing outside its tree."""
    net = spec.network
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        # This host has cgroup v1 only; Kubernetes 1.35 refuses it unless told otherwise.
        "failCgroupV1": False,
        "cgroupDriver": "cgroupfs",
        "cgroupRoot": net.cgroup_root,
        "cgroupsPerQOS": True,
        "failSwapOn": False,
        "containerRuntimeEndpoint": f"unix://{spec.paths.containerd_socket}",
        "address": net.node_ip,
        "port": KUBELET_PORT,
        "readOnlyPort": 0,
        "healthzBindAddress": net.node_ip,
        "healthzPort": KUBELET_HEALTHZ_PORT,
        # The API server presents the cluster's admin certificate (signed by the same CA).
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"enabled": True},
            "x509": {"clientCAFile": str(spec.ca_cert)},
        },
        "authorization": {"mode": "Webhook"},
        # False: the kubelet sets 6 host sysctls; `up` records them and `down` restores them.
        "protectKernelDefaults": False,
        "podLogsDir": str(spec.paths.pod_logs),
        # Flexvolume plugins, by default under /usr/libexec/kubernetes.
        "volumePluginDir": str(spec.paths.root / "volume-plugins"),
        "registerNode": True,
        "registerWithTaints": [NODE_TAINT],
        # Nothing can be pulled again: never garbage-collect images.
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        "evictionHard": {
            "memory.available": "100Mi",
            "nodefs.available": "1%",
            "nodefs.inodesFree": "1%",
            "imagefs.available": "1%",
        },
        "serializeImagePulls": False,
        "clusterDNS": [DNS_SERVICE_IP],
        "clusterDomain": CLUSTER_DOMAIN,
        "resolvConf": "/etc/resolv.conf",
    }


def kube_proxy_config(spec: NodeSpec) -> dict[str, Any]:
    """iptables mode inside the namespace; the host's conntrack limits are left alone."""
    ip = spec.network.node_ip
    return {
        "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
        "kind": "KubeProxyConfiguration",
        "mode": "iptables",
        "clientConnection": {"kubeconfig": str(spec.paths.kube_proxy_kubeconfig)},
        "hostnameOverride": NODE_NAME,
        "bindAddress": ip,
        "healthzBindAddress": f"{ip}:{KUBE_PROXY_HEALTHZ_PORT}",
        "metricsBindAddress": f"{ip}:10249",
        "clusterCIDR": CLUSTER_CIDR,
        "nodePortAddresses": [f"{ip}/32"],
        "conntrack": {
            "maxPerCore": 0,
            "min": 0,
            "tcpEstablishedTimeout": "0s",
            "tcpCloseWaitTimeout": "0s",
        },
    }


def apiserver_port(kubeconfig_text: str) -> int:
    """The port of the API server in kwokctl's kubeconfig (it picks a free one)."""
    doc = yaml.safe_load(kubeconfig_text) or {}
    server = str(doc["clusters"][0]["cluster"]["server"])
    return int(server.rsplit(":", 1)[1].rstrip("/"))


def corefile(spec: NodeSpec) -> str:
    """Cluster names only: no upstream resolver is reachable (pods have no route off the node),
    so other names fail fast instead of timing out."""
    ip = spec.network.node_ip
    return (
        ".:53 {\n"
        f"    bind {ip}\n"
        "    errors\n"
        f"    ready {ip}:{COREDNS_READY_PORT}\n"
        f"    kubernetes {CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {{\n"
        f"        kubeconfig {spec.paths.coredns_kubeconfig} local\n"
        "        pods insecure\n"
        "        fallthrough in-addr.arpa ip6.arpa\n"
        "    }\n"
        "    cache 30\n"
        "}\n"
    )


def coredns_argv(spec: NodeSpec) -> list[str]:
    return in_netns(
        spec.network, [str(spec.bin_dir / "coredns"), "-conf", str(spec.paths.corefile)]
    )


def dns_manifests(spec: NodeSpec) -> list[dict[str, Any]]:
    """What CoreDNS may read, and the kube-dns Service at the DNS address the kubelet gives
    pods, with an EndpointSlice to CoreDNS on the node's address (it is no pod)."""
    ports = [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")]
    meta = {"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}}
    return [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "ai-native:coredns"},
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["services", "pods", "namespaces"],
                    "verbs": ["list", "watch"],
                },
                {
                    "apiGroups": ["discovery.k8s.io"],
                    "resources": ["endpointslices"],
                    "verbs": ["list", "watch"],
                },
            ],
        },  # fmt: skip
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "ai-native:coredns"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "ai-native:coredns",
            },
            "subjects": [
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": COREDNS_USER}
            ],
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "kube-dns", **meta},
            "spec": {
                "clusterIP": DNS_SERVICE_IP,
                "ports": [{"name": n, "port": p, "protocol": proto} for n, p, proto in ports],
            },
        },
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "kube-dns-real-node",
                "namespace": "kube-system",
                "labels": {"kubernetes.io/service-name": "kube-dns", "k8s-app": "kube-dns"},
            },
            "addressType": "IPv4",
            "endpoints": [
                {
                    "addresses": [spec.network.node_ip],
                    "conditions": {"ready": True},
                    "nodeName": NODE_NAME,
                },
            ],  # fmt: skip
            "ports": [{"name": n, "port": p, "protocol": proto} for n, p, proto in ports],
        },
    ]


def metrics_server_argv(spec: NodeSpec) -> list[str]:
    """Scrapes the real node only (the kwok nodes have no kubelet); the kubelet's serving
    certificate is self-signed, hence no verification of it."""
    p, ip = spec.paths, spec.network.node_ip
    kubeconfig = str(p.metrics_kubeconfig)
    return in_netns(
        spec.network,
        [
            str(spec.bin_dir / "metrics-server"),
            f"--bind-address={ip}",
            f"--secure-port={METRICS_PORT}",
            f"--cert-dir={p.pki / 'metrics-server-serving'}",
            f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--kubelet-preferred-address-types=InternalIP",
            "--kubelet-insecure-tls",
            f"--node-selector={'='.join(NODE_LABEL)}",
            "--metric-resolution=15s",
        ],
    )


def _binding(kind: str, name: str, role_kind: str, role: str, user: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }
    if kind == "RoleBinding":
        doc["metadata"]["namespace"] = "kube-system"
    return doc


def metrics_manifests(spec: NodeSpec) -> list[dict[str, Any]]:
    """RBAC of a metrics-server, its Service with an EndpointSlice on the node's address, and
    the APIService that makes `kubectl top` and the HPA ask it."""
    role = "ai-native:metrics-server"
    port = [{"name": "https", "port": METRICS_PORT, "protocol": "TCP"}]
    return [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role},
            "rules": [
                {"apiGroups": [""], "resources": ["nodes/metrics"], "verbs": ["get"]},
                {
                    "apiGroups": [""],
                    "resources": ["pods", "nodes"],
                    "verbs": ["get", "list", "watch"],
                },
            ],
        },  # fmt: skip
        _binding("ClusterRoleBinding", role, "ClusterRole", role, METRICS_USER),
        _binding(
            "ClusterRoleBinding",
            f"{role}:auth-delegator",
            "ClusterRole",
            "system:auth-delegator",
            METRICS_USER,
        ),  # fmt: skip
        _binding(
            "RoleBinding",
            f"{role}:auth-reader",
            "Role",
            "extension-apiserver-authentication-reader",
            METRICS_USER,
        ),  # fmt: skip
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "metrics-server", "namespace": "kube-system"},
            "spec": {"ports": [{"name": "https", "port": 443, "targetPort": METRICS_PORT}]},
        },
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "metrics-server-real-node",
                "namespace": "kube-system",
                "labels": {"kubernetes.io/service-name": "metrics-server"},
            },
            "addressType": "IPv4",
            "endpoints": [{"addresses": [spec.network.node_ip], "conditions": {"ready": True}}],
            "ports": port,
        },
        {
            "apiVersion": "apiregistration.k8s.io/v1",
            "kind": "APIService",
            "metadata": {"name": METRICS_APISERVICE},
            "spec": {
                "group": "metrics.k8s.io",
                "version": "v1beta1",
                "service": {"name": "metrics-server", "namespace": "kube-system", "port": 443},
                # Its serving certificate is self-signed, made at start.
                "insecureSkipTLSVerify": True,
                "groupPriorityMinimum": 100,
                "versionPriority": 100,
            },
        },
    ]


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def dump_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2) + "\n"


# --- argv --------------------------------------------------------------------------------------


def in_netns(net: NodeNetwork, argv: list[str]) -> list[str]:
    """Run argv in the node's network namespace only. nsenter execs (no fork), so the pid we
    record is the daemon's; `ip netns exec` would also unshare the mount namespace and hide the
    kubelet's volume mounts from containerd and runc."""
    return ["nsenter", f"--net={net.netns_path}", "--", *argv]


def network_setup_argv(net: NodeNetwork) -> list[list[str]]:
    """Namespace, veth pair and addresses; no default route inside (pods stay on the machine)."""
    prefix = net.link.prefixlen
    ns = ["ip", "-n", net.netns]
    return [
        ["ip", "netns", "add", net.netns],
        ["ip", "link", "add", net.host_veth, "type", "veth", "peer", "name", net.node_veth],
        ["ip", "link", "set", net.node_veth, "netns", net.netns],
        ["ip", "addr", "add", f"{net.host_ip}/{prefix}", "dev", net.host_veth],
        ["ip", "link", "set", net.host_veth, "up"],
        [*ns, "addr", "add", f"{net.node_ip}/{prefix}", "dev", net.node_veth],
        [*ns, "link", "set", net.node_veth, "up"],
        [*ns, "link", "set", "lo", "up"],
        *(
            in_netns(net, ["sysctl", "-qw", f"{key}={value}"])
            for key, value in NETNS_SYSCTLS.items()
        ),
    ]


def forwarder_argv(net: NodeNetwork, apiserver_port: int) -> list[str]:
    """The host end of the veth relays to the API server on loopback (no iptables rule)."""
    listen = f"TCP-LISTEN:{apiserver_port},bind={net.host_ip},reuseaddr,fork"
    return ["socat", listen, f"TCP:127.0.0.1:{apiserver_port}"]


def containerd_argv(spec: NodeSpec) -> list[str]:
    return in_netns(spec.network, ["containerd", "--config", str(spec.paths.containerd_config)])


def kubelet_argv(spec: NodeSpec) -> list[str]:
    p = spec.paths
    label = "=".join(NODE_LABEL)
    return in_netns(
        spec.network,
        [
            str(spec.bin_dir / "kubelet"),
            f"--config={p.kubelet_config}",
            f"--kubeconfig={p.kubelet_kubeconfig}",
            f"--root-dir={p.kubelet_root}",
            f"--cert-dir={p.pki / 'kubelet-serving'}",
            f"--hostname-override={NODE_NAME}",
            f"--node-ip={spec.network.node_ip}",
            f"--node-labels={label}",
            "--v=1",
        ],
    )


def kube_proxy_argv(spec: NodeSpec) -> list[str]:
    return in_netns(
        spec.network,
        [str(spec.bin_dir / "kube-proxy"), f"--config={spec.paths.kube_proxy_config}", "--v=1"],
    )


def ctr_argv(paths: NodePaths, *args: str) -> list[str]:
    return ["ctr", "--address", str(paths.containerd_socket), "--namespace", "k8s.io", *args]


@dataclass(frozen=True)
class CertRequest:
    """A client certificate signed by the cluster CA: subject and file stem."""

    stem: str
    subject: str


COREDNS_USER = "system:ai-native:coredns"
METRICS_USER = "system:ai-native:metrics-server"
NODE_CERTS = (
    CertRequest("kubelet-client", f"/O=system:nodes/CN=system:node:{NODE_NAME}"),
    CertRequest("kube-proxy-client", "/CN=system:kube-proxy"),
    CertRequest("coredns-client", f"/CN={COREDNS_USER}"),
    CertRequest("metrics-server-client", f"/CN={METRICS_USER}"),
)


def cert_argv(cert: CertRequest, pki: Path, ca_cert: Path, ca_key: Path) -> list[list[str]]:
    """openssl: key + CSR, then sign it with the CA for client authentication only."""
    key, csr, crt = (pki / f"{cert.stem}.{ext}" for ext in ("key", "csr", "crt"))
    return [
        [
            "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-subj", cert.subject,
            "-addext", "extendedKeyUsage=clientAuth", "-out", str(csr),
        ],
        [
            "openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
            "-set_serial", f"0x{hashlib.sha256(cert.subject.encode()).hexdigest()[:16]}",
            "-days", "365", "-copy_extensions", "copyall", "-out", str(crt),
        ],
    ]  # fmt: skip


# --- cleanup -----------------------------------------------------------------------------------


def mounts_under(mountinfo: str, roots: tuple[Path, ...]) -> list[str]:
    """Mount points below any of roots, deepest first (the order to unmount them)."""
    points = []
    for line in mountinfo.splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        point = fields[4].replace("\\040", " ")
        if any(point == str(r) or point.startswith(f"{r}/") for r in roots):
            points.append(point)
    return sorted(set(points), key=lambda p: (-p.count("/"), p))


def is_mount_point(mountinfo: str, path: Path) -> bool:
    return any(len(f := line.split()) >= 5 and f[4] == str(path) for line in mountinfo.splitlines())
