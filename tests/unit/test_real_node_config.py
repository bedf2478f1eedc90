"""Pure pieces of the real node: names, addresses, configs, argv, preflight, cleanup order."""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path

import pytest
import yaml

from helmkit.adapters.cluster import ProcessState
from helmkit.core.cluster import config as cc
from helmkit.core.cluster import node_configs as nc
from helmkit.core.cluster import real_node as rn
from helmkit.ops import cluster as ops

PATHS = cc.ClusterPaths(cache_dir=Path("/cache"))
NET = rn.node_network(PATHS)
NODE_PATHS = rn.node_paths(PATHS)
SPEC = rn.NodeSpec(
    network=NET,
    paths=NODE_PATHS,
    apiserver_port=32766,
    ca_cert=PATHS.pki_dir / "ca.crt",
    pause_image="localhost/ai-native/pause:abc",
    bin_dir=PATHS.bin_dir,
)


def test_two_caches_get_distinct_names_and_links() -> None:
    other = rn.node_network(cc.ClusterPaths(cache_dir=Path("/tmp/pytest-1/private")))
    for attr in ("netns", "host_veth", "node_veth", "cgroup_root", "cni_network", "link"):
        assert getattr(NET, attr) != getattr(other, attr), attr
    assert rn.node_network(PATHS) == NET


def test_veth_names_fit_the_kernel_limit_and_share_one_small_link() -> None:
    for net in (NET, rn.NodeNetwork("ffffff"), rn.NodeNetwork("000000")):
        assert len(net.host_veth) <= 15 and len(net.node_veth) <= 15
        assert net.link.prefixlen == 30 and net.link.subnet_of(rn.VETH_RANGE)
        assert {ipaddress.ip_address(net.host_ip), ipaddress.ip_address(net.node_ip)} == set(
            net.link.hosts()
        )


def test_network_setup_gives_the_namespace_no_default_route() -> None:
    argvs = rn.network_setup_argv(NET)
    assert argvs[0] == ["ip", "netns", "add", NET.netns]
    joined = [" ".join(a) for a in argvs]
    assert not [a for a in joined if "route" in a], "pods must have no route off the machine"
    assert f"ip link add {NET.host_veth} type veth peer name {NET.node_veth}" in joined
    # Forwarding and bridged traffic through iptables are set inside the namespace only.
    sysctls = [a for a in argvs if "sysctl" in a]
    assert sysctls and all(a[:3] == ["nsenter", f"--net={NET.netns_path}", "--"] for a in sysctls)


def test_daemons_run_in_the_namespace_by_exec_so_the_pid_is_theirs() -> None:
    for argv in (rn.containerd_argv(SPEC), rn.kubelet_argv(SPEC), rn.kube_proxy_argv(SPEC)):
        assert argv[:3] == ["nsenter", f"--net=/run/netns/{NET.netns}", "--"]
        assert "--fork" not in argv and "exec" not in argv[:4]
    forwarder = rn.forwarder_argv(NET, 32766)
    assert forwarder[0] == "socat" and f"bind={NET.host_ip}" in forwarder[1]
    assert forwarder[2] == "TCP:127.0.0.1:32766"


def test_kubelet_flags_name_the_node_and_its_label() -> None:
    argv = rn.kubelet_argv(SPEC)
    assert f"--hostname-override={rn.NODE_NAME}" in argv
    assert f"--node-ip={NET.node_ip}" in argv
    assert "--node-labels=type=real" in argv
    assert f"--root-dir={NODE_PATHS.kubelet_root}" in argv


