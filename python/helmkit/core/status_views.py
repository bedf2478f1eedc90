"""Pure formatting of `helmkit status` views that monitor.sh showed: resource usage per pod
(`kubectl top`), the HPA's current metrics against its targets, recent events (`kubectl get
events --sort-by=.lastTimestamp`), and the bookkeeping of `--logs COMPONENT --follow` (which
container instances to follow, the pod prefix of each line). Objects are the API's JSON dicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from helmkit.core import live_manifests as lm
from helmkit.core.verify_rules import quantity

KubeObject = dict[str, Any]
RECENT_EVENTS = 20  # monitor.sh showed the last 20
METRICS_API = "metrics.k8s.io/v1beta1"


# --- usage --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricsRead:
    """What reading the metrics API gave: the PodMetrics items, or why there are none."""

    items: list[KubeObject] | None  # None: not served or unavailable
    problem: str = ""  # why items is None ("" when it is not)


def _cpu_millis(text: str) -> float:
    return quantity(text) * 1000


def _mebibytes(text: str) -> float:
    return quantity(text) / 2**20


def _requests(pods: Iterable[KubeObject]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (pod["metadata"]["name"], c["name"]): (c.get("resources") or {})
        for pod in pods
        for c in pod.get("spec", {}).get("containers") or []
    }


def _share(used: float, of: str | None, to_unit: Any) -> str:
    """`used` as a percentage of a request or limit (in the same unit), or '-'."""
    if not of:
        return "-"
    total = float(to_unit(str(of)))
    return f"{100 * used / total:.0f}%" if total else "-"


def usage_view(read: MetricsRead, pods: Sequence[KubeObject]) -> list[str]:
    """One line per container: CPU and memory used, and their share of the container's request
    and limit (what the HPA's utilisation targets and the OOM killer compare against)."""
    if read.items is None:
        return [
            f"USAGE: the metrics API ({METRICS_API}) {read.problem or 'is not served'}: install "
            "metrics-server to see usage; without it the HPA cannot scale either"
        ]
    if not read.items:
        return ["USAGE: no pod metrics yet (metrics-server reports a pod after its first scrape)"]
    resources = _requests(pods)
    component = {p["metadata"]["name"]: lm.component_of(p) for p in pods}
    lines = [
        "USAGE (metrics API)",
        f"  {'component':<12} {'pod/container':<56} {'cpu':>7} {'req%':>5} {'lim%':>5}"
        f" {'memory':>8} {'req%':>5} {'lim%':>5}",
    ]
    for item in sorted(read.items, key=lambda i: (component.get(i["metadata"]["name"], ""),
                                                  i["metadata"]["name"])):
        pod = item["metadata"]["name"]
        for container in item.get("containers") or []:
            usage = container.get("usage") or {}
            cpu = _cpu_millis(str(usage.get("cpu", "0")))
            mem = _mebibytes(str(usage.get("memory", "0")))
            res = resources.get((pod, container["name"]), {})
            req, lim = res.get("requests") or {}, res.get("limits") or {}
            lines.append(
                f"  {component.get(pod, '?'):<12} {pod + '/' + container['name']:<56} "
                f"{cpu:>6.0f}m {_share(cpu, req.get('cpu'), _cpu_millis):>5} "
                f"{_share(cpu, lim.get('cpu'), _cpu_millis):>5} {mem:>6.0f}Mi "
                f"{_share(mem, req.get('memory'), _mebibytes):>5} "
                f"{_share(mem, lim.get('memory'), _mebibytes):>5}"
            )
    return lines


# --- HPA ----------------------------------------------------------------------------------------


def _metric_name(metric: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    """(a name a person reads, the part holding target/current) of an HPA metric spec/status."""
    kind = str(metric.get("type", ""))
    body: Mapping[str, Any] = metric.get(kind[:1].lower() + kind[1:], {}) or {}
    if kind in ("Resource", "ContainerResource"):
        name = str(body.get("name", "?"))
        if kind == "ContainerResource":
            name = f"{body.get('container', '?')}/{name}"
        return name, body
    named = body.get("metric", {}) or {}
    return f"{kind.lower()} {named.get('name', '?')}", body


def _target_text(target: Mapping[str, Any]) -> str:
    if "averageUtilization" in target:
        return f"{target['averageUtilization']}%"
    for key in ("averageValue", "value"):
        if key in target:
            return str(target[key])
    return "?"


def _current_text(current: Mapping[str, Any] | None) -> str:
    if not current:
        return "<unknown>"
    if "averageUtilization" in current:
        return f"{current['averageUtilization']}%"
    for key in ("averageValue", "value"):
        if key in current:
            return str(current[key])
    return "<unknown>"


def hpa_lines(hpa: KubeObject) -> list[str]:
    """`name: replicas 4 -> 6 (min 3, max 10)`, then each metric `current / target` as
    `kubectl describe hpa` puts it, then the conditions that explain a stuck HPA."""
    spec, status = hpa.get("spec", {}), hpa.get("status", {}) or {}
    current, desired = status.get("currentReplicas", "?"), status.get("desiredReplicas", "?")
    top, low = spec.get("maxReplicas"), spec.get("minReplicas", 1)
    # desiredReplicas is 0 while the controller cannot compute it (no metrics): not a target
    moving = f" -> {desired}" if desired not in ("?", 0, current) else ""
    at_max = "  AT MAXIMUM" if current == top else ""
    lines = [
        f"  {hpa['metadata']['name']}: replicas {current}{moving} (min {low}, max {top}){at_max}"
    ]
    observed: dict[str, Mapping[str, Any]] = {}
    for metric in status.get("currentMetrics") or []:
        name, body = _metric_name(metric)
        observed[name] = body.get("current", {}) or {}
    for metric in spec.get("metrics") or []:
        name, body = _metric_name(metric)
        lines.append(
            f"    {name:<20} {_current_text(observed.get(name))} / "
            f"{_target_text(body.get('target', {}) or {})}"
        )
    for cond in status.get("conditions") or []:
        healthy = (cond.get("type"), cond.get("status")) in {
            ("AbleToScale", "True"), ("ScalingActive", "True"), ("ScalingLimited", "False")}
        if not healthy:
            lines.append(
                f"    {cond.get('type')}={cond.get('status')} {cond.get('reason', '')}: "
                f"{cond.get('message', '')}"[:200]
            )
    return lines


def hpa_view(hpas: Sequence[KubeObject]) -> list[str]:
    if not hpas:
        return ["HPA: none"]
    lines = ["HPA (current / target)"]
    for hpa in sorted(hpas, key=lambda h: str(h["metadata"]["name"])):
        lines += hpa_lines(hpa)
    return lines


# --- events -------------------------------------------------------------------------------------


def event_time(event: Mapping[str, Any]) -> str:
    """The time kubectl sorts by: lastTimestamp, else the newer events API's fields."""
    series = event.get("series") or {}
    return str(
        event.get("lastTimestamp")
        or series.get("lastObservedTime")
        or event.get("eventTime")
        or event.get("metadata", {}).get("creationTimestamp")
        or ""
    )


def _age(stamp: str, now: datetime) -> str:
    try:
        then = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return "?"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def events_view(
    events: Sequence[Mapping[str, Any]], now: datetime | None = None, limit: int = RECENT_EVENTS
) -> list[str]:
    """The newest `limit` events, oldest first, in `kubectl get events` columns."""
    now = now or datetime.now(UTC)
    newest = sorted(events, key=event_time)[-limit:]
    lines = [f"EVENTS (last {limit})"]
    if not newest:
        return [*lines, "  none"]
    lines.append(f"  {'LAST SEEN':<9} {'TYPE':<8} {'REASON':<28} {'OBJECT':<48} MESSAGE")
    for event in newest:
        obj = event.get("involvedObject") or event.get("regarding") or {}
        count = int(event.get("count") or (event.get("series") or {}).get("count") or 1)
        repeat = f" (x{count})" if count > 1 else ""
        message = " ".join(str(event.get("message") or event.get("note") or "").split())
        lines.append(
            f"  {_age(event_time(event), now):<9} {event.get('type', ''):<8} "
            f"{event.get('reason', ''):<28} "
            f"{str(obj.get('kind', '')).lower() + '/' + str(obj.get('name', '')):<48} "
            f"{message}{repeat}"[:240]
        )
    return lines


# --- following logs -----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class LogSource:
    """One container instance: a restarted container is a new source (a new container id)."""

    pod: str
    container: str
    container_id: str

    @property
    def prefix(self) -> str:
        return f"[{self.pod}/{self.container}]"


def log_sources(pods: Iterable[KubeObject]) -> set[LogSource]:
    """The container instances that have logs to follow now: started (running, or terminated
    with output), not init containers, not of a pod being deleted. An instance is its container
    id, or its restart count where the node reports no id (kwok's fake kubelets)."""
    found: set[LogSource] = set()
    for pod in pods:
        if pod.get("metadata", {}).get("deletionTimestamp"):
            continue
        for status in pod.get("status", {}).get("containerStatuses") or []:
            state = status.get("state") or {}
            if "running" in state or "terminated" in state:
                instance = status.get("containerID") or f"restart-{status.get('restartCount', 0)}"
                found.add(LogSource(pod["metadata"]["name"], status["name"], str(instance)))
    return found


@dataclass(frozen=True)
class FollowChanges:
    start: list[LogSource]
    gone: list[LogSource]


def follow_changes(now: set[LogSource], following: set[LogSource]) -> FollowChanges:
    """Which streams to open (new pods, restarted containers) and which sources went away."""
    return FollowChanges(start=sorted(now - following), gone=sorted(following - now))


def prefixed(source: LogSource, line: str) -> str:
    return f"{source.prefix} {line}"
