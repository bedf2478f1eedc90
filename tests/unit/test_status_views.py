"""The pure views of `helmkit status`: usage per container against requests and limits (and the
line when the metrics API is absent), the HPA's current metrics against its targets, events as
`kubectl get events --sort-by=.lastTimestamp` lists them, and the log-following bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from helmkit.core.verify import status_views as sv

NOW = datetime(2026, 12, 3, 9, 0, 0, tzinfo=UTC)


def _pod(name: str, component: str, *, statuses: list[dict[str, Any]] | None = None,
         deleting: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {"app.kubernetes.io/component": component}}
    if deleting:
        meta["deletionTimestamp"] = "2026-12-03T08:59:00Z"
    return {
        "metadata": meta,
        "spec": {"containers": [{"name": "backend", "resources": {
            "requests": {"cpu": "500m", "memory": "1Gi"},
            "limits": {"cpu": "2", "memory": "4Gi"}}}]},
        "status": {"containerStatuses": statuses or []},
    }


def test_usage_against_requests_and_limits() -> None:
    metrics = [{"metadata": {"name": "ai-native-backend-1"},
                "containers": [{"name": "backend",
                                "usage": {"cpu": "250000000n", "memory": "524288Ki"}}]}]
    lines = sv.usage_view(sv.MetricsRead(metrics), [_pod("ai-native-backend-1", "backend")])
    assert lines[0] == "USAGE (metrics API)"
    row = lines[2].split()
    # 250m of a 500m request and a 2-core limit; 512Mi of 1Gi and 4Gi
    assert row == ["backend", "ai-native-backend-1/backend", "250m", "50%", "12%", "512Mi",
                   "50%", "12%"]


def test_usage_without_the_metrics_api_says_why_and_what_to_do() -> None:
    (line,) = sv.usage_view(sv.MetricsRead(None, "is not served"), [])
    assert line.startswith("USAGE: the metrics API (metrics.k8s.io/v1beta1) is not served")
    assert "install metrics-server" in line and "HPA cannot scale" in line
    (down,) = sv.usage_view(sv.MetricsRead(None, "does not answer (503)"), [])
    assert "does not answer (503)" in down
    (empty,) = sv.usage_view(sv.MetricsRead([]), [])
    assert "no pod metrics yet" in empty


def test_usage_without_requests_shows_dashes() -> None:
    pod = _pod("p", "redis")
    pod["spec"]["containers"][0]["resources"] = {}
    metrics = [{"metadata": {"name": "p"},
                "containers": [{"name": "backend", "usage": {"cpu": "3m", "memory": "10Mi"}}]}]
    assert sv.usage_view(sv.MetricsRead(metrics), [pod])[2].split()[-6:] == [
        "3m", "-", "-", "10Mi", "-", "-"]


HPA = {
    "metadata": {"name": "ai-native-backend"},
    "spec": {
        "minReplicas": 3, "maxReplicas": 10,
        "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": 70}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {
                "type": "Utilization", "averageUtilization": 80}}},
            {"type": "Pods", "pods": {"metric": {"name": "requests_per_second"}, "target": {
                "type": "AverageValue", "averageValue": "100"}}},
        ],
    },
    "status": {
        "currentReplicas": 4, "desiredReplicas": 6,
        "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {
                "averageUtilization": 95, "averageValue": "475m"}}},
            {"type": "Pods", "pods": {"metric": {"name": "requests_per_second"},
                                      "current": {"averageValue": "120"}}},
        ],
        "conditions": [
            {"type": "AbleToScale", "status": "True", "reason": "SucceededRescale"},
            {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound"},
            {"type": "ScalingLimited", "status": "False", "reason": "DesiredWithinRange"},
        ],
    },
}


def test_hpa_current_against_target_and_replicas() -> None:
    lines = sv.hpa_view([HPA])
    assert lines == [
        "HPA (current / target)",
        "  ai-native-backend: replicas 4 -> 6 (min 3, max 10)",
        "    cpu                  95% / 70%",
        "    memory               <unknown> / 80%",
        "    pods requests_per_second 120 / 100",
    ]


def test_hpa_without_metrics_shows_the_condition_that_explains_it() -> None:
    stuck = {
        "metadata": {"name": "ai-native-backend"},
        "spec": {**HPA["spec"], "metrics": HPA["spec"]["metrics"][:1]},
        "status": {"currentReplicas": 10, "desiredReplicas": 0, "currentMetrics": [{"type": ""}],
                   "conditions": [
            {"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric",
             "message": "the HPA was unable to compute the replica count: unable to get metrics "
                        "for resource cpu: no metrics returned from resource metrics API"},
            {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas",
             "message": "the desired replica count is more than the maximum replica count"},
        ]},
    }
    lines = sv.hpa_view([stuck])
    assert lines[1] == "  ai-native-backend: replicas 10 (min 3, max 10)  AT MAXIMUM"
    assert lines[2] == "    cpu                  <unknown> / 70%"
    assert lines[3].startswith(
        "    ScalingActive=False FailedGetResourceMetric: the HPA was unable")
    assert lines[4].startswith("    ScalingLimited=True TooManyReplicas")
    assert sv.hpa_view([]) == ["HPA: none"]


def _event(reason: str, stamp: str, **extra: Any) -> dict[str, Any]:
    return {"type": "Normal", "reason": reason, "lastTimestamp": stamp,
            "involvedObject": {"kind": "Pod", "name": "ai-native-backend-1"},
            "message": f"{reason}  happened\nhere", **extra}


def test_events_newest_twenty_oldest_first_in_kubectl_columns() -> None:
    events = [_event(f"R{i:02d}", f"2026-12-03T08:{i:02d}:00Z") for i in range(30)]
    events.reverse()
    events.append(_event("Pulled", "", eventTime="2026-12-03T08:59:30.000000Z", count=3))
    lines = sv.events_view(events, now=NOW)
    assert lines[0] == "EVENTS (last 20)"
    assert lines[1].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    rows = lines[2:]
    assert len(rows) == 20
    assert rows[0].split()[:3] == ["49m", "Normal", "R11"]  # the oldest shown
    assert rows[-2].split()[:4] == ["31m", "Normal", "R29", "pod/ai-native-backend-1"]
    assert rows[-1].split()[0] == "30s" and rows[-1].endswith("Pulled happened here (x3)")


def test_events_ages_and_none() -> None:
    assert sv.events_view([], now=NOW) == ["EVENTS (last 20)", "  none"]
    old = sv.events_view([_event("Old", "2026-11-30T09:00:00Z")], now=NOW)
    assert old[2].split()[0] == "3d"
    hours = sv.events_view([_event("H", "2026-12-03T03:00:00Z")], now=NOW)
    assert hours[2].split()[0] == "6h"
    assert sv.events_view([_event("Bad", "yesterday")], now=NOW)[2].split()[0] == "?"


def _running(name: str, cid: str) -> dict[str, Any]:
    return {"name": name, "containerID": cid, "state": {"running": {}}}


def test_log_sources_follow_started_containers_of_live_pods() -> None:
    pods = [
        _pod("a", "backend", statuses=[_running("backend", "containerd://1")]),
        _pod("b", "backend", statuses=[{"name": "backend", "state": {"waiting": {}}}]),
        _pod("c", "backend", statuses=[_running("backend", "containerd://3")], deleting=True),
        _pod("d", "backend", statuses=[{"name": "backend", "containerID": "containerd://4",
                                        "state": {"terminated": {"exitCode": 1}}}]),
    ]
    assert sv.log_sources(pods) == {
        sv.LogSource("a", "backend", "containerd://1"),
        sv.LogSource("d", "backend", "containerd://4"),
    }
    # no container id (kwok): the restart count tells instances apart
    fake = _pod("e", "backend", statuses=[{"name": "backend", "restartCount": 2,
                                           "state": {"running": {}}}])
    assert sv.log_sources([fake]) == {sv.LogSource("e", "backend", "restart-2")}


def test_follow_changes_pods_coming_going_and_restarting() -> None:
    a1 = sv.LogSource("a", "backend", "containerd://1")
    a2 = sv.LogSource("a", "backend", "containerd://2")  # a restarted in place
    b1 = sv.LogSource("b", "backend", "containerd://9")
    c1 = sv.LogSource("c", "backend", "containerd://5")
    changes = sv.follow_changes({a2, b1}, {a1, c1, b1})
    assert changes.start == [a2]
    assert changes.gone == [a1, c1]
    assert sv.follow_changes({b1}, {b1}) == sv.FollowChanges([], [])
    assert sv.prefixed(b1, "GET /health 200") == "[b/backend] GET /health 200"