def test_containerd_config_is_private_and_fits_this_host() -> None:
    conf = tomllib.loads(nc.containerd_config(SPEC))
    assert conf["root"] == str(NODE_PATHS.containerd_root)
    assert conf["state"] == str(NODE_PATHS.containerd_state)
    assert conf["grpc"]["address"] == str(NODE_PATHS.containerd_socket)
    assert conf["plugins"]["io.containerd.internal.v1.opt"]["path"].startswith(str(PATHS.root))
    cri = conf["plugins"]["io.containerd.grpc.v1.cri"]
    assert cri["restrict_oom_score_adj"] is True
    assert cri["netns_mounts_under_state_dir"] is True
    assert cri["sandbox_image"] == SPEC.pause_image
    assert cri["containerd"]["snapshotter"] == "overlayfs"
    assert cri["containerd"]["runtimes"]["runc"]["options"]["SystemdCgroup"] is False
    assert cri["cni"]["conf_dir"] == str(NODE_PATHS.cni_conf_dir)


def test_cni_keeps_its_ipam_data_private_and_masquerades() -> None:
    conf = nc.cni_conflist(SPEC)
    bridge = conf["plugins"][0]
    assert conf["name"] == NET.cni_network
    assert bridge["ipMasq"] and bridge["isDefaultGateway"]
    assert bridge["ipam"]["dataDir"] == str(NODE_PATHS.cni_ipam_dir)
    subnet = ipaddress.ip_network(bridge["ipam"]["ranges"][0][0]["subnet"])
    assert subnet.subnet_of(ipaddress.ip_network(rn.CLUSTER_CIDR))


def test_kubelet_config_for_cgroup_v1_and_a_tainted_node() -> None:
    conf = nc.kubelet_config(SPEC)
    assert conf["failCgroupV1"] is False
    assert conf["cgroupDriver"] == "cgroupfs"
    assert conf["cgroupRoot"] == NET.cgroup_root
    assert conf["address"] == conf["healthzBindAddress"] == NET.node_ip
    assert conf["readOnlyPort"] == 0
    assert conf["authentication"]["anonymous"]["enabled"] is False
    assert conf["authorization"]["mode"] == "Webhook"
    assert conf["registerWithTaints"] == [rn.NODE_TAINT]
    assert conf["podLogsDir"].startswith(str(NODE_PATHS.root))
    assert conf["imageGCHighThresholdPercent"] == 100


def test_kube_proxy_in_iptables_mode_leaves_host_conntrack_alone() -> None:
    conf = nc.kube_proxy_config(SPEC)
    assert conf["mode"] == "iptables"
    assert conf["conntrack"]["maxPerCore"] == 0
    assert conf["bindAddress"] == NET.node_ip
    assert conf["hostnameOverride"] == rn.NODE_NAME


def test_kubeconfig_goes_through_the_forwarder() -> None:
    doc = nc.kubeconfig(SPEC, "u", Path("/c.crt"), Path("/c.key"))
    assert doc["clusters"][0]["cluster"]["server"] == f"https://{NET.host_ip}:32766"


def test_apiserver_port_is_read_from_kwokctls_kubeconfig() -> None:
    text = yaml.safe_dump({"clusters": [{"cluster": {"server": "https://127.0.0.1:40123"}}]})
    assert nc.apiserver_port(text) == 40123


def test_node_certificates_are_client_certs_signed_by_the_ca() -> None:
    subjects = {c.stem: c.subject for c in rn.NODE_CERTS}
    assert subjects["kubelet-client"] == f"/O=system:nodes/CN=system:node:{rn.NODE_NAME}"
    assert subjects["kube-proxy-client"] == "/CN=system:kube-proxy"
    req, sign = rn.cert_argv(rn.NODE_CERTS[0], Path("/p"), Path("/ca.crt"), Path("/ca.key"))
    assert "extendedKeyUsage=clientAuth" in req
    assert sign[sign.index("-CA") + 1] == "/ca.crt" and "copyall" in sign


