"""Turn a rendered pod spec of the chart into an image_runner.container() call.

The image tests run each stand-in image the way the chart's pod runs it: the container's command
and args, its env (plain values, the rendered ConfigMaps, test values for Secret keys), the uid
of its securityContext, and its volume mounts (emptyDir: a fresh directory; configMap: the
rendered data as files; anything else: a directory the test passes in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from component_chart import Manifest, configmap_data, write_files
from image_runner import Mount


def pod_spec(manifest: Manifest) -> Manifest:
    spec = manifest["spec"]
    if manifest["kind"] == "CronJob":
        return dict(spec["jobTemplate"]["spec"]["template"]["spec"])
    if manifest["kind"] == "Pod":
        return dict(spec)
    return dict(spec["template"]["spec"])


def container_of(pod: Manifest, name: str) -> Manifest:
    for container in pod.get("initContainers", []) + pod.get("containers", []):
        if container["name"] == name:
            return dict(container)
    pytest.fail(f"container {name} not in the pod spec")


@dataclass
class RunSpec:
    """What container() needs: command (None = the image's entrypoint), args, env, uid, mounts."""

    command: list[str] | None
    args: list[str] | None
    env: dict[str, str]
    uid: int
    mounts: list[Mount] = field(default_factory=list)


def _env(container: Manifest, manifests: tuple[Manifest, ...],
         secrets: Mapping[str, str]) -> dict[str, str]:  # fmt: skip
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(configmap_data(manifests, source["configMapRef"]["name"]))
        elif "secretRef" in source:
            env.update(secrets)
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        if ref is None or ref["key"] not in secrets:
            pytest.fail(f"env {item['name']}: give the test a value for {item.get('valueFrom')}")
        env[item["name"]] = secrets[ref["key"]]
    return env


def run_spec(manifests: tuple[Manifest, ...], manifest: Manifest, container_name: str, *,
             secrets: Mapping[str, str], volumes: Mapping[str, Path],
             work: Path) -> RunSpec:  # fmt: skip
    """The container `container_name` of `manifest` as a RunSpec; `volumes` maps the names of
    non-emptyDir, non-configMap volumes (claims) to host directories."""
    pod = pod_spec(manifest)
    container = container_of(pod, container_name)
    security = container.get("securityContext", {})
    assert security.get("readOnlyRootFilesystem") is True, "the runner mirrors a read-only root"
    uid = security.get("runAsUser", pod.get("securityContext", {}).get("runAsUser"))
    assert isinstance(uid, int) and uid > 0, f"{container_name} must run as a non-root uid"
    pod_volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts: list[Mount] = []
    for mount in container.get("volumeMounts", []):
        name, path = mount["name"], mount["mountPath"]
        volume = pod_volumes.get(name, {})
        read_only = bool(mount.get("readOnly", False))
        if name in volumes:
            mounts.append(Mount(path, volumes[name], read_only))
        elif "emptyDir" in volume:
            mounts.append(Mount(path, None, read_only))
        elif "configMap" in volume:
            data = configmap_data(manifests, volume["configMap"]["name"])
            mounts.append(Mount(path, write_files(data, work / f"configmap-{name}"), True))
        else:
            pytest.fail(f"volume {name} of {container_name}: pass a host directory for it")
    return RunSpec(container.get("command"), container.get("args"),
                   _env(container, manifests, secrets), uid, mounts)  # fmt: skip


def as_kwargs(spec: RunSpec, **overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"command": spec.command, "args": spec.args, "env": spec.env,
                              "uid": spec.uid, "mounts": spec.mounts}  # fmt: skip
    kwargs.update(overrides)
    return kwargs
