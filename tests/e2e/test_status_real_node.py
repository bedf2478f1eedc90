"""`helmkit status` on the real node (Helm 4), where the kwok test (test_status_live.py) can only
show that nothing is there: the usage view with metrics-server's real numbers, the HPA's current
CPU and memory utilisation against its targets and its replicas, and `--logs backend --follow`
following the backend across a pod deleted mid-follow (the new pod's own lines appear, the old
pod is reported gone).

One release of the platform (tests/e2e/e2e_platform.py) serves the module.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_kube import Kube, condition, wait_for
from e2e_platform import Platform, released_platform

from helmkit.core.cluster import config as cc
from helmkit.core.verify.rules import quantity

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

BACKEND = "app.kubernetes.io/name=backend"


@pytest.fixture(scope="module")
def platform(
    cluster_paths: cc.ClusterPaths, kube: Kube, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    with released_platform(
        "helm4", cluster_paths, kube, tmp_path_factory.mktemp("status"), backup=False
    ) as platform:
        yield platform


def running_backends(p: Platform) -> list[str]:
    return sorted(
        pod["metadata"]["name"]
        for pod in p.kube.items("pods", p.namespace, BACKEND)
        if not pod["metadata"].get("deletionTimestamp") and condition(pod, "Ready") == "True"
    )


def pod_metrics(p: Platform) -> dict[str, dict[str, float]]:
    """metrics-server's PodMetrics: pod -> {"cpu_m": ..., "memory_mi": ...} (summed)."""
    proc = p.kube.run("get", "--raw",
                      f"/apis/metrics.k8s.io/v1beta1/namespaces/{p.namespace}/pods")  # fmt: skip
    out: dict[str, dict[str, float]] = {}
    for item in json.loads(proc.stdout)["items"]:
        out[item["metadata"]["name"]] = {
            "cpu_m": sum(quantity(c["usage"]["cpu"]) * 1000 for c in item["containers"]),
            "memory_mi": sum(quantity(c["usage"]["memory"]) / 2**20 for c in item["containers"]),
        }
    return out


def hpa_current(p: Platform) -> tuple[int, dict[str, int]]:
    """The HPA's currentReplicas and current utilisation per resource (empty until computed)."""
    status: dict[str, Any] = p.kube.json("get", "hpa", "ai-native-backend", "-n", p.namespace)[
        "status"
    ]
    current = {
        m["resource"]["name"]: int(m["resource"]["current"]["averageUtilization"])
        for m in status.get("currentMetrics") or []
        if m.get("type") == "Resource" and "averageUtilization" in m["resource"].get("current", {})
    }
    return int(status.get("currentReplicas", 0)), current


def section(out: str, title: str) -> list[str]:
    return out[out.index(title) :].split("\n\n")[0].splitlines()