def test_control_plane_config_for_the_node() -> None:
    options = cc.kwokctl_options(PATHS, "1.35.4", rn.node_link(PATHS))
    assert set(options["options"]["kubeApiserverCertSANs"]) == {
        NET.host_ip,
        rn.KUBERNETES_SERVICE_IP,
    }
    patches = {p["name"]: {a["key"]: a["value"] for a in p["extraArgs"]} for p in
               options["componentsPatches"]}  # fmt: skip
    apiserver = patches["kube-apiserver"]
    assert apiserver["advertise-address"] == NET.host_ip
    assert apiserver["kubelet-preferred-address-types"].startswith("InternalIP")
    assert apiserver["service-cluster-ip-range"] == rn.SERVICE_CIDR
    assert ipaddress.ip_address(rn.KUBERNETES_SERVICE_IP) in ipaddress.ip_network(rn.SERVICE_CIDR)
    kwok = patches["kwok-controller"]
    assert kwok == {
        "manage-all-nodes": "false",
        "manage-nodes-with-annotation-selector": "kwok.x-k8s.io/node=fake",
    }
    # The fake nodes carry that annotation; the real node does not.
    fake = cc.node_manifest(cc.default_nodes(1)[0])
    assert fake["metadata"]["annotations"]["kwok.x-k8s.io/node"] == "fake"


GOOD = rn.HostFacts(
    euid=0,
    cgroup_v1=rn.CGROUP_V1_CONTROLLERS,
    missing_programs=(),
    missing_binaries=(),
    missing_cni_plugins=(),
    gateway_crds=Path("/cache/tools/traefik-3.6.12/gateway-api-crds.yaml"),
    pause_image="localhost/ai-native/pause:abc",
    images_index=Path("/cache/images/index.json"),
    node_root=NODE_PATHS.root,
)


def test_a_capable_host_has_no_reason_to_refuse() -> None:
    assert rn.cannot_run(GOOD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"euid": 1000}, "not root (uid 1000)"),
        ({"cgroup_v1": ("cpu",)}, "cgroup v1 hierarchies missing under /sys/fs/cgroup: cpuacct"),
        ({"missing_programs": ("containerd",)}, "programs not found: containerd"),
        ({"missing_binaries": ("kubelet",)}, "scripts/build-control-plane.sh"),
        ({"missing_binaries": ("traefik",)}, "traefik (build them: scripts/build-ingress.sh)"),
        ({"missing_binaries": ("local-path-provisioner",)}, "scripts/build-volumes.sh"),
        ({"gateway_crds": None}, "gateway-api-crds.yaml beside the traefik binary"),
        ({"missing_cni_plugins": ("bridge",)}, "CNI plugins missing in /usr/lib/cni: bridge"),
        ({"pause_image": ""}, "scripts/build-images.sh"),
        ({"node_root": Path("/t" * 40)}, "the cache directory is too deep"),
    ],
)
def test_each_missing_prerequisite_is_named(change: dict[str, object], expected: str) -> None:
    facts = rn.HostFacts(**{**GOOD.__dict__, **change})  # type: ignore[arg-type]
    reasons = rn.cannot_run(facts)
    assert len(reasons) == 1 and expected in reasons[0], reasons


def test_pause_reference_prefers_the_content_tag() -> None:
    index = {
        "localhost/ai-native/pause:stand-in": "/a.tar",
        "localhost/ai-native/pause:0123": "/a.tar",
        "localhost/ai-native/busybox:0123": "/b.tar",
    }
    assert rn.pause_reference(index) == "localhost/ai-native/pause:0123"
    assert rn.pause_reference({"localhost/ai-native/pause:stand-in": "/a"}).endswith("stand-in")
    assert rn.pause_reference({"localhost/ai-native/busybox:1": "/b"}) == ""


def test_mounts_under_are_listed_deepest_first_and_others_ignored() -> None:
    mountinfo = "\n".join(
        f"{i} 1 0:1 / {point} rw - tmpfs tmpfs rw"
        for i, point in enumerate(
            ["/", "/cache/cluster/node/kubelet", "/cache/cluster/node/kubelet/pods/x/vol",
             "/cache/cluster/nodex", "/run/netns", "/cache/cluster/node/state/netns/cni-1"]
        )
    )  # fmt: skip
    assert rn.mounts_under(mountinfo, (Path("/cache/cluster/node"),)) == [
        "/cache/cluster/node/kubelet/pods/x/vol",
        "/cache/cluster/node/state/netns/cni-1",
        "/cache/cluster/node/kubelet",
    ]
    assert rn.is_mount_point(mountinfo, Path("/run/netns"))
    assert not rn.is_mount_point(mountinfo, Path("/run"))


