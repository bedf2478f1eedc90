"""The real node beside the kwok nodes: start it, check its health, take it down completely.

`start` runs after the control plane is up: network namespace and veth, cgroup root, client
certificates from the cluster CA, configs, then the API server forwarder, containerd (images
imported from the images index), the kubelet (until the Node is Ready), kube-proxy, the
NetworkPolicy enforcer (its iptables rule added once it reads its queue), CoreDNS (behind the
kube-dns Service address), metrics-server (behind the metrics.k8s.io APIService) and the ingress
controller (Traefik: IngressClass `nginx`, GatewayClass `traefik`, one Gateway).
`stop` undoes all of it and then checks that nothing is left: no process, mount, namespace,
veth or cgroup of ours; host sysctls restored, files outside the cache removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from helmkit.adapters import cluster as cluster_adapter
from helmkit.adapters import real_node as adapter
from helmkit.core.cluster import node_configs as nc
from helmkit.core.cluster import real_node as rn
from helmkit.core.cluster.config import ClusterPaths
from helmkit.errors import EnvironmentProblem

Echo = Callable[[str], None]
NO_NODE_HINT = "start the cluster without it (kwok nodes only): helmkit cluster up --no-real-node"


def preflight(paths: ClusterPaths) -> None:
    """Refuse, with every reason, when this machine cannot run the node; never pretend."""
    reasons = rn.cannot_run(adapter.host_facts(paths))
    if reasons:
        raise EnvironmentProblem(
            "this machine cannot run the real node:\n" + "\n".join(f"  - {r}" for r in reasons),
            hint=NO_NODE_HINT,
        )


def node_spec(paths: ClusterPaths) -> rn.NodeSpec:
    return rn.NodeSpec(
        network=rn.node_network(paths),
        paths=rn.node_paths(paths),
        apiserver_port=nc.apiserver_port(paths.kubeconfig.read_text(encoding="utf-8")),
        ca_cert=paths.pki_dir / "ca.crt",
        pause_image=rn.pause_reference(adapter.images_index(paths)),
        bin_dir=paths.bin_dir,
    )


def leftovers(paths: ClusterPaths) -> bool:
    """Anything of a node on this machine: pid files, its namespace, its private tree."""
    np, net = rn.node_paths(paths), rn.node_network(paths)
    return bool(adapter.recorded_pids(np)) or adapter.netns_exists(net) or np.root.exists()


def alive(paths: ClusterPaths) -> tuple[dict[str, int], dict[str, int]]:
    """(recorded, alive) pids of the node's components."""
    recorded = adapter.recorded_pids(rn.node_paths(paths))
    return recorded, {c: p for c, p in recorded.items() if cluster_adapter.pid_alive(p)}


# --- start -------------------------------------------------------------------------------------


def start(paths: ClusterPaths, echo: Echo) -> None:
    started = time.monotonic()
    spec = node_spec(paths)
    np, net = spec.paths, spec.network
    adapter.record_host_state(net)
    adapter.setup_network(net)
    adapter.create_cgroup_root(net)
    adapter.make_certs(np, spec.ca_cert, paths.pki_dir / "ca.key")
    _write_configs(spec)
    _start_forwarder(spec)
    _start_containerd(spec, paths, echo)
    _start_kubelet(spec, paths)
    _start_kube_proxy(spec)
    _start_network_policies(spec, paths)
    _start_coredns(spec, paths)
    _start_metrics_server(spec, paths)
    _start_ingress(spec, paths)
    _start_volumes(spec, paths)
    echo(
        f"real node {rn.NODE_NAME} Ready in {time.monotonic() - started:.1f}s "
        f"(IP {net.node_ip}, netns {net.netns}; pods opt in with nodeSelector "
        f"{'='.join(rn.NODE_LABEL)} and a toleration of {rn.NODE_TAINT['key']})"
    )