def test_usage_and_hpa_views_show_the_real_numbers(platform: Platform) -> None:
    p = platform
    pods = {pod["metadata"]["name"] for pod in p.kube.items("pods", p.namespace)
            if pod["status"].get("phase") == "Running"}  # fmt: skip
    wait_for("metrics of every running pod", lambda: pods <= set(pod_metrics(p)), timeout_s=120)
    wait_for("the HPA's current CPU and memory",
             lambda: {"cpu", "memory"} <= set(hpa_current(p)[1]), timeout_s=120)  # fmt: skip

    before_metrics, before_hpa = pod_metrics(p), hpa_current(p)
    out = p.cli.ok("status", "e2e")
    after_metrics, after_hpa = pod_metrics(p), hpa_current(p)

    usage = section(out, "USAGE (metrics API)")
    for pod in pods:
        line = next((ln for ln in usage if f" {pod}/" in ln), "")
        cells = re.search(r" (\d+)m .* (\d+)Mi ", line)
        assert cells, f"{pod}: no usage line in\n" + "\n".join(usage)
        shown_mi = int(cells.group(2))
        # the view's number is metrics-server's, read within the same scrape window
        seen = {round(m[pod]["memory_mi"]) for m in (before_metrics, after_metrics) if pod in m}
        assert shown_mi >= 1 and any(abs(shown_mi - s) <= 1 for s in seen), (line, seen)

    hpa = section(out, "HPA (current / target)")
    replicas = {before_hpa[0], after_hpa[0]}
    head = hpa[1]
    spec = p.kube.json("get", "hpa", "ai-native-backend", "-n", p.namespace)["spec"]
    bounds = f"min {spec['minReplicas']}, max {spec['maxReplicas']}"
    match = re.fullmatch(rf"  ai-native-backend: replicas (\d+)(?: -> \d+)? \({bounds}\)"
                         r"(  AT MAXIMUM)?", head)  # fmt: skip
    assert match and int(match.group(1)) in replicas, (head, replicas)
    targets = spec["metrics"]
    for metric in targets:
        name = metric["resource"]["name"]
        target = metric["resource"]["target"]["averageUtilization"]
        line = next((ln for ln in hpa if ln.strip().startswith(name + " ")), "")
        shown = re.fullmatch(rf"    {name}\s+(\d+)% / {target}%", line)
        real = {before_hpa[1][name], after_hpa[1][name]}
        assert shown and int(shown.group(1)) in real, (line, real)
    # memory: a Python process with its libraries really uses a share of its request
    assert after_hpa[1]["memory"] > 0, after_hpa


def test_follow_logs_of_the_backend_across_a_pod_restart(platform: Platform) -> None:
    p = platform
    argv = [sys.executable, "-m", "helmkit", "status", "e2e", "--logs", "backend", "--follow",
            "--config", str(p.cli.workdir / "helmkit.yaml")]  # fmt: skip
    first = running_backends(p)
    assert first, "no Ready backend pod"
    old = first[0]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=p.cli.env(), cwd=p.cli.workdir)  # fmt: skip
    stdout = proc.stdout
    assert stdout is not None
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(stdout), daemon=True)
    reader.start()

    def lines_of(pod: str) -> list[str]:
        return [s[len(f"[{pod}/backend] ") :].rstrip("\n") for s in list(seen)
                if s.startswith(f"[{pod}/backend] ")]  # fmt: skip

    try:
        wait_for(f"{old} followed", lambda: any(f"--- following {old}/backend" in s for s in seen))
        # the kubelet's readiness probe writes an access-log line every few seconds
        wait_for(f"a line of {old}", lambda: lines_of(old), timeout_s=60)
        p.kube.run("delete", "pod", old, "-n", p.namespace, "--wait=false")
        new = wait_for(
            "the replacement pod Ready",
            lambda: sorted(set(running_backends(p)) - set(first)),
            timeout_s=180,
        )[0]
        wait_for(
            f"{new} followed",
            lambda: any(f"--- following {new}/backend" in s for s in seen),
            timeout_s=60,
        )
        wait_for(f"a line of {new}", lambda: lines_of(new), timeout_s=60)
        wait_for(f"{old} reported gone",
                 lambda: any(f"--- {old}/backend stopped or went away" in s for s in seen),
                 timeout_s=120)  # fmt: skip
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        reader.join(timeout=5)
    text = "".join(seen)
    assert code == 0, text
    assert text.startswith("following the logs of backend (app.kubernetes.io/component=backend)")
    # the new pod's lines are its own: the kubelet has them in that pod's log
    kubelet_log = p.kube.run("logs", new, "-n", p.namespace, "-c", "backend").stdout
    shown = lines_of(new)
    assert shown and all(line in kubelet_log for line in shown), (shown, kubelet_log[-2000:])
    # and it was followed from its first line (a new instance: no tail)
    assert kubelet_log.splitlines()[0] == shown[0], (shown[:3], kubelet_log.splitlines()[:3])
    assert lines_of(old), text