ALL = {name: 100 + i for i, name in enumerate(sorted(ops.COMPONENTS))}
NODE_PIDS = {name: 200 + i for i, name in enumerate(rn.COMPONENTS)}


def status(node_alive: dict[str, int], *, phase_up: bool = True) -> ops.ClusterStatus:
    state = ProcessState(ALL, ALL if phase_up else {}, phase_up)
    node = ops.NodeState(
        recorded=NODE_PIDS if node_alive else {}, alive=node_alive, leftovers=bool(node_alive)
    )
    return ops.classify(state, "/k", node_state=node)


def test_up_adds_the_node_to_a_running_kwok_cluster_without_recreating_it() -> None:
    st = status({})
    assert st.phase is ops.Phase.UP and not st.node_running
    assert ops.plan_up(st, real_node=True) == [ops.Step.NODE]
    assert ops.plan_up(st, real_node=False) == []


def test_a_running_node_makes_up_a_no_op() -> None:
    st = status(NODE_PIDS)
    assert st.node_running
    assert ops.plan_up(st, real_node=True) == []


def test_a_dead_node_component_is_broken_and_up_recreates_all() -> None:
    alive = {k: v for k, v in NODE_PIDS.items() if k != "kubelet"}
    st = status(alive)
    assert st.phase is ops.Phase.BROKEN and st.dead == ("kubelet",)
    assert ops.plan_up(st, real_node=True) == [
        ops.Step.STOP, ops.Step.START, ops.Step.BOOTSTRAP, ops.Step.NODE
    ]  # fmt: skip


def test_a_node_only_partly_there_is_recreated_with_the_rest() -> None:
    state = ProcessState(ALL, ALL, True)
    partial = {k: v for k, v in NODE_PIDS.items() if k != "coredns"}
    node = ops.NodeState(recorded=partial, alive=partial, leftovers=True)
    st = ops.classify(state, "/k", node_state=node)
    assert st.phase is ops.Phase.UP and not st.node_running
    assert ops.plan_up(st, real_node=True) == [
        ops.Step.STOP, ops.Step.START, ops.Step.BOOTSTRAP, ops.Step.NODE
    ]  # fmt: skip


def test_node_leftovers_of_a_dead_cluster_are_cleaned_by_down() -> None:
    state = ProcessState({}, {}, False)
    st = ops.classify(state, "/k", node_state=ops.NodeState(leftovers=True))
    assert st.phase is ops.Phase.DOWN
    assert ops.plan_down(st) == [ops.Step.STOP]
    assert ops.plan_up(st, real_node=True)[0] is ops.Step.STOP


def test_cluster_dns_is_coredns_on_the_node_behind_the_kube_dns_address() -> None:
    conf = nc.kubelet_config(SPEC)
    assert conf["clusterDNS"] == [rn.DNS_SERVICE_IP]
    assert ipaddress.ip_address(rn.DNS_SERVICE_IP) in ipaddress.ip_network(rn.SERVICE_CIDR)
    corefile = nc.corefile(SPEC)
    assert f"bind {NET.node_ip}" in corefile
    assert f"kubeconfig {NODE_PATHS.coredns_kubeconfig} local" in corefile
    assert "forward" not in corefile  # no upstream is reachable from the node
    docs = {d["kind"]: d for d in nc.dns_manifests(SPEC)}
    assert docs["Service"]["spec"]["clusterIP"] == rn.DNS_SERVICE_IP
    assert docs["EndpointSlice"]["endpoints"][0]["addresses"] == [NET.node_ip]
    binding = docs["ClusterRoleBinding"]["subjects"][0]["name"]
    assert binding == rn.COREDNS_USER
    assert any(c.subject == f"/CN={rn.COREDNS_USER}" for c in rn.NODE_CERTS)
    assert nc.coredns_argv(SPEC)[:3] == ["nsenter", f"--net={NET.netns_path}", "--"]


