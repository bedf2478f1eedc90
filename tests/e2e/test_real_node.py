"""The real node of the session cluster: a kubelet, containerd and kube-proxy really run pods.

Pods here run the probe image (tests/e2e/images/probe) under the "restricted" security context;
what they report comes from the kubelet and the container itself, never from kwok.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from e2e_kube import Kube, condition, wait_for
from e2e_node import REPO, host_firewall, netns_firewall, probe_image, restricted_probe_pod

from helmkit.core.cluster import config as cc
from helmkit.core.cluster import real_node as rn
from helmkit.ops import cluster as ops

# One xdist worker runs every e2e test: the session cluster is shared and stopped once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SERVE = '["serve", ":8080"]'


@pytest.fixture(scope="module")
def probe(cluster_paths: cc.ClusterPaths) -> str:
    return probe_image(cluster_paths)


def ready_pod(kube: Kube, namespace: str, name: str) -> dict[str, Any]:
    def probe_ready() -> dict[str, Any] | None:
        pod: dict[str, Any] = kube.json("get", "pod", name, "-n", namespace)
        return pod if condition(pod, "Ready") == "True" else None

    return wait_for(f"pod {name} Ready", probe_ready, timeout_s=90)


def test_real_node_is_ready_tainted_and_run_by_the_kubelet(
    kube: Kube, cluster_paths: cc.ClusterPaths
) -> None:
    node = kube.json("get", "node", rn.NODE_NAME)
    assert condition(node, "Ready") == "True"
    assert node["metadata"]["labels"]["type"] == "real"
    assert "kwok.x-k8s.io/node" not in (node["metadata"].get("annotations") or {})
    taints = [{k: t[k] for k in ("key", "value", "effect")} for t in node["spec"]["taints"]]
    assert rn.NODE_TAINT in taints
    info = node["status"]["nodeInfo"]
    versions = cc.parse_versions((REPO / "scripts/versions.env").read_text())
    assert info["kubeletVersion"] == f"v{versions['KUBERNETES_VERSION']}"
    assert info["containerRuntimeVersion"].startswith("containerd://1.")
    addresses = {a["type"]: a["address"] for a in node["status"]["addresses"]}
    assert addresses["InternalIP"] == rn.node_network(cluster_paths).node_ip


def test_restricted_pod_runs_and_logs_and_exec_work(
    kube: Kube, namespace: str, probe: str, cluster_paths: cc.ClusterPaths
) -> None:
    kube.apply(restricted_probe_pod("web", probe, SERVE), namespace)
    pod = ready_pod(kube, namespace, "web")
    assert pod["spec"]["nodeName"] == rn.NODE_NAME
    status = pod["status"]["containerStatuses"][0]
    assert status["containerID"].startswith("containerd://")
    assert status["started"] is True and "running" in status["state"]
    assert pod["status"]["podIP"].startswith("10.244.128.")
    logs = kube.run("logs", "web", "-n", namespace).stdout
    assert "probe serving on :8080" in logs
    whoami = kube.run("exec", "web", "-n", namespace, "--", "/probe", "whoami").stdout
    assert whoami.strip() == "uid=999 gid=999 rootfs=read-only"


def test_cluster_ip_service_answers_through_kube_proxy(
    kube: Kube, namespace: str, probe: str, cluster_paths: cc.ClusterPaths
) -> None:
    server = restricted_probe_pod("server", probe, SERVE, labels="app: server")
    kube.apply(server, namespace)
    kube.apply(restricted_probe_pod("client", probe, SERVE), namespace)
    kube.apply(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: server\nspec:\n"
        "  selector: {app: server}\n  ports: [{port: 80, targetPort: 8080}]\n",
        namespace,
    )
    ready_pod(kube, namespace, "server")
    ready_pod(kube, namespace, "client")
    ip = kube.json("get", "service", "server", "-n", namespace)["spec"]["clusterIP"]

    def answer() -> str:
        proc = kube.run(
            "exec", "client", "-n", namespace, "--", "/probe", "get", f"http://{ip}/", check=False
        )
        return proc.stdout if proc.returncode == 0 else ""

    # kube-proxy programs the rules a moment after the endpoints appear.
    assert wait_for("an answer through the Service", answer, timeout_s=30) == "probe server\n"
    # The rules live in the node's namespace, none in the host's.
    assert f"-d {ip}/32" in netns_firewall(rn.node_network(cluster_paths))
    host = host_firewall()
    assert "KUBE-" not in host and "CNI-" not in host, host


def test_cluster_dns_resolves_service_names_from_a_pod(
    kube: Kube, namespace: str, probe: str
) -> None:
    kube.apply(restricted_probe_pod("client", probe, SERVE), namespace)
    kube.apply(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: named\nspec:\n"
        "  selector: {app: nothing}\n  ports: [{port: 80}]\n",
        namespace,
    )
    ready_pod(kube, namespace, "client")
    ip = kube.json("get", "service", "named", "-n", namespace)["spec"]["clusterIP"]

    def lookup(name: str) -> str:
        proc = kube.run("exec", "client", "-n", namespace, "--", "/probe", "lookup", name)
        return proc.stdout.strip()

    # The short name through the pod's search path, and a full name in another namespace.
    assert lookup("named") == ip
    assert lookup("kubernetes.default.svc.cluster.local") == rn.KUBERNETES_SERVICE_IP


def test_kubernetes_service_reaches_the_api_server_from_a_pod(
    kube: Kube, namespace: str, probe: str
) -> None:
    kube.apply(restricted_probe_pod("client", probe, SERVE), namespace)
    ready_pod(kube, namespace, "client")
    endpoints = kube.json("get", "endpointslices", "-n", "default", "-l",
                          "kubernetes.io/service-name=kubernetes")  # fmt: skip
    addresses = [a for s in endpoints["items"] for e in s["endpoints"] for a in e["addresses"]]
    assert addresses and not any(a.startswith("127.") for a in addresses), addresses
    out = kube.run("exec", "client", "-n", namespace, "--", "/probe", "tcp",
                   f"{rn.KUBERNETES_SERVICE_IP}:443")  # fmt: skip
    assert out.stdout.strip() == f"connected to {rn.KUBERNETES_SERVICE_IP}:443"


def test_status_reports_every_part_of_the_node_healthy(cluster_paths: cc.ClusterPaths) -> None:
    checks = ops.node_health(cluster_paths)
    assert {c.name for c in checks} >= {
        "kubelet", "containerd", "kube-proxy", "containerd API", "traefik",
        "ingress controller (Traefik) ping",
        f"Gateway {rn.GATEWAY_NAMESPACE}/{rn.GATEWAY_NAME} Programmed",
    }  # fmt: skip
    assert all(c.ok for c in checks), json.dumps([c.__dict__ for c in checks], indent=1)


def test_kubectl_top_shows_real_usage_of_the_node_and_its_pods(
    kube: Kube, namespace: str, probe: str
) -> None:
    kube.apply(restricted_probe_pod("web", probe, SERVE), namespace)
    ready_pod(kube, namespace, "web")

    def top(*args: str) -> str:
        proc = kube.run("top", *args, "--no-headers", check=False)
        return proc.stdout if proc.returncode == 0 else ""

    # metrics-server needs two scrapes (15 s apart) before it reports CPU.
    node_line = wait_for("kubectl top node", lambda: top("node", rn.NODE_NAME), timeout_s=90)
    name, cpu, _, memory, _ = node_line.split()[:5]
    assert name == rn.NODE_NAME and cpu.endswith("m") and memory.endswith("Mi"), node_line
    assert int(memory[:-2]) > 0
    pod_line = wait_for("kubectl top pod", lambda: top("pod", "web", "-n", namespace), 90)
    assert pod_line.split()[0] == "web", pod_line


def tcp(kube: Kube, namespace: str, pod: str, address: str) -> str:
    proc = kube.run("exec", pod, "-n", namespace, "--", "/probe", "tcp", address, check=False)
    return (proc.stdout + proc.stderr).strip()


SERVER_INGRESS_FROM_FRIENDS = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server-from-friends}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {role: friend}}}]
      ports: [{port: 8080, protocol: TCP}]
"""
# Default-deny egress for the friend, except the server: DNS must still work (CoreDNS is a node
# process, and traffic between a pod and its node is not subject to policies).
FRIEND_EGRESS_TO_SERVER_ONLY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: friend-egress}
spec:
  podSelector: {matchLabels: {role: friend}}
  policyTypes: [Egress]
  egress:
    - to: [{podSelector: {matchLabels: {app: server}}}]
      ports: [{port: 8080, protocol: TCP}]
