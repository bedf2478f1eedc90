"""`helmkit status ENV [--watch]`: the seed monitor.sh views in one screen: pods, HPA, recent
events, ingress and TLS, recent revisions, and (on a real cluster) a component's logs."""

from __future__ import annotations

import time
from collections.abc import Callable

from helmkit.core import live_manifests as lm
from helmkit.core import revisions as rv
from helmkit.errors import HelmkitError
from helmkit.ops.live import LiveEnv

RECENT_EVENTS = 15
RECENT_REVISIONS = 5
LOG_LINES = 50


def _ready(pod: lm.KubeObject) -> str:
    statuses = pod.get("status", {}).get("containerStatuses") or []
    total = len(statuses) or len(pod["spec"]["containers"])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def pods_view(live: LiveEnv) -> list[str]:
    lines = ["PODS"]
    for pod in sorted(live.kube.items("Pod", live.env.namespace), key=lm.component_of):
        status = pod.get("status", {})
        restarts = sum(int(s.get("restartCount", 0)) for s in status.get("containerStatuses") or [])
        lines.append(
            f"  {lm.component_of(pod):<12} {pod['metadata']['name']:<48} "
            f"{status.get('phase', '?'):<10} ready {_ready(pod):<5} restarts {restarts} "
            f"node {pod.get('spec', {}).get('nodeName', '-')}"
        )
    return lines if len(lines) > 1 else ["PODS: none"]


def hpa_view(live: LiveEnv) -> list[str]:
    lines = ["HPA"]
    for hpa in live.kube.items("HorizontalPodAutoscaler", live.env.namespace):
        spec, status = hpa["spec"], hpa.get("status", {})
        lines.append(
            f"  {hpa['metadata']['name']:<30} replicas {status.get('currentReplicas', '?')}"
            f" (min {spec.get('minReplicas', 1)}, max {spec.get('maxReplicas')})"
        )
    return lines if len(lines) > 1 else ["HPA: none"]


def events_view(live: LiveEnv) -> list[str]:
    events = live.kube.items("Event", live.env.namespace)
    events.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    lines = [f"EVENTS (last {RECENT_EVENTS})"]
    for event in events[-RECENT_EVENTS:]:
        obj = event.get("involvedObject", {})
        lines.append(
            f"  {event.get('type', ''):<8} {event.get('reason', ''):<20} "
            f"{obj.get('kind', '')}/{obj.get('name', '')}: {event.get('message', '')}"[:200]
        )
    return lines


def routes_view(live: LiveEnv) -> list[str]:
    served = live.kube.served_api_versions()
    lines = ["INGRESS / TLS"]
    for ing in live.kube.items("Ingress", live.env.namespace):
        hosts = [r.get("host", "*") for r in ing.get("spec", {}).get("rules") or []]
        address = [
            e.get("ip") or e.get("hostname")
            for e in ing.get("status", {}).get("loadBalancer", {}).get("ingress") or []
        ]
        lines.append(
            f"  Ingress {ing['metadata']['name']}: {', '.join(hosts)} -> "
            f"{', '.join(str(a) for a in address) or 'no address'}"
        )
    if "cert-manager.io/v1" in served:
        for cert in live.kube.items("Certificate", live.env.namespace):
            ready = [
                c.get("status")
                for c in cert.get("status", {}).get("conditions") or []
                if c.get("type") == "Ready"
            ]
            lines.append(
                f"  Certificate {cert['metadata']['name']}: Ready={ready[0] if ready else '?'}"
            )
    else:
        lines.append("  TLS: skipped: API not present (cert-manager.io/v1)")
    return lines if len(lines) > 1 else ["INGRESS / TLS: none"]


def revisions_view(live: LiveEnv) -> list[str]:
    lines = [f"REVISIONS (last {RECENT_REVISIONS})"]
    for rev in live.history()[-RECENT_REVISIONS:]:
        when = rev.updated.strftime("%Y-%m-%d %H:%M:%S") if rev.updated else "?"
        lines.append(f"  {rev.number:>3} {rev.status:<16} {when}  {rev.chart}  {rev.description}")
    lines.append(f"  rollback/verify commands: helmkit history {live.env.name}")
    return lines


def logs_view(live: LiveEnv, component: str) -> list[str]:
    """Logs exist only where kubelets run containers; on the local control plane (kwok) there
    are none, and the view says so instead of failing."""
    selector = f"{lm.COMPONENT_LABEL}={component}"
    pods = live.kube.items("Pod", live.env.namespace, selector)
    if not pods:
        return [f"LOGS {component}: no pods with {selector}"]
    pod = pods[0]
    container = pod["spec"]["containers"][0]["name"]
    try:
        text = live.kube.pod_logs(live.env.namespace, pod["metadata"]["name"], container, LOG_LINES)
    except HelmkitError as exc:
        return [f"LOGS {component}: not available ({exc.message})"]
    return [
        f"LOGS {component} ({pod['metadata']['name']}/{container}, last {LOG_LINES} lines)",
        *("  " + line for line in text.splitlines()),
    ]


def screen(live: LiveEnv, logs: str | None) -> list[str]:
    head = f"status {live.env.name}: release {live.env.release} in namespace {live.env.namespace}"
    if live.kube.namespace(live.env.namespace) is None:
        return [head, f"namespace {live.env.namespace} does not exist"]
    views: list[Callable[[LiveEnv], list[str]]] = [
        pods_view,
        hpa_view,
        routes_view,
        revisions_view,
        events_view,
    ]
    lines = [head]
    for view in views:
        lines += ["", *view(live)]
    if logs:
        lines += ["", *logs_view(live, logs)]
    return lines


def status(
    live: LiveEnv,
    *,
    watch: bool,
    interval_s: float,
    logs: str | None,
    iterations: int | None = None,
) -> int:
    """Print the screen once, or every interval until interrupted (`iterations` bounds tests)."""
    shown = 0
    while True:
        if watch:
            live.echo("\x1b[2J\x1b[H" + time.strftime("%H:%M:%S"))
        for line in screen(live, logs):
            live.echo(line)
        shown += 1
        if not watch or (iterations is not None and shown >= iterations):
            return 0
        time.sleep(interval_s)


def current_revision(live: LiveEnv) -> rv.Revision | None:
    return rv.current(live.history())