def _write_configs(spec: rn.NodeSpec) -> None:
    np, pki = spec.paths, spec.paths.pki
    adapter.write_text(np.containerd_config, nc.containerd_config(spec))
    conflist = nc.dump_json(nc.cni_conflist(spec))
    adapter.write_text(np.cni_conf_dir / "10-ai-native.conflist", conflist)
    for target, user, stem in (
        (np.kubelet_kubeconfig, f"system:node:{rn.NODE_NAME}", "kubelet-client"),
        (np.kube_proxy_kubeconfig, "system:kube-proxy", "kube-proxy-client"),
        (np.coredns_kubeconfig, rn.COREDNS_USER, "coredns-client"),
        (np.metrics_kubeconfig, rn.METRICS_USER, "metrics-server-client"),
        (np.traefik_kubeconfig, rn.INGRESS_USER, "traefik-client"),
        (np.volumes_kubeconfig, rn.VOLUMES_USER, "local-path-provisioner-client"),
        (np.netpol_kubeconfig, rn.NETPOL_USER, "network-policies-client"),
    ):
        doc = nc.kubeconfig(spec, user, pki / f"{stem}.crt", pki / f"{stem}.key")
        adapter.write_text(target, nc.dump_yaml(doc), mode=0o600)
    adapter.write_text(np.kubelet_config, nc.dump_yaml(nc.kubelet_config(spec)))
    adapter.write_text(np.kube_proxy_config, nc.dump_yaml(nc.kube_proxy_config(spec)))
    adapter.write_text(np.corefile, nc.corefile(spec))
    for directory in (np.kubelet_root, np.pod_logs, np.cni_ipam_dir):
        directory.mkdir(parents=True, exist_ok=True)


def _start_forwarder(spec: rn.NodeSpec) -> None:
    net = spec.network
    adapter.start_daemon(
        spec.paths, "apiserver-forwarder", rn.forwarder_argv(net, spec.apiserver_port)
    )
    adapter.wait_until(
        f"API server forwarder on {net.host_ip}:{spec.apiserver_port}",
        lambda: adapter.tcp_listening(net.host_ip, spec.apiserver_port),
        spec.paths,
        "apiserver-forwarder",
        10,
    )


def _start_containerd(spec: rn.NodeSpec, paths: ClusterPaths, echo: Echo) -> None:
    np = spec.paths
    adapter.start_daemon(np, "containerd", rn.containerd_argv(spec))
    adapter.wait_until("containerd", lambda: adapter.containerd_ready(np), np, "containerd", 30)
    began = time.monotonic()
    imported = adapter.import_images(np, adapter.images_index(paths))
    if imported:
        echo(f"imported {len(imported)} image archive(s) in {time.monotonic() - began:.1f}s")


def _start_kubelet(spec: rn.NodeSpec, paths: ClusterPaths) -> None:
    adapter.start_daemon(spec.paths, "kubelet", rn.kubelet_argv(spec))
    adapter.wait_until(
        f"node {rn.NODE_NAME} Ready", lambda: node_ready(paths), spec.paths, "kubelet", 90
    )


def _start_kube_proxy(spec: rn.NodeSpec) -> None:
    url = f"http://{spec.network.node_ip}:{rn.KUBE_PROXY_HEALTHZ_PORT}/healthz"
    adapter.start_daemon(spec.paths, "kube-proxy", rn.kube_proxy_argv(spec))
    adapter.wait_until("kube-proxy", lambda: adapter.http_ok(url), spec.paths, "kube-proxy", 60)


def netpol_healthz(net: rn.NodeNetwork) -> str:
    return f"http://{net.node_ip}:{rn.NETPOL_HEALTHZ_PORT}/healthz"


def _start_network_policies(spec: rn.NodeSpec, paths: ClusterPaths) -> None:
    """The enforcer first, then the rule that feeds it: the rule drops new connections while
    nothing reads the queue, so it goes in only once the enforcer has bound the queue."""
    manifests = "".join(f"---\n{nc.dump_yaml(doc)}" for doc in nc.netpol_manifests())
    cluster_adapter.apply(paths, manifests)
    adapter.start_daemon(spec.paths, "network-policies", rn.netpol_argv(spec))
    url = netpol_healthz(spec.network)
    adapter.wait_until(
        f"NetworkPolicy enforcer (queue {rn.NETPOL_QUEUE})",
        lambda: adapter.http_ok(url),
        spec.paths,
        "network-policies",
        60,
    )
    adapter.run(rn.netpol_rule_argv(spec.network, "-A"))


