"""`helmkit status ENV [--watch]`: the seed monitor.sh views in one screen: pods, resource usage,
HPA (current against target metrics), ingress and TLS, recent revisions, recent events, and (on a
real cluster) a component's logs, or `--logs COMPONENT --follow` across all its pods."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence

from helmkit.adapters.kube import KubeError
from helmkit.core import live_manifests as lm
from helmkit.core import revisions as rv
from helmkit.core import status_views as sv
from helmkit.errors import HelmkitError
from helmkit.ops.live import LiveEnv

RECENT_REVISIONS = 5
LOG_LINES = 20  # per container of each pod of the component
FOLLOW_TAIL = 10  # lines of each container already running when following starts (kubectl -l)
FOLLOW_POLL_S = 2.0  # how often the pod list is read again for pods coming and going


def _ready(pod: lm.KubeObject) -> str:
    statuses = pod.get("status", {}).get("containerStatuses") or []
    total = len(statuses) or len(pod["spec"]["containers"])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def pods_view(pods: Sequence[lm.KubeObject]) -> list[str]:
    lines = ["PODS"]
    for pod in sorted(pods, key=lm.component_of):
        status = pod.get("status", {})
        restarts = sum(int(s.get("restartCount", 0)) for s in status.get("containerStatuses") or [])
        lines.append(
            f"  {lm.component_of(pod):<12} {pod['metadata']['name']:<48} "
            f"{status.get('phase', '?'):<10} ready {_ready(pod):<5} restarts {restarts} "
            f"node {pod.get('spec', {}).get('nodeName', '-')}"
        )
    return lines if len(lines) > 1 else ["PODS: none"]


def read_metrics(live: LiveEnv) -> sv.MetricsRead:
    try:
        items = live.kube.pod_metrics(live.env.namespace)
    except KubeError as exc:
        return sv.MetricsRead(None, f"does not answer ({exc.message})")
    return sv.MetricsRead(items, "" if items is not None else "is not served")


def hpa_view(live: LiveEnv) -> list[str]:
    return sv.hpa_view(live.kube.items("HorizontalPodAutoscaler", live.env.namespace))


def events_view(live: LiveEnv) -> list[str]:
    return sv.events_view(live.kube.items("Event", live.env.namespace))


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


def _selector(component: str) -> str:
    return f"{lm.COMPONENT_LABEL}={component}"


def logs_view(live: LiveEnv, component: str) -> list[str]:
    """The last lines of every container of the component's pods, each line prefixed with its
    pod. Logs exist only where kubelets run containers; on kwok nodes there are none, and the
    view says so instead of failing."""
    pods = live.kube.items("Pod", live.env.namespace, _selector(component))
    if not pods:
        return [f"LOGS {component}: no pods with {_selector(component)}"]
    lines = [f"LOGS {component} (last {LOG_LINES} lines of each container)"]
    for pod in sorted(pods, key=lambda p: str(p["metadata"]["name"])):
        name = pod["metadata"]["name"]
        for container in pod["spec"]["containers"]:
            source = sv.LogSource(name, container["name"], "")
            try:
                text = live.kube.pod_logs(live.env.namespace, name, container["name"], LOG_LINES)
            except HelmkitError as exc:
                lines.append(f"  {source.prefix} not available ({exc.message})")
                continue
            lines += ["  " + sv.prefixed(source, line) for line in text.splitlines()]
    return lines


def _stream(live: LiveEnv, source: sv.LogSource, tail: int | None, out: queue.Queue[str]) -> None:
    """One container instance's lines into `out`, until its stream ends."""
    try:
        for line in live.kube.follow_logs(
            live.env.namespace, source.pod, source.container, tail=tail
        ):
            out.put(sv.prefixed(source, line))
    except HelmkitError as exc:
        out.put(f"{source.prefix} logs not available: {exc.message}")


def follow_logs(live: LiveEnv, component: str, *, max_seconds: float | None = None) -> int:
    """`kubectl logs -f -l component=X --prefix`, that also notices pods coming and going: the
    pod list is read every FOLLOW_POLL_S; each new container instance (a new pod, or a container
    restarted in place) gets its own stream. Runs until interrupted (or `max_seconds`)."""
    ns, selector = live.env.namespace, _selector(component)
    lines: queue.Queue[str] = queue.Queue()
    following: set[sv.LogSource] = set()
    started_at, first = time.monotonic(), True
    live.echo(f"following the logs of {component} ({selector}) in {ns}; Ctrl-C stops")
    waiting_said = False
    while max_seconds is None or time.monotonic() - started_at < max_seconds:
        changes = sv.follow_changes(sv.log_sources(live.kube.items("Pod", ns, selector)), following)
        if not following and not changes.start and not waiting_said:
            live.echo(f"no running pod with {selector} yet; waiting")
            waiting_said = True
        for source in changes.gone:
            live.echo(f"--- {source.pod}/{source.container} stopped or went away")
        for source in changes.start:
            live.echo(f"--- following {source.pod}/{source.container}")
            tail = FOLLOW_TAIL if first else None  # a new instance: everything it wrote
            threading.Thread(target=_stream, args=(live, source, tail, lines), daemon=True).start()
        following = (following - set(changes.gone)) | set(changes.start)
        first = False
        _drain(live, lines, until=time.monotonic() + FOLLOW_POLL_S, started_at=started_at,
               max_seconds=max_seconds)
    return 0


def _drain(
    live: LiveEnv, lines: queue.Queue[str], *, until: float, started_at: float,
    max_seconds: float | None,
) -> None:
    """Print the lines the streams wrote until the next poll (or the end of the run)."""
    if max_seconds is not None:
        until = min(until, started_at + max_seconds)
    while (left := until - time.monotonic()) > 0:
        try:
            live.echo(lines.get(timeout=left))
        except queue.Empty:
            return


def screen(live: LiveEnv, logs: str | None) -> list[str]:
    head = f"status {live.env.name}: release {live.env.release} in namespace {live.env.namespace}"
    if live.kube.namespace(live.env.namespace) is None:
        return [head, f"namespace {live.env.namespace} does not exist"]
    views: list[Callable[[LiveEnv], list[str]]] = [
        hpa_view,
        routes_view,
        revisions_view,
        events_view,
    ]
    pods = live.kube.items("Pod", live.env.namespace)
    lines = [head, "", *pods_view(pods), "", *sv.usage_view(read_metrics(live), pods)]
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
