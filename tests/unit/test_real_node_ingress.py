"""The real node's ingress controller: Traefik's argv and the API objects `up` applies for it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from helmkit.core.cluster import config as cc
from helmkit.core.cluster import node_configs as nc
from helmkit.core.cluster import real_node as rn

PATHS = cc.ClusterPaths(cache_dir=Path("/cache"))
SPEC = rn.NodeSpec(
    network=rn.node_network(PATHS),
    paths=rn.node_paths(PATHS),
    apiserver_port=32766,
    ca_cert=PATHS.pki_dir / "ca.crt",
    pause_image="localhost/ai-native/pause:abc",
    bin_dir=PATHS.bin_dir,
)
IP = SPEC.network.node_ip


def flags(argv: list[str]) -> dict[str, str]:
    return dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)


def test_traefik_runs_in_the_namespace_with_its_own_kubeconfig_and_keeps_its_pid() -> None:
    argv = nc.traefik_argv(SPEC)
    assert argv[:3] == ["nsenter", f"--net={SPEC.network.netns_path}", "--"]
    # env execs: the pid nsenter leaves behind is Traefik's own.
    assert argv[3:5] == ["env", f"KUBECONFIG={SPEC.paths.traefik_kubeconfig}"]
    assert argv[5] == str(PATHS.bin_dir / "traefik")


def test_traefik_listens_on_the_node_address_only_and_serves_the_chart_class() -> None:
    f = flags(nc.traefik_argv(SPEC))
    assert f["entryPoints.web.address"] == f"{IP}:{rn.INGRESS_HTTP_PORT}"
    assert f["entryPoints.traefik.address"] == f"{IP}:{rn.INGRESS_PING_PORT}"
    assert f["providers.kubernetesIngressNGINX.ingressClass"] == "nginx"
    assert f["providers.kubernetesIngressNGINX.controllerClass"] == "k8s.io/ingress-nginx"
    # Ingress status and Gateway status carry the address a request goes to.
    assert f["providers.kubernetesIngressNGINX.publishStatusAddress"] == IP
    assert f["providers.kubernetesGateway.statusAddress.ip"] == IP
    assert f["global.checkNewVersion"] == f["global.sendAnonymousUsage"] == "false"


def test_the_ingress_class_matches_what_the_chart_and_traefik_expect() -> None:
    docs = {d["kind"]: d for d in nc.ingress_classes()}
    assert docs["IngressClass"]["metadata"]["name"] == rn.INGRESS_CLASS
    assert docs["IngressClass"]["spec"]["controller"] == rn.INGRESS_CONTROLLER
    assert docs["GatewayClass"]["spec"]["controllerName"] == rn.GATEWAY_CONTROLLER
    gateway = docs["Gateway"]
    assert gateway["metadata"] == {"name": rn.GATEWAY_NAME, "namespace": rn.GATEWAY_NAMESPACE}
    assert gateway["spec"]["gatewayClassName"] == docs["GatewayClass"]["metadata"]["name"]
    (listener,) = gateway["spec"]["listeners"]
    # Traefik attaches a listener to the entry point on the same port.
    assert listener["port"] == rn.INGRESS_HTTP_PORT and listener["protocol"] == "HTTP"
    assert listener["name"] == rn.GATEWAY_LISTENER
    assert listener["allowedRoutes"] == {"namespaces": {"from": "All"}}
    assert docs["Namespace"]["metadata"]["name"] == rn.GATEWAY_NAMESPACE


def test_traefik_may_read_what_its_providers_watch_and_write_only_statuses() -> None:
    role, binding = nc.ingress_rbac()
    assert binding["subjects"][0]["name"] == rn.INGRESS_USER
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    writes = {
        (group, res)
        for rule in role["rules"]
        if set(rule["verbs"]) - {"get", "list", "watch"}
        for group in rule["apiGroups"]
        for res in rule["resources"]
    }
    assert writes and all(res.endswith("/status") for _, res in writes), writes
    reads = {
        (group, res)
        for rule in role["rules"]
        if "watch" in rule["verbs"]
        for group in rule["apiGroups"]
        for res in rule["resources"]
    }
    for need in [
        ("networking.k8s.io", "ingresses"), ("networking.k8s.io", "ingressclasses"),
        ("discovery.k8s.io", "endpointslices"), ("", "services"),
        ("gateway.networking.k8s.io", "httproutes"), ("gateway.networking.k8s.io", "gateways"),
    ]:  # fmt: skip
        assert need in reads, need


def test_traefik_has_a_client_certificate_and_is_stopped_first() -> None:
    assert any(c.subject == f"/CN={rn.INGRESS_USER}" for c in rn.NODE_CERTS)
    assert rn.COMPONENTS[-2:] == ("traefik", "local-path-provisioner")  # `down`: reverse
    assert "traefik" in rn.NODE_BINARIES


def test_the_provisioner_gives_local_volumes_in_the_node_tree_to_the_real_node_only() -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for d in nc.volumes_manifests(SPEC)}
    sc = docs[("StorageClass", rn.VOLUMES_STORAGE_CLASS)]
    assert sc["provisioner"] == rn.VOLUMES_PROVISIONER
    # local, not hostPath: the kubelet applies fsGroup to local volumes only.
    assert sc["metadata"]["annotations"] == {"defaultVolumeType": "local"}
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"
    assert "storageclass.kubernetes.io/is-default-class" not in sc["metadata"]["annotations"]
    config = docs[("ConfigMap", rn.VOLUMES_CONFIGMAP)]["data"]
    node_map = json.loads(config["config.json"])["nodePathMap"]
    assert node_map == [{"node": rn.NODE_NAME, "paths": [str(SPEC.paths.volumes_dir)]}]
    assert SPEC.paths.volumes_dir.is_relative_to(SPEC.paths.root)  # `down` removes it
    helper = yaml.safe_load(config["helperPod.yaml"])
    assert helper["spec"]["containers"][0]["imagePullPolicy"] == "Never"
    # Helper pods run as root with a hostPath: privileged only in their own namespace.
    ns = docs[("Namespace", rn.VOLUMES_NAMESPACE)]
    assert ns["metadata"]["labels"] == {"pod-security.kubernetes.io/enforce": "privileged"}


def test_the_provisioner_runs_in_the_namespace_with_its_own_kubeconfig() -> None:
    argv = nc.volumes_argv(SPEC)
    assert argv[:3] == ["nsenter", f"--net={SPEC.network.netns_path}", "--"]
    assert argv[3:5] == [str(PATHS.bin_dir / "local-path-provisioner"), "start"]
    f = flags(argv)
    assert f["kubeconfig"] == str(SPEC.paths.volumes_kubeconfig)
    assert f["namespace"] == rn.VOLUMES_NAMESPACE and f["helper-image"] == rn.VOLUMES_HELPER_IMAGE
    assert any(c.subject == f"/CN={rn.VOLUMES_USER}" for c in rn.NODE_CERTS)