def _start_coredns(spec: rn.NodeSpec, paths: ClusterPaths) -> None:
    manifests = "".join(f"---\n{nc.dump_yaml(doc)}" for doc in nc.dns_manifests(spec))
    cluster_adapter.apply(paths, manifests)
    url = f"http://{spec.network.node_ip}:{rn.COREDNS_READY_PORT}/ready"
    adapter.start_daemon(spec.paths, "coredns", nc.coredns_argv(spec))
    adapter.wait_until("CoreDNS", lambda: adapter.http_ok(url), spec.paths, "coredns", 60)


def _start_metrics_server(spec: rn.NodeSpec, paths: ClusterPaths) -> None:
    manifests = "".join(f"---\n{nc.dump_yaml(doc)}" for doc in nc.metrics_manifests(spec))
    cluster_adapter.apply(paths, manifests)
    adapter.start_daemon(spec.paths, "metrics-server", nc.metrics_server_argv(spec))
    adapter.wait_until(
        f"APIService {rn.METRICS_APISERVICE} Available",
        lambda: metrics_available(paths),
        spec.paths,
        "metrics-server",
        60,
    )


def _start_ingress(spec: rn.NodeSpec, paths: ClusterPaths) -> None:
    """Gateway API CRDs (server-side: HTTPRoute's is too large for client-side apply), RBAC,
    the classes and the Gateway, then Traefik; ready when it answers /ping and has programmed
    the Gateway (both of its providers then read the cluster)."""
    crds = adapter.gateway_crds(paths)
    if crds is None:
        raise EnvironmentProblem(
            f"no {rn.GATEWAY_CRDS_FILE} beside {paths.binary('traefik')}",
            hint=f"build it: {rn.INGRESS_BUILD_COMMAND}",
        )
    cluster_adapter.apply_server_side(paths, crds)
    cluster_adapter.kubectl(
        paths, "wait", "--for=condition=Established", "--timeout=60s", "-f", str(crds)
    )
    docs = [*nc.ingress_rbac(), *nc.ingress_classes()]
    cluster_adapter.apply(paths, "".join(f"---\n{nc.dump_yaml(doc)}" for doc in docs))
    adapter.start_daemon(spec.paths, "traefik", nc.traefik_argv(spec))
    adapter.wait_until(
        "ingress controller (Traefik) /ping",
        lambda: adapter.http_ok(ping_url(spec.network)),
        spec.paths,
        "traefik",
        60,
    )
    adapter.wait_until(
        f"Gateway {rn.GATEWAY_NAMESPACE}/{rn.GATEWAY_NAME} Programmed",
        lambda: gateway_programmed(paths),
        spec.paths,
        "traefik",
        60,
    )


def _start_volumes(spec: rn.NodeSpec, paths: ClusterPaths) -> None:
    """The provisioner has no health endpoint and no leader lease (upstream turns election off):
    ready when its controller says it has started (informers synced)."""
    spec.paths.volumes_dir.mkdir(parents=True, exist_ok=True)
    docs = nc.volumes_manifests(spec)
    cluster_adapter.apply(paths, "".join(f"---\n{nc.dump_yaml(doc)}" for doc in docs))
    adapter.start_daemon(spec.paths, "local-path-provisioner", nc.volumes_argv(spec))
    adapter.wait_until(
        "volume provisioner (local-path-provisioner) started",
        lambda: volumes_started(spec.paths),
        spec.paths,
        "local-path-provisioner",
        60,
    )


def volumes_started(np: rn.NodePaths) -> bool:
    return rn.VOLUMES_STARTED_LINE in adapter.log_tail(np, "local-path-provisioner", lines=200)


