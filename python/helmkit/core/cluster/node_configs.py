"""The real node's config files and API objects, as text and dicts (pure; see real_node).

containerd, the CNI conflist, kubeconfigs, the kubelet and kube-proxy configs, CoreDNS's
Corefile, the API objects that put CoreDNS and metrics-server behind their Service addresses, and
what the NetworkPolicy enforcer may read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from helmkit.core.cluster.real_node import (
    CLUSTER_CIDR,
    CLUSTER_DOMAIN,
    CNI_DIR,
    COREDNS_READY_PORT,
    COREDNS_USER,
    DNS_SERVICE_IP,
    GATEWAY_CLASS,
    GATEWAY_CONTROLLER,
    GATEWAY_LISTENER,
    GATEWAY_NAME,
    GATEWAY_NAMESPACE,
    INGRESS_CLASS,
    INGRESS_CONTROLLER,
    INGRESS_HTTP_PORT,
    INGRESS_PING_PORT,
    INGRESS_USER,
    KUBE_PROXY_HEALTHZ_PORT,
    KUBELET_HEALTHZ_PORT,
    KUBELET_PORT,
    METRICS_APISERVICE,
    METRICS_PORT,
    METRICS_USER,
    NETPOL_USER,
    NODE_LABEL,
    NODE_NAME,
    NODE_TAINT,
    POD_CIDR,
    VOLUMES_CONFIGMAP,
    VOLUMES_HELPER_IMAGE,
    VOLUMES_NAMESPACE,
    VOLUMES_PROVISIONER,
    VOLUMES_SERVICE_ACCOUNT,
    VOLUMES_STORAGE_CLASS,
    VOLUMES_USER,
    NodeSpec,
    in_netns,
)


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


def traefik_argv(spec: NodeSpec) -> list[str]:
    """Traefik on the node's address: `web` (port 80) carries the Ingress and HTTPRoute traffic,
    `traefik` (9000) answers /ping. It reads the cluster through KUBECONFIG (its own client
    certificate); `env` execs, so the recorded pid stays the daemon's. Nothing phones home (the
    namespace has no route off the machine anyway)."""
    ip = spec.network.node_ip
    return in_netns(
        spec.network,
        [
            "env",
            f"KUBECONFIG={spec.paths.traefik_kubeconfig}",
            str(spec.bin_dir / "traefik"),
            "--global.checkNewVersion=false",
            "--global.sendAnonymousUsage=false",
            f"--entryPoints.web.address={ip}:{INGRESS_HTTP_PORT}",
            f"--entryPoints.traefik.address={ip}:{INGRESS_PING_PORT}",
            "--ping=true",
            # The read-only API on the same entry point as /ping: what Traefik made of the
            # cluster's routes (/api/http/routers, /api/http/services), for debugging.
            "--api.insecure=true",
            "--api.dashboard=false",
            "--providers.kubernetesIngressNGINX=true",
            f"--providers.kubernetesIngressNGINX.ingressClass={INGRESS_CLASS}",
            f"--providers.kubernetesIngressNGINX.controllerClass={INGRESS_CONTROLLER}",
            f"--providers.kubernetesIngressNGINX.publishStatusAddress={ip}",
            "--providers.kubernetesGateway=true",
            f"--providers.kubernetesGateway.statusAddress.ip={ip}",
            "--log.level=INFO",
            "--log.noColor=true",
        ],
    )


def _read_watch(groups: list[str], resources: list[str], verbs: list[str]) -> dict[str, Any]:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs}


GATEWAY_KINDS = [
    "gatewayclasses", "gateways", "httproutes", "grpcroutes", "tcproutes", "tlsroutes",
    "referencegrants", "backendtlspolicies",
]  # fmt: skip


def ingress_rbac() -> list[dict[str, Any]]:
    """What Traefik's Ingress NGINX and Gateway API providers read and the statuses they write
    (the union of the ClusterRoles Traefik documents for each)."""
    role = "ai-native:traefik"
    watch = ["get", "list", "watch"]
    rules = [
        _read_watch([""], ["services", "secrets", "configmaps", "namespaces"], watch),
        _read_watch([""], ["pods"], ["get"]),
        _read_watch(["discovery.k8s.io"], ["endpointslices"], watch),
        _read_watch(["networking.k8s.io"], ["ingresses", "ingressclasses"], watch),
        _read_watch(["networking.k8s.io"], ["ingresses/status"], ["update"]),
        _read_watch(["gateway.networking.k8s.io"], GATEWAY_KINDS, watch),
        _read_watch(
            ["gateway.networking.k8s.io"], [f"{k}/status" for k in GATEWAY_KINDS], ["update"]
        ),
    ]
    return [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role},
            "rules": rules,
        },
        _binding("ClusterRoleBinding", role, "ClusterRole", role, INGRESS_USER),
    ]


def ingress_classes() -> list[dict[str, Any]]:
    """The IngressClass the chart names, the GatewayClass, and one Gateway whose plain-HTTP
    listener takes HTTPRoutes from every namespace."""
    return [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {"name": INGRESS_CLASS},
            "spec": {"controller": INGRESS_CONTROLLER},
        },
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {"name": GATEWAY_CLASS},
            "spec": {"controllerName": GATEWAY_CONTROLLER},
        },
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": GATEWAY_NAMESPACE}},
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE},
            "spec": {
                "gatewayClassName": GATEWAY_CLASS,
                "listeners": [
                    {
                        "name": GATEWAY_LISTENER,
                        "port": INGRESS_HTTP_PORT,
                        "protocol": "HTTP",
                        "allowedRoutes": {"namespaces": {"from": "All"}},
                    }
                ],
            },
        },
    ]


def volumes_argv(spec: NodeSpec) -> list[str]:
    """local-path-provisioner with its own client certificate; its config, scripts and helper
    pod template come from the ConfigMap `volumes_manifests` applies."""
    return in_netns(
        spec.network,
        [
            str(spec.bin_dir / "local-path-provisioner"),
            "start",
            f"--kubeconfig={spec.paths.volumes_kubeconfig}",
            f"--namespace={VOLUMES_NAMESPACE}",
            f"--configmap-name={VOLUMES_CONFIGMAP}",
            f"--service-account-name={VOLUMES_SERVICE_ACCOUNT}",
            f"--helper-image={VOLUMES_HELPER_IMAGE}",
            f"--provisioner-name={VOLUMES_PROVISIONER}",
        ],
    )


def volumes_manifests(spec: NodeSpec) -> list[dict[str, Any]]:
    """RBAC of the provisioner, the namespace of its helper pods (root with a hostPath of the
    volumes directory: privileged Pod Security there, and only there), their ServiceAccount,
    the ConfigMap it reads and the StorageClass `local-path`."""
    role = "ai-native:local-path-provisioner"
    config = {"nodePathMap": [{"node": NODE_NAME, "paths": [str(spec.paths.volumes_dir)]}]}
    helper = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "helper-pod"},
        "spec": {
            "containers": [
                {"name": "helper-pod", "image": VOLUMES_HELPER_IMAGE, "imagePullPolicy": "Never"}
            ]
        },
    }
    rw = ["get", "list", "watch", "create", "patch", "update", "delete"]
    return [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role},
            "rules": [
                _read_watch(
                    [""],
                    ["nodes", "persistentvolumeclaims", "configmaps", "pods", "pods/log"],
                    ["get", "list", "watch"],
                ),
                _read_watch([""], ["persistentvolumes"], rw),
                _read_watch([""], ["events"], ["create", "patch"]),
                _read_watch(["storage.k8s.io"], ["storageclasses"], ["get", "list", "watch"]),
            ],
        },  # fmt: skip
        _binding("ClusterRoleBinding", role, "ClusterRole", role, VOLUMES_USER),
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": VOLUMES_NAMESPACE,
                "labels": {"pod-security.kubernetes.io/enforce": "privileged"},
            },
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": role, "namespace": VOLUMES_NAMESPACE},
            "rules": [_read_watch([""], ["pods"], rw)],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": role, "namespace": VOLUMES_NAMESPACE},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
            "subjects": [
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": VOLUMES_USER}
            ],
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": VOLUMES_SERVICE_ACCOUNT, "namespace": VOLUMES_NAMESPACE},
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": VOLUMES_CONFIGMAP, "namespace": VOLUMES_NAMESPACE},
            "data": {
                "config.json": json.dumps(config),
                "setup": '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"\n',
                "teardown": '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"\n',
                "helperPod.yaml": dump_yaml(helper),
            },
        },
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": VOLUMES_STORAGE_CLASS,
                # `local`, not the provisioner's default hostPath: the kubelet gives local
                # volumes to the pod's fsGroup (PostgreSQL and Redis run as uid 999).
                "annotations": {"defaultVolumeType": "local"},
            },
            "provisioner": VOLUMES_PROVISIONER,
            "volumeBindingMode": "WaitForFirstConsumer",
            "reclaimPolicy": "Delete",
        },
    ]


def netpol_manifests() -> list[dict[str, Any]]:
    """What kube-network-policies' engine reads to judge a packet: pods (by address), their
    namespaces' labels and the NetworkPolicies. Read only."""
    role = "ai-native:network-policies"
    read = ["get", "list", "watch"]
    policies = {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": read}
    return [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role},
            "rules": [
                {"apiGroups": [""], "resources": ["pods", "namespaces"], "verbs": read},
                policies,
            ],
        },
        _binding("ClusterRoleBinding", role, "ClusterRole", role, NETPOL_USER),
    ]


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def dump_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2) + "\n"
