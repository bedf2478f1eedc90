"""A progress display for long waits: while helm waits, print per component how many pods are
Ready, one line whenever that changes (readable in a CI log and on a terminal alike)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from helmkit.adapters.kube import Kube
from helmkit.core.model import live_manifests as lm
from helmkit.errors import HelmkitError
from helmkit.ops.live import Echo

POLL_S = 2.0


def ready_summary(pods: list[lm.KubeObject]) -> str:
    """`backend 2/3, postgresql 1/1` from the pods' Ready conditions (Succeeded pods skipped)."""
    counts: dict[str, list[int]] = {}
    for pod in pods:
        if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            continue
        ready = any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in pod.get("status", {}).get("conditions") or []
        )
        tally = counts.setdefault(lm.component_of(pod), [0, 0])
        tally[0] += int(ready)
        tally[1] += 1
    return ", ".join(f"{name} {r}/{t}" for name, (r, t) in sorted(counts.items()))


@contextlib.contextmanager
def pod_progress(kube_context: str, namespace: str, echo: Echo) -> Iterator[None]:
    stop = threading.Event()
    start = time.monotonic()

    def poll() -> None:
        kube = Kube(kube_context)
        last = ""
        while not stop.wait(POLL_S):
            try:
                summary = ready_summary(kube.items("Pod", namespace))
            except HelmkitError:
                continue  # a progress line is not worth failing the release for
            if stop.is_set():
                break  # helm is done: a late "waiting" line would only confuse
            if summary and summary != last:
                echo(f"  waiting ({time.monotonic() - start:.0f}s): pods ready {summary}")
                last = summary

    thread = threading.Thread(target=poll, name="helmkit-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=POLL_S * 2)
