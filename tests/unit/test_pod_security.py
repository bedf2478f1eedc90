"""Unit tests of the Pod Security Standard "restricted" checker."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from helmkit.core.lint.pod_security import check_pod_spec, pod_specs

GOOD: dict[str, Any] = {
    "securityContext": {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
    },
    "containers": [{
        "name": "app",
        "image": "x",
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
        "ports": [{"containerPort": 8000}],
    }],
    "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "s", "secret": {"secretName": "x"}}],
}


def _spec(**changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(GOOD)
    for dotted, value in changes.items():
        node: Any = spec
        keys = dotted.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        node[keys[-1]] = value
    return spec


def _paths(spec: dict[str, Any]) -> set[str]:
    return {v.path for v in check_pod_spec(spec)}


def test_a_restricted_pod_passes() -> None:
    assert check_pod_spec(GOOD) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"hostNetwork": True}, "spec.hostNetwork"),
        ({"hostPID": True}, "spec.hostPID"),
        ({"hostIPC": True}, "spec.hostIPC"),
        ({"containers__0__securityContext__privileged": True},
         "spec.containers[0].securityContext.privileged"),
        ({"containers__0__securityContext__allowPrivilegeEscalation": True},
         "spec.containers[0].securityContext.allowPrivilegeEscalation"),
        ({"containers__0__securityContext__capabilities": {"drop": ["NET_RAW"]}},
         "spec.containers[0].securityContext.capabilities.drop"),
        ({"containers__0__securityContext__capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}},
         "spec.containers[0].securityContext.capabilities.add[0]"),
        ({"containers__0__securityContext__capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}},
         "spec.containers[0].securityContext.capabilities.add[0]"),
        ({"securityContext__runAsNonRoot": False}, "spec.securityContext.runAsNonRoot"),
        ({"securityContext__runAsUser": 0}, "spec.securityContext.runAsUser"),
        ({"containers__0__securityContext__runAsUser": 0},
         "spec.containers[0].securityContext.runAsUser"),
        ({"securityContext__seccompProfile": {"type": "Unconfined"}},
         "spec.securityContext.seccompProfile.type"),
        ({"containers__0__securityContext__procMount": "Unmasked"},
         "spec.containers[0].securityContext.procMount"),
        ({"securityContext__sysctls": [{"name": "kernel.msgmax", "value": "1"}]},
         "spec.securityContext.sysctls[0].name"),
        ({"securityContext__appArmorProfile": {"type": "Unconfined"}},
         "spec.securityContext.appArmorProfile.type"),
        ({"securityContext__seLinuxOptions": {"type": "spc_t"}},
         "spec.securityContext.seLinuxOptions.type"),
        ({"securityContext__seLinuxOptions": {"user": "root"}},
         "spec.securityContext.seLinuxOptions.user"),
        ({"securityContext__windowsOptions": {"hostProcess": True}},
         "spec.securityContext.windowsOptions.hostProcess"),
        ({"containers__0__ports": [{"containerPort": 80, "hostPort": 80}]},
         "spec.containers[0].ports[0].hostPort"),
        ({"volumes": [{"name": "h", "hostPath": {"path": "/"}}]}, "spec.volumes[0].hostPath"),
        ({"volumes": [{"name": "n", "nfs": {"server": "x", "path": "/"}}]}, "spec.volumes[0].nfs"),
    ],
)
def test_each_control_is_reported_with_its_path(change: dict[str, Any], path: str) -> None:
    assert path in _paths(_spec(**change))


def test_run_as_non_root_and_seccomp_may_be_set_per_container_instead_of_the_pod() -> None:
    spec = _spec(securityContext={})
    assert _paths(spec) == {
        "spec.containers[0].securityContext.runAsNonRoot",
        "spec.containers[0].securityContext.seccompProfile.type",
    }
    spec["containers"][0]["securityContext"].update(
        runAsNonRoot=True, seccompProfile={"type": "Localhost", "localhostProfile": "p.json"}
    )
    assert check_pod_spec(spec) == []


def test_init_and_ephemeral_containers_are_checked() -> None:
    spec = _spec()
    spec["initContainers"] = [{"name": "wait", "image": "x"}]
    paths = _paths(spec)
    assert "spec.initContainers[0].securityContext.allowPrivilegeEscalation" in paths
    assert "spec.initContainers[0].securityContext.capabilities.drop" in paths


def test_net_bind_service_is_the_one_capability_allowed() -> None:
    caps = {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
    assert check_pod_spec(_spec(containers__0__securityContext__capabilities=caps)) == []


def test_apparmor_annotation_is_checked() -> None:
    key = "container.apparmor.security.beta.kubernetes.io/app"
    assert check_pod_spec(GOOD, {key: "runtime/default"}) == []
    assert [v.control for v in check_pod_spec(GOOD, {key: "unconfined"})] == ["AppArmor"]


def test_pod_specs_finds_the_template_of_each_workload_kind() -> None:
    template = {"metadata": {"annotations": {"a": "b"}}, "spec": GOOD}
    cronjob = {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}
    [(path, spec, annotations)] = list(pod_specs(cronjob))
    assert path == "spec.jobTemplate.spec.template.spec"
    assert spec is GOOD and annotations == {"a": "b"}
    assert list(pod_specs({"kind": "Service", "spec": {}})) == []
    [(pod_path, _, _)] = list(pod_specs({"kind": "Pod", "spec": GOOD}))
    assert pod_path == "spec"
