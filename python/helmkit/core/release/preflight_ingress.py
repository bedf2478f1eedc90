"""Does ingress-nginx allow the response headers the release's Ingresses set (pure)?

The chart sets security headers with the `nginx.ingress.kubernetes.io/custom-headers` annotation,
which names a ConfigMap of `Header: value` pairs. ingress-nginx (1.12 and later) denies the
location of an Ingress, answering 503 on every path, when one of those header names is not listed
in `global-allowed-response-headers` of its controller ConfigMap (a comma-separated list,
compared exactly, case included).

Which ConfigMap the controller reads, in this order:
1. the environment's `ingressNginxConfigMap: NAMESPACE/NAME` in helmkit.yaml (set it when the
   controller cannot be found or read from here);
2. the `--configmap` flag of the controller workload (Deployment or DaemonSet whose container
   runs `/nginx-ingress-controller`) whose `--controller-class` (default `k8s.io/ingress-nginx`)
   is the IngressClass's `spec.controller`; `$(POD_NAMESPACE)` expands to its namespace;
3. the name ingress-nginx's Helm chart gives it: `ingress-nginx/ingress-nginx-controller`.
A controller found without `--configmap` reads no ConfigMap: it allows no header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NGINX_CONTROLLER = "k8s.io/ingress-nginx"
CUSTOM_HEADERS = "nginx.ingress.kubernetes.io/custom-headers"
ALLOW_KEY = "global-allowed-response-headers"
CONVENTIONAL = "ingress-nginx/ingress-nginx-controller"
BINARY = "nginx-ingress-controller"
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class HeaderNeed:
    """Response headers one rendered Ingress asks its controller to add."""

    ingress: str  # Ingress/name
    class_name: str
    configmap: str  # NAMESPACE/NAME the annotation names
    headers: tuple[str, ...]  # in the ConfigMap's order; empty when it is not in the render


def header_needs(objects: Sequence[Obj], namespace: str) -> list[HeaderNeed]:
    rendered = {
        f"{(o.get('metadata') or {}).get('namespace') or namespace}/{o['metadata']['name']}": o
        for o in objects
        if o.get("kind") == "ConfigMap"
    }
    needs: list[HeaderNeed] = []
    for ing in objects:
        if ing.get("kind") != "Ingress":
            continue
        meta = ing.get("metadata") or {}
        ref = str((meta.get("annotations") or {}).get(CUSTOM_HEADERS) or "")
        if not ref:
            continue
        key = ref if "/" in ref else f"{meta.get('namespace') or namespace}/{ref}"
        data = (rendered.get(key) or {}).get("data") or {}
        needs.append(
            HeaderNeed(
                f"Ingress/{meta.get('name')}",
                str((ing.get("spec") or {}).get("ingressClassName") or ""),
                key,
                tuple(str(h) for h in data),
            )
        )
    return needs


# --- the controller and its ConfigMap -----------------------------------------------------------


@dataclass(frozen=True)
class Controller:
    """An ingress-nginx controller workload as its container args describe it."""

    workload: str  # Deployment/namespace/name
    controller_class: str
    configmap: str  # NAMESPACE/NAME, "" without --configmap


def _flag(args: Sequence[str], name: str) -> str | None:
    """The value of `--name=value` or `--name value` (Go's flag syntax), None when absent."""
    for position, arg in enumerate(args):
        for prefix in (f"--{name}", f"-{name}"):
            if arg.startswith(prefix + "="):
                return arg[len(prefix) + 1 :]
            if arg == prefix and position + 1 < len(args):
                return args[position + 1]
    return None


def _expand(value: str, container: Obj, namespace: str) -> str:
    """Kubernetes' `$(VAR)` expansion in args, for the env the ingress-nginx chart sets."""
    env: dict[str, str] = {}
    for item in container.get("env") or []:
        field = ((item.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
        if field == "metadata.namespace":
            env[item["name"]] = namespace
        elif "value" in item:
            env[item["name"]] = str(item["value"])
    return _VAR.sub(lambda m: env.get(m.group(1), m.group(0)), value)


def controllers(workloads: Sequence[Obj]) -> list[Controller]:
    found: list[Controller] = []
    for obj in workloads:
        meta = obj.get("metadata") or {}
        namespace = str(meta.get("namespace") or "")
        pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        for container in pod.get("containers") or []:
            argv = [
                str(a) for a in (container.get("command") or []) + (container.get("args") or [])
            ]
            if not any(a.rsplit("/", 1)[-1] == BINARY for a in argv):
                continue
            configmap = _expand(_flag(argv, "configmap") or "", container, namespace)
            if configmap and "/" not in configmap:
                configmap = f"{namespace}/{configmap}"
            found.append(
                Controller(
                    f"{obj.get('kind')}/{namespace}/{meta.get('name')}",
                    _flag(argv, "controller-class") or NGINX_CONTROLLER,
                    configmap,
                )
            )
    return found


@dataclass(frozen=True)
class Source:
    """Where the controller's ConfigMap name came from: certain (the setting or the flag: a
    missing allowance refuses the release) or the conventional guess (a warning)."""

    configmap: str  # NAMESPACE/NAME, "" when the controller reads none
    how: str
    certain: bool


def sources(
    controller_value: str, found: Sequence[Controller], setting: str, workloads_read: bool
) -> list[Source]:
    """The ConfigMap(s) the controllers of one IngressClass read: every controller of that class
    answers for the Ingress, so each must allow the headers."""
    if setting:
        return [Source(setting, "helmkit.yaml ingressNginxConfigMap", True)]
    mine = [c for c in found if c.controller_class == controller_value]
    if mine:
        return [
            Source(c.configmap, f"--configmap of {c.workload}" if c.configmap else c.workload, True)
            for c in mine
        ]
    why = (
        "no controller workload found"
        if workloads_read
        else "listing Deployments and DaemonSets was refused"
    )
    return [Source(CONVENTIONAL, f"the name its Helm chart gives it; {why}", False)]


def is_ingress_nginx(ingress_class: Obj, found: Sequence[Controller]) -> bool:
    controller = str((ingress_class.get("spec") or {}).get("controller") or "")
    return controller == NGINX_CONTROLLER or any(c.controller_class == controller for c in found)


# --- the verdict --------------------------------------------------------------------------------


def allowed_headers(data: Mapping[str, Any] | None) -> list[str]:
    """`global-allowed-response-headers` as the controller splits it (commas, spaces trimmed)."""
    text = str((data or {}).get(ALLOW_KEY) or "")
    return [h.strip() for h in text.split(",") if h.strip()]


def allowance_line(allowed: Sequence[str], missing: Sequence[str]) -> str:
    """The exact ConfigMap data line: what is allowed now, then what is missing."""
    return f'{ALLOW_KEY}: "{",".join([*allowed, *missing])}"'


@dataclass(frozen=True)
class Check:
    level: str  # "ok", "error", "warning", "unknown"
    message: str
    fix: str = ""


def check(
    need: HeaderNeed, source: Source, data: Mapping[str, Any] | None, readable: bool
) -> Check:
    """One Ingress against one controller ConfigMap. `data` None with `readable`: it does not
    exist (ingress-nginx then runs with its defaults, which allow no header)."""
    where = f"ingress-nginx (IngressClass {need.class_name})"
    if not need.headers:
        return Check(
            "unknown",
            f"could not check {need.ingress}'s headers: its custom-headers ConfigMap "
            f"{need.configmap} is not part of the release",
        )
    if not source.configmap:
        missing = list(need.headers)
        return Check(
            "error",
            f"{where}: its controller {source.how} reads no ConfigMap (no --configmap flag), "
            f"so it allows none of the headers {need.ingress} sets ({', '.join(missing)}): it "
            "answers 503 on every path of the Ingress",
            "give the controller --configmap=NAMESPACE/NAME and put in that ConfigMap: "
            + allowance_line([], missing),
        )
    if not readable:
        return Check(
            "unknown",
            f"could not check the headers {need.ingress} sets: reading ConfigMap "
            f"{source.configmap} ({source.how}) was refused",
        )
    if data is None and not source.certain:
        return Check(
            "unknown",
            f"could not check the headers {need.ingress} sets: {where} has no ConfigMap "
            f"{source.configmap} ({source.how}); name it in helmkit.yaml ingressNginxConfigMap",
        )
    allowed = allowed_headers(data)
    missing = [h for h in need.headers if h not in allowed]
    if not missing:
        return Check("ok", f"{where} allows the headers {need.ingress} sets ({source.configmap})")
    absent = " (it does not exist: the controller runs with defaults)" if data is None else ""
    namespace, name = source.configmap.split("/", 1)
    return Check(
        "error" if source.certain else "warning",
        f"{where} does not allow the response header(s) {', '.join(missing)} that "
        f"{need.ingress} sets through ConfigMap {need.configmap}: it answers 503 on every path "
        f"of the Ingress",
        f"add this line to the data of ConfigMap {source.configmap}{absent} ({source.how}): "
        f"{allowance_line(allowed, missing)}  (ingress-nginx Helm chart: controller.config; "
        f"or: kubectl -n {namespace} edit configmap {name}), or set "
        "ingress.securityHeaders.enabled=false",
    )


DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class"


def class_of(need: HeaderNeed, classes: Sequence[Obj]) -> Obj | None:
    """The IngressClass serving the Ingress: the one it names, else the cluster's default."""
    for ingress_class in classes:
        meta = ingress_class.get("metadata") or {}
        if need.class_name:
            if meta.get("name") == need.class_name:
                return ingress_class
        elif (meta.get("annotations") or {}).get(DEFAULT_CLASS) == "true":
            return ingress_class
    return None