def ping_url(net: rn.NodeNetwork) -> str:
    return f"http://{net.node_ip}:{rn.INGRESS_PING_PORT}/ping"


def gateway_programmed(paths: ClusterPaths) -> bool:
    jsonpath = "jsonpath={.status.conditions[?(@.type=='Programmed')].status}"
    try:
        out = cluster_adapter.kubectl(
            paths, "get", "gateway", rn.GATEWAY_NAME, "-n", rn.GATEWAY_NAMESPACE,
            "--ignore-not-found", "-o", jsonpath,
        )  # fmt: skip
    except cluster_adapter.ClusterError:
        return False
    return out.strip() == "True"


def metrics_available(paths: ClusterPaths) -> bool:
    jsonpath = "jsonpath={.status.conditions[?(@.type=='Available')].status}"
    try:
        out = cluster_adapter.kubectl(
            paths, "get", "apiservice", rn.METRICS_APISERVICE, "--ignore-not-found", "-o", jsonpath
        )
    except cluster_adapter.ClusterError:
        return False
    return out.strip() == "True"


def node_ready(paths: ClusterPaths) -> bool:
    try:
        out = cluster_adapter.kubectl(
            paths,
            "get",
            "node",
            rn.NODE_NAME,
            "--ignore-not-found",
            "-o",
            "jsonpath={.status.conditions[?(@.type=='Ready')].status}",
        )
    except cluster_adapter.ClusterError:
        return False
    return out.strip() == "True"


# --- health ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def health(paths: ClusterPaths) -> list[Check]:
    """One line per part of the node: processes, containerd's API, health endpoints, Ready."""
    np, net = rn.node_paths(paths), rn.node_network(paths)
    recorded, running = alive(paths)
    checks = [
        Check(c, c in running, f"pid {recorded[c]}" if c in recorded else "not started")
        for c in rn.COMPONENTS
    ]
    checks.append(Check("containerd API", adapter.containerd_ready(np), str(np.containerd_socket)))
    for name, port, path in (
        ("kubelet healthz", rn.KUBELET_HEALTHZ_PORT, "healthz"),
        ("kube-proxy healthz", rn.KUBE_PROXY_HEALTHZ_PORT, "healthz"),
        ("cluster DNS (CoreDNS) ready", rn.COREDNS_READY_PORT, "ready"),
    ):
        url = f"http://{net.node_ip}:{port}/{path}"
        checks.append(Check(name, adapter.http_ok(url), url))
    checks.append(Check(f"node {rn.NODE_NAME} Ready", node_ready(paths), f"IP {net.node_ip}"))
    checks.append(Check("metrics API Available", metrics_available(paths), rn.METRICS_APISERVICE))
    checks.append(_netpol_check(net))
    return checks + ingress_health(paths, net)


def ingress_health(paths: ClusterPaths, net: rn.NodeNetwork) -> list[Check]:
    """The controller answers, and its Gateway API provider has programmed the Gateway; the
    details say where requests go and how a release attaches to the Gateway."""
    address = f"{net.node_ip}:{rn.INGRESS_HTTP_PORT}"
    served = f"Ingress (class {rn.INGRESS_CLASS}) and HTTPRoutes at {address}"
    parent = (
        f"gateway.parentRefs: [{{name: {rn.GATEWAY_NAME}, namespace: {rn.GATEWAY_NAMESPACE}, "
        f"sectionName: {rn.GATEWAY_LISTENER}}}]"
    )
    gateway = f"{rn.GATEWAY_NAMESPACE}/{rn.GATEWAY_NAME}"
    return [
        Check("ingress controller (Traefik) ping", adapter.http_ok(ping_url(net)), served),
        Check(f"Gateway {gateway} Programmed", gateway_programmed(paths), parent),
        Check(
            "volume provisioner (local-path) started",
            volumes_started(rn.node_paths(paths)),
            f"StorageClass {rn.VOLUMES_STORAGE_CLASS}: local volumes in "
            f"{rn.node_paths(paths).volumes_dir}",
        ),
    ]


