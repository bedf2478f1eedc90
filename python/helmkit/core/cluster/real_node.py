"""Pure description of the local cluster's real node: names, addresses, argv, checks (its config
files and API objects are in `helmkit.core.cluster.node_configs`).

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
from dataclasses import dataclass
from pathlib import Path

from helmkit.core.cluster.config import ClusterPaths, NodeLink

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
# The ingress controller: Traefik in the node's namespace, on the node's address. Its Kubernetes
# Ingress NGINX provider serves the IngressClass `nginx` (controller k8s.io/ingress-nginx), the
# class the chart's defaults and values/local.yaml name; its Gateway API provider serves the
# GatewayClass `traefik` and one Gateway for HTTPRoutes (`gateway.parentRefs`).
INGRESS_HTTP_PORT = 80
INGRESS_PING_PORT = 9000
INGRESS_CLASS = "nginx"
INGRESS_CONTROLLER = "k8s.io/ingress-nginx"
GATEWAY_CLASS = "traefik"
GATEWAY_CONTROLLER = "traefik.io/gateway-controller"
GATEWAY_NAMESPACE = "gateway-system"
GATEWAY_NAME = "local"
GATEWAY_LISTENER = "http"
# Written next to the traefik binary by scripts/build-ingress.sh: the Gateway API CRDs (standard
# channel) at the version the pinned Traefik is built against.
GATEWAY_CRDS_FILE = "gateway-api-crds.yaml"
INGRESS_BUILD_COMMAND = "scripts/build-ingress.sh"
# The volume provisioner: rancher's local-path-provisioner beside the node. Claims of the
# StorageClass `local-path` get `local` volumes (the kubelet applies the pod's fsGroup to them;
# not to hostPath) in directories under the node's tree, made by helper pods on the node.
VOLUMES_STORAGE_CLASS = "local-path"
VOLUMES_PROVISIONER = "rancher.io/local-path"
VOLUMES_NAMESPACE = "local-path-storage"
VOLUMES_SERVICE_ACCOUNT = "local-path-provisioner-service-account"
VOLUMES_CONFIGMAP = "local-path-config"
VOLUMES_HELPER_IMAGE = "localhost/ai-native/busybox:stand-in"
VOLUMES_BUILD_COMMAND = "scripts/build-volumes.sh"
# What its controller logs once its informers have synced (it has no health endpoint).
VOLUMES_STARTED_LINE = "Started provisioner controller"
# NetworkPolicy enforcement (netpol-nfqueue, scripts/go/netpol-nfqueue): the first packet of every
# new forwarded connection goes to this netlink queue, where kube-network-policies' engine gives
# it a verdict. iptables NFQUEUE, not the nftables queue statement the library would use: this
# kernel lacks CONFIG_NFT_QUEUE.
NETPOL_QUEUE = 100
NETPOL_HEALTHZ_PORT = 10262
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
NODE_BINARIES = (
    "kubelet", "kube-proxy", "coredns", "metrics-server", "netpol-nfqueue", "traefik",
    "local-path-provisioner",
)  # fmt: skip
# The script that builds each node binary (the others: scripts/build-control-plane.sh).
BINARY_BUILDERS = {
    "traefik": INGRESS_BUILD_COMMAND,
    "local-path-provisioner": VOLUMES_BUILD_COMMAND,
}
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

    @property
    def traefik_kubeconfig(self) -> Path:
        return self.root / "traefik.kubeconfig"

    @property
    def volumes_kubeconfig(self) -> Path:
        return self.root / "local-path-provisioner.kubeconfig"

    @property
    def volumes_dir(self) -> Path:
        # Inside the node's tree: `down` removes the volumes with the API objects that named them.
        return self.root / "volumes"

    @property
    def netpol_kubeconfig(self) -> Path:
        return self.root / "network-policies.kubeconfig"

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
    "network-policies",
    "coredns",
    "metrics-server",
    "traefik",
    "local-path-provisioner",
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
    gateway_crds: Path | None
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
        default = "scripts/build-control-plane.sh"
        builders = sorted({BINARY_BUILDERS.get(b, default) for b in facts.missing_binaries})
        reasons.append(
            f"node binaries not built: {', '.join(facts.missing_binaries)} "
            f"(build them: {'; '.join(builders)})"
        )
    elif facts.gateway_crds is None:
        reasons.append(
            f"no {GATEWAY_CRDS_FILE} beside the traefik binary "
            f"(build it: {INGRESS_BUILD_COMMAND})"
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


def netpol_argv(spec: NodeSpec) -> list[str]:
    return in_netns(
        spec.network,
        [
            str(spec.bin_dir / "netpol-nfqueue"),
            f"-kubeconfig={spec.paths.netpol_kubeconfig}",
            f"-node-name={NODE_NAME}",
            f"-queue-num={NETPOL_QUEUE}",
            f"-healthz-bind-address={spec.network.node_ip}:{NETPOL_HEALTHZ_PORT}",
        ],
    )


# The rule, identical for `-A` (add) and `-C` (check): mangle FORWARD runs after kube-proxy's
# DNAT (the verdict sees the chosen pod, not the Service address) and before the filter table, so
# an accepted packet still meets kube-proxy's filter rules. Only forwarded traffic: pod to pod
# (bridged frames pass iptables, bridge-nf-call-iptables=1) and pod to the API server's link.
# Traffic between a pod and the node itself (kubelet probes, CoreDNS and metrics-server, which run
# as node processes) never crosses FORWARD and is not subject to policies. No --queue-bypass:
# while nothing reads the queue, new connections are dropped (fail closed).
NETPOL_RULE = (
    "FORWARD", "-m", "conntrack", "--ctstate", "NEW",
    "-m", "comment", "--comment", "ai-native NetworkPolicy (netpol-nfqueue)",
    "-j", "NFQUEUE", "--queue-num", str(NETPOL_QUEUE),
)  # fmt: skip


def netpol_rule_argv(net: NodeNetwork, action: str) -> list[str]:
    """iptables in the node's namespace: action "-A" adds the rule, "-C" checks it is there."""
    return in_netns(net, ["iptables", "-w", "5", "-t", "mangle", action, *NETPOL_RULE])


def ctr_argv(paths: NodePaths, *args: str) -> list[str]:
    return ["ctr", "--address", str(paths.containerd_socket), "--namespace", "k8s.io", *args]


@dataclass(frozen=True)
class CertRequest:
    """A client certificate signed by the cluster CA: subject and file stem."""

    stem: str
    subject: str


COREDNS_USER = "system:ai-native:coredns"
METRICS_USER = "system:ai-native:metrics-server"
INGRESS_USER = "system:ai-native:traefik"
VOLUMES_USER = "system:ai-native:local-path-provisioner"
NETPOL_USER = "system:ai-native:network-policies"
NODE_CERTS = (
    CertRequest("kubelet-client", f"/O=system:nodes/CN=system:node:{NODE_NAME}"),
    CertRequest("kube-proxy-client", "/CN=system:kube-proxy"),
    CertRequest("coredns-client", f"/CN={COREDNS_USER}"),
    CertRequest("metrics-server-client", f"/CN={METRICS_USER}"),
    CertRequest("traefik-client", f"/CN={INGRESS_USER}"),
    CertRequest("local-path-provisioner-client", f"/CN={VOLUMES_USER}"),
    CertRequest("network-policies-client", f"/CN={NETPOL_USER}"),
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
