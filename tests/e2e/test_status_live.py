"""`helmkit status` on the local control plane (kwok nodes): the usage view says the metrics API
is absent and what to install, the HPA view shows current against target metrics and the condition
that explains why it cannot scale, events come in kubectl's columns, and `--logs COMPONENT
--follow` follows every pod of the component, picking up a pod that starts later and noticing one
that goes away (kwok runs no containers, so each stream reports that logs are not available)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from e2e_kube import Helm, Kube, wait_for
from live_cli import LiveCli

from helmkit.core.cluster import config as cc

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SELECTOR = "app.kubernetes.io/component=backend"
WORKLOAD = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ai-native-backend
  labels: {app.kubernetes.io/component: backend, app.kubernetes.io/instance: ai-native}
spec:
  replicas: 2
  selector:
    matchLabels: {app.kubernetes.io/component: backend}
  template:
    metadata:
      labels: {app.kubernetes.io/component: backend, app.kubernetes.io/instance: ai-native}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: backend
          image: ai-native-backend:1.0.0
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ai-native-backend
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ai-native-backend}
  minReplicas: 2
  maxReplicas: 5
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
"""


@pytest.fixture
def cli(cluster_paths: cc.ClusterPaths, kube: Kube, namespace: str, tmp_path: Path) -> LiveCli:
    binary = cluster_paths.bin_dir / "helm4"
    if not os.access(binary, os.X_OK):
        pytest.fail(f"{binary} missing; build it: scripts/build-helm.sh", pytrace=False)
    helm = Helm("helm4", binary, ("--wait=watcher",), dict(os.environ), cluster_paths.kubeconfig)
    live = LiveCli(helm, kube, namespace, tmp_path)
    live.write_config()
    kube.apply(WORKLOAD, namespace)
    wait_for("2 running backend pods", lambda: len(_running(kube, namespace)) == 2)
    return live


def _running(kube: Kube, namespace: str) -> list[str]:
    return [p["metadata"]["name"] for p in kube.items("pods", namespace, SELECTOR)
            if p.get("status", {}).get("phase") == "Running"
            and not p["metadata"].get("deletionTimestamp")]


def _hpa_condition(kube: Kube, namespace: str) -> str:
    hpa = kube.json("get", "hpa", "ai-native-backend", "-n", namespace)
    for cond in hpa.get("status", {}).get("conditions") or []:
        if cond["type"] == "ScalingActive":
            return f"{cond['status']} {cond.get('reason', '')}"
    return ""


def test_usage_hpa_and_events_views(cli: LiveCli, kube: Kube, namespace: str) -> None:
    # The local cluster serves the metrics API (metrics-server on its real node), but kwok's fake
    # pods have no usage: the view says so and the HPA cannot compute its metric. The line for an
    # absent metrics API is a unit test (tests/unit/test_status_views.py); real usage is shown
    # on the real node (tests/e2e/test_platform_real_node.py).
    served = kube.run("api-versions").stdout.split()
    assert "metrics.k8s.io/v1beta1" in served, "the local cluster should serve the metrics API"
    wait_for("the HPA controller's verdict",
             lambda: _hpa_condition(kube, namespace).startswith("False"), timeout_s=90)
    out = cli.ok("status", "e2e")
    lines = out.splitlines()
    assert (
        "USAGE: no pod metrics yet (metrics-server reports a pod after its first scrape)"
    ) in lines
    assert "HPA (current / target)" in lines
    assert "  ai-native-backend: replicas 2 (min 2, max 5)" in lines
    assert "    cpu                  <unknown> / 70%" in lines
    assert any(line.startswith("    ScalingActive=False FailedGetResourceMetric:")
               for line in lines)
    events = lines[lines.index("EVENTS (last 20)") + 1:]
    assert events[0].split()[:3] == ["LAST", "SEEN", "TYPE"]
    assert any("ScalingReplicaSet" in e and "deployment/ai-native-backend" in e for e in events)


def test_logs_view_names_each_pod(cli: LiveCli, kube: Kube, namespace: str) -> None:
    out = cli.ok("status", "e2e", "--logs", "backend")
    for pod in _running(kube, namespace):
        assert f"  [{pod}/backend] not available" in out, out
    usage = cli.run("status", "e2e", "--follow")
    assert usage.returncode == 2 and "--follow needs --logs COMPONENT" in usage.stderr


def test_follow_picks_up_pods_coming_and_going(cli: LiveCli, kube: Kube, namespace: str) -> None:
    first = sorted(_running(kube, namespace))
    argv = [sys.executable, "-m", "helmkit", "status", "e2e", "--logs", "backend", "--follow",
            "--config", str(cli.workdir / "helmkit.yaml")]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=cli.env(), cwd=cli.workdir)
    stdout = proc.stdout
    assert stdout is not None
    seen: list[str] = []

    def read() -> None:
        for line in stdout:
            seen.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_for("both pods followed",
                 lambda: all(any(f"--- following {p}/backend" in s for s in seen) for p in first))
        kube.run("scale", "deployment/ai-native-backend", "-n", namespace, "--replicas=3")
        new = wait_for("a third pod", lambda: sorted(set(_running(kube, namespace)) - set(first)))
        wait_for("the new pod followed",
                 lambda: any(f"--- following {new[0]}/backend" in s for s in seen))
        kube.run("delete", "pod", first[0], "-n", namespace, "--wait=false")
        wait_for("the deleted pod noticed",
                 lambda: any(f"--- {first[0]}/backend stopped or went away" in s for s in seen))
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        reader.join(timeout=5)
    assert code == 0, "".join(seen)
    text = "".join(seen)
    assert text.startswith("following the logs of backend (app.kubernetes.io/component=backend)")
    # every stream reported on its own prefixed line (kwok has no containers to read)
    for pod in [*first, new[0]]:
        assert f"[{pod}/backend] logs not available" in text, text