def _netpol_check(net: rn.NodeNetwork) -> Check:
    """Enforced only when both hold: the enforcer reads its queue, and the rule feeds it."""
    name = "NetworkPolicy enforced"
    queue = adapter.http_text(netpol_healthz(net))
    if queue is None:
        return Check(name, False, f"enforcer not answering at {netpol_healthz(net)}")
    if not adapter.command_ok(rn.netpol_rule_argv(net, "-C")):
        return Check(name, False, f"no NFQUEUE rule in netns {net.netns}; {queue}")
    return Check(name, True, queue)


# --- stop --------------------------------------------------------------------------------------


def stop(paths: ClusterPaths, *, apiserver_up: bool) -> None:
    """Take the node down in dependency order, then prove nothing is left."""
    if not leftovers(paths):
        return
    np, net = rn.node_paths(paths), rn.node_network(paths)
    _, running = alive(paths)
    if apiserver_up and "kubelet" in running:
        _drain(paths, np)
    for component in (
        "local-path-provisioner", "traefik", "metrics-server", "coredns", "network-policies",
        "kube-proxy", "kubelet",
    ):  # fmt: skip
        adapter.stop_daemon(np, component)
    if "containerd" in running:
        adapter.remove_containers(np)
    adapter.stop_daemon(np, "containerd")
    strays = adapter.kill_strays(np, net)
    mounts = adapter.unmount_under((np.root, np.containerd_root))
    cgroups = adapter.remove_cgroups(net)
    adapter.delete_network(net)
    adapter.stop_daemon(np, "apiserver-forwarder")
    adapter.remove_outside_files(np, net)
    if not adapter.other_nodes(net):
        # The last node on this machine puts the host back as the first one found it.
        state = adapter.read_host_state()
        adapter.release_netns_mount(state)
        adapter.restore_sysctls(state)
        adapter.remove_outside_dirs(state)
        adapter.forget_host_state()
    problems = _leftover_problems(np, net, strays, mounts, cgroups)
    if problems:
        raise EnvironmentProblem(
            "the real node left things behind:\n" + "\n".join(f"  - {p}" for p in problems),
            hint="remove them by hand, then run `helmkit cluster down` again",
        )
    adapter.forget(np)


def _drain(paths: ClusterPaths, np: rn.NodePaths) -> None:
    """Let the kubelet tear its pods down (sandboxes, CNI DEL) before it stops: no new pods
    (NoExecute taint), every pod on the node deleted now, then wait for the tasks to go."""
    kubectl = cluster_adapter.kubectl
    on_node = f"spec.nodeName={rn.NODE_NAME}"
    try:
        kubectl(paths, "taint", "node", rn.NODE_NAME, f"{rn.SHUTDOWN_TAINT}", "--overwrite")
        kubectl(paths, "delete", "pods", "--all-namespaces", "--field-selector", on_node,
                "--grace-period=0", "--force", "--wait=false")  # fmt: skip
    except cluster_adapter.ClusterError:
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        tasks = adapter.run(rn.ctr_argv(np, "tasks", "list", "--quiet"), check=False).split()
        if not tasks:
            return
        time.sleep(0.5)


def _leftover_problems(
    np: rn.NodePaths,
    net: rn.NodeNetwork,
    strays: dict[int, str],
    mounts: list[str],
    cgroups: list[str],
) -> list[str]:
    problems = [f"process {pid} still running: {argv}" for pid, argv in strays.items()]
    problems += [f"component {c} still running (pid {p})" for c, p in alive_after(np).items()]
    problems += [f"still mounted: {m}" for m in mounts]
    problems += [f"cgroup not removed: {c}" for c in cgroups]
    if adapter.netns_exists(net):
        problems.append(f"network namespace {net.netns} still exists")
    if adapter.link_exists(net.host_veth):
        problems.append(f"veth {net.host_veth} still exists")
    return problems


def alive_after(np: rn.NodePaths) -> dict[str, int]:
    return {c: p for c, p in adapter.recorded_pids(np).items() if cluster_adapter.pid_alive(p)}