"""


def test_network_policies_deny_and_allow_between_plain_pods(
    kube: Kube, namespace: str, probe: str, cluster_paths: cc.ClusterPaths
) -> None:
    for name, labels in (("server", "app: server"), ("other", "app: other"),
                         ("friend", "role: friend"), ("stranger", "role: stranger")):  # fmt: skip
        kube.apply(restricted_probe_pod(name, probe, SERVE, labels=labels), namespace)
    ips = {name: ready_pod(kube, namespace, name)["status"]["podIP"]
           for name in ("server", "other", "friend", "stranger")}  # fmt: skip
    server, other = f"{ips['server']}:8080", f"{ips['other']}:8080"
    # No policy yet: everyone reaches everyone.
    for client, target in (("friend", server), ("stranger", server), ("friend", other)):
        assert tcp(kube, namespace, client, target) == f"connected to {target}"

    kube.apply(SERVER_INGRESS_FROM_FRIENDS, namespace)
    kube.apply(FRIEND_EGRESS_TO_SERVER_ONLY, namespace)
    # The enforcer sees the policies through its informers a moment after they are created.
    wait_for("the stranger denied", lambda: tcp(kube, namespace, "stranger", server)
             .startswith("probe:") or None, timeout_s=30)  # fmt: skip
    # Denied: ingress (the server admits friends only) and egress (the friend may reach only the
    # server). A drop, not a refusal: the probe's 5 s dial times out.
    for client, target in (("stranger", server), ("friend", other)):
        out = tcp(kube, namespace, client, target)
        assert out.startswith("probe:") and "timeout" in out, f"{client} -> {target}: {out}"
    # Allowed: the friend to the server; the stranger, whom no policy selects, to the other pod.
    assert tcp(kube, namespace, "friend", server) == f"connected to {server}"
    assert tcp(kube, namespace, "stranger", other) == f"connected to {other}"
    # DNS works for the friend under default-deny egress.
    lookup = kube.run("exec", "friend", "-n", namespace, "--", "/probe", "lookup",
                      "kubernetes.default.svc.cluster.local")  # fmt: skip
    assert lookup.stdout.strip() == rn.KUBERNETES_SERVICE_IP

    # Enforced in the node's namespace by the queue; nothing in the host's.
    net = rn.node_network(cluster_paths)
    assert f"NFQUEUE --queue-num {rn.NETPOL_QUEUE}" in netns_firewall(net)
    assert "NFQUEUE" not in host_firewall()
    check = next(c for c in ops.node_health(cluster_paths) if c.name == "NetworkPolicy enforced")
    seen = re.search(r"(\d+) packets seen", check.detail)
    assert check.ok and seen and int(seen.group(1)) > 0, check