def test_metrics_server_scrapes_the_real_node_behind_an_apiservice() -> None:
    argv = nc.metrics_server_argv(SPEC)
    assert argv[:3] == ["nsenter", f"--net={NET.netns_path}", "--"]
    assert f"--bind-address={NET.node_ip}" in argv
    assert "--node-selector=type=real" in argv
    docs = nc.metrics_manifests(SPEC)
    kinds = [d["kind"] for d in docs]
    assert kinds.count("ClusterRoleBinding") == 2 and "RoleBinding" in kinds
    api = next(d for d in docs if d["kind"] == "APIService")
    assert api["metadata"]["name"] == rn.METRICS_APISERVICE
    assert api["spec"]["service"] == {"name": "metrics-server", "namespace": "kube-system",
                                      "port": 443}  # fmt: skip
    endpoints = next(d for d in docs if d["kind"] == "EndpointSlice")
    assert endpoints["endpoints"][0]["addresses"] == [NET.node_ip]
    assert endpoints["ports"][0]["port"] == rn.METRICS_PORT
    # The API server reaches it by endpoint address, not by the Service's.
    options = cc.kwokctl_options(PATHS, "1.35.4", rn.node_link(PATHS))
    apiserver = options["componentsPatches"][0]["extraArgs"]
    assert {"key": "enable-aggregator-routing", "value": "true"} in apiserver


def test_network_policy_enforcer_reads_its_queue_in_the_namespace() -> None:
    argv = rn.netpol_argv(SPEC)
    assert argv[:3] == ["nsenter", f"--net={NET.netns_path}", "--"]
    assert argv[3] == str(PATHS.bin_dir / "netpol-nfqueue")
    assert f"-queue-num={rn.NETPOL_QUEUE}" in argv
    assert f"-healthz-bind-address={NET.node_ip}:{rn.NETPOL_HEALTHZ_PORT}" in argv
    assert f"-kubeconfig={NODE_PATHS.netpol_kubeconfig}" in argv
    assert any(c.subject == f"/CN={rn.NETPOL_USER}" for c in rn.NODE_CERTS)
    assert "netpol-nfqueue" in rn.NODE_BINARIES
    # Started after kube-proxy, stopped before it.
    assert rn.COMPONENTS.index("network-policies") > rn.COMPONENTS.index("kube-proxy")


def test_network_policy_rule_queues_new_forwarded_connections_in_the_namespace_only() -> None:
    add, check = rn.netpol_rule_argv(NET, "-A"), rn.netpol_rule_argv(NET, "-C")
    for argv in (add, check):
        assert argv[:3] == ["nsenter", f"--net={NET.netns_path}", "--"]  # never the host's
    rule = " ".join(add[3:])
    # mangle FORWARD: after kube-proxy's DNAT, before its filter rules.
    assert rule.startswith("iptables -w 5 -t mangle -A FORWARD ")
    assert "--ctstate NEW" in rule and f"-j NFQUEUE --queue-num {rn.NETPOL_QUEUE}" in rule
    # Fail closed: no packet passes while nothing reads the queue.
    assert "--queue-bypass" not in rule
    assert " ".join(check[3:]) == rule.replace(" -A ", " -C ")


def test_network_policy_enforcer_may_only_read_pods_namespaces_and_policies() -> None:
    role, binding = nc.netpol_manifests()
    assert binding["subjects"][0]["name"] == rn.NETPOL_USER
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    granted = {(r, v) for rule in role["rules"] for r in rule["resources"] for v in rule["verbs"]}
    assert {r for r, _ in granted} == {"pods", "namespaces", "networkpolicies"}
    assert {v for _, v in granted} == {"get", "list", "watch"}
