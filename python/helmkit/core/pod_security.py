"""Pod Security Standards "restricted" (which includes "baseline") checked on a rendered pod spec.

Follows https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Linux pods): each
violation names the field path, the PSS control and what is allowed, so a chart author can fix
the template. Pure: it reads dicts only. `pod_specs` finds the pod template of every workload kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

BASELINE_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
RESTRICTED_ADDABLE_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
})
RESTRICTED_VOLUME_TYPES = frozenset({
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
    "projected", "secret",
})
SELINUX_TYPES = frozenset({
    "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t",
})
SECCOMP_ALLOWED = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_ALLOWED = frozenset({"RuntimeDefault", "Localhost"})
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")

# workload kind -> key path from the object to its pod spec
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


@dataclass(frozen=True)
class Violation:
    """One PSS failure: where, which control, and what would be allowed."""

    path: str
    control: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.control}: {self.message}"


def pod_specs(obj: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """(path of the pod spec, pod spec, pod annotations) of a workload; nothing otherwise."""
    keys = POD_SPEC_PATHS.get(str(obj.get("kind", "")))
    if keys is None:
        return
    node: Any = obj
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    meta_parent: Any = obj
    for key in keys[:-1]:
        meta_parent = meta_parent.get(key) if isinstance(meta_parent, Mapping) else None
    annotations = (meta_parent or {}).get("metadata", {}).get("annotations") or {}
    if isinstance(node, Mapping):
        yield ".".join(keys), node, annotations


def check_pod_spec(
    spec: Mapping[str, Any],
    annotations: Mapping[str, str] | None = None,
    *,
    prefix: str = "spec",
) -> list[Violation]:
    """Every "restricted" violation of a pod spec (baseline controls included)."""
    found: list[Violation] = []
    pod_sc: Mapping[str, Any] = spec.get("securityContext") or {}
    found += _host_namespaces(spec, prefix)
    found += _volumes(spec, prefix)
    found += _pod_level(pod_sc, f"{prefix}.securityContext")
    found += _apparmor_annotations(annotations or {})
    containers = list(_containers(spec, prefix))
    if not containers:
        found.append(Violation(f"{prefix}.containers", "containers", "the pod has no containers"))
    for path, container in containers:
        found += _container(container, pod_sc, path)
    return found


def _containers(spec: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for field in CONTAINER_LISTS:
        for index, container in enumerate(spec.get(field) or []):
            yield f"{prefix}.{field}[{index}]", container


def _host_namespaces(spec: Mapping[str, Any], prefix: str) -> list[Violation]:
    return [
        Violation(f"{prefix}.{field}", "Host Namespaces", "must be unset or false")
        for field in ("hostNetwork", "hostPID", "hostIPC")
        if spec.get(field)
    ]


def _volumes(spec: Mapping[str, Any], prefix: str) -> list[Violation]:
    found = []
    for index, volume in enumerate(spec.get("volumes") or []):
        kinds = [key for key in volume if key != "name"]
        for kind in kinds:
            if kind == "hostPath":
                found.append(Violation(f"{prefix}.volumes[{index}].hostPath", "HostPath Volumes",
                                       "hostPath volumes are forbidden"))
            elif kind not in RESTRICTED_VOLUME_TYPES:
                allowed = ", ".join(sorted(RESTRICTED_VOLUME_TYPES))
                found.append(Violation(f"{prefix}.volumes[{index}].{kind}", "Volume Types",
                                       f"only {allowed} are allowed"))
    return found


def _pod_level(sc: Mapping[str, Any], path: str) -> list[Violation]:
    found = _common_security_context(sc, path)
    for index, sysctl in enumerate(sc.get("sysctls") or []):
        if sysctl.get("name") not in SAFE_SYSCTLS:
            found.append(Violation(f"{path}.sysctls[{index}].name", "Sysctls",
                                   f"{sysctl.get('name')!r} is not in the safe set"))
    return found


def _common_security_context(sc: Mapping[str, Any], path: str) -> list[Violation]:
    """Controls that apply the same way to the pod and to each container securityContext."""
    found = []
    if (sc.get("windowsOptions") or {}).get("hostProcess"):
        found.append(Violation(f"{path}.windowsOptions.hostProcess", "HostProcess",
                               "must be unset or false"))
    if sc.get("runAsUser") == 0:
        found.append(Violation(f"{path}.runAsUser", "Running as Non-root user",
                               "must not be 0"))
    if sc.get("runAsNonRoot") is False:
        found.append(Violation(f"{path}.runAsNonRoot", "Running as Non-root",
                               "must not be false"))
    seccomp = (sc.get("seccompProfile") or {}).get("type")
    if seccomp is not None and seccomp not in SECCOMP_ALLOWED:
        found.append(Violation(f"{path}.seccompProfile.type", "Seccomp",
                               f"{seccomp!r} is not RuntimeDefault or Localhost"))
    apparmor = (sc.get("appArmorProfile") or {}).get("type")
    if apparmor is not None and apparmor not in APPARMOR_ALLOWED:
        found.append(Violation(f"{path}.appArmorProfile.type", "AppArmor",
                               f"{apparmor!r} is not RuntimeDefault or Localhost"))
    found += _selinux(sc.get("seLinuxOptions") or {}, f"{path}.seLinuxOptions")
    return found


def _selinux(options: Mapping[str, Any], path: str) -> list[Violation]:
    found = []
    if options.get("type", "") not in SELINUX_TYPES:
        found.append(Violation(f"{path}.type", "SELinux",
                               f"{options.get('type')!r} is not an allowed container type"))
    found += [
        Violation(f"{path}.{field}", "SELinux", "must be unset")
        for field in ("user", "role")
        if options.get(field)
    ]
    return found


def _apparmor_annotations(annotations: Mapping[str, str]) -> list[Violation]:
    return [
        Violation(f"metadata.annotations[{key}]", "AppArmor",
                  f"{value!r} is not runtime/default or localhost/*")
        for key, value in annotations.items()
        if key.startswith(APPARMOR_ANNOTATION)
        and value != "runtime/default" and not str(value).startswith("localhost/")
    ]


def _container(
    container: Mapping[str, Any], pod_sc: Mapping[str, Any], path: str
) -> list[Violation]:
    sc: Mapping[str, Any] = container.get("securityContext") or {}
    sc_path = f"{path}.securityContext"
    found = _common_security_context(sc, sc_path)
    if sc.get("privileged"):
        found.append(Violation(f"{sc_path}.privileged", "Privileged Containers",
                               "must be unset or false"))
    if sc.get("allowPrivilegeEscalation") is not False:
        found.append(Violation(f"{sc_path}.allowPrivilegeEscalation", "Privilege Escalation",
                               "must be set to false"))
    if sc.get("procMount", "Default") != "Default":
        found.append(Violation(f"{sc_path}.procMount", "/proc Mount Type",
                               "must be unset or Default"))
    if not (sc.get("runAsNonRoot") is True or
            (pod_sc.get("runAsNonRoot") is True and "runAsNonRoot" not in sc)):
        found.append(Violation(f"{sc_path}.runAsNonRoot", "Running as Non-root",
                               "must be true here or in the pod securityContext"))
    if sc.get("runAsUser") is None and pod_sc.get("runAsUser") == 0:
        found.append(Violation(f"{sc_path}.runAsUser", "Running as Non-root user",
                               "inherits runAsUser 0 from the pod"))
    seccomp = (sc.get("seccompProfile") or {}).get("type")
    pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type")
    if seccomp is None and pod_seccomp not in SECCOMP_ALLOWED:
        found.append(Violation(f"{sc_path}.seccompProfile.type", "Seccomp",
                               "must be RuntimeDefault or Localhost here or in the pod"))
    found += _capabilities(sc.get("capabilities") or {}, f"{sc_path}.capabilities")
    for index, port in enumerate(container.get("ports") or []):
        if port.get("hostPort"):
            found.append(Violation(f"{path}.ports[{index}].hostPort", "Host Ports",
                                   "must be unset or 0"))
    return found


def _capabilities(caps: Mapping[str, Any], path: str) -> list[Violation]:
    found = []
    if "ALL" not in (caps.get("drop") or []):
        found.append(Violation(f"{path}.drop", "Capabilities", "must include ALL"))
    for index, cap in enumerate(caps.get("add") or []):
        if cap not in RESTRICTED_ADDABLE_CAPABILITIES:
            level = "baseline and restricted" if cap not in BASELINE_CAPABILITIES else "restricted"
            found.append(Violation(f"{path}.add[{index}]", "Capabilities",
                                   f"{cap} is not allowed by {level}; only NET_BIND_SERVICE"))
    return found
