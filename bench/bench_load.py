"""Load test of the backend on the local cluster's real node: the seed's "verify HPA scaling under
load" and "p50, p95, p99" step, with hey (Apache-2.0, pinned in scripts/versions.env, built by
scripts/build-bench-load.sh; k6 is AGPL).

The chart is released as the platform e2e releases it (values/local.yaml, the stand-in images, the
real-node pin, local volumes) with the backend's HPA sized for one node (min 1, max 3, CPU target
50% of a 200m request). hey runs in a pod on the real node (the pinned binary alone in an image
packed from the tool cache and imported into the node) against the backend Service by its DNS
name (kube-proxy spreads the requests over the pods; nothing leaves the node's network
namespace), one pod per phase of --phase-seconds, so each phase's requests/s and latency
percentiles can be read against the replicas of that moment. Load stops one full phase after
the HPA reached its maximum (or after --max-phases); then the bench waits for the HPA to scale
back in (a 60 s scale-down stabilisation window through `backend.autoscaling.behavior`;
Kubernetes' default is 300 s).

Every loop is bounded: hey by -z per phase, phases by --max-phases, every wait by a timeout.

Usage: python bench/bench_load.py [--phase-seconds 30] [--max-phases 8] [--concurrency 8]
                                  [--record bench/results/load.json]
Prints a table and one JSON document; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform as host
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from bench_real_node import emit  # noqa: E402
from e2e_kube import Kube, condition  # noqa: E402
from e2e_node import PACKER, on_real_node  # noqa: E402
from e2e_platform import released_platform, write_marks  # noqa: E402
from live_cli import RELEASE  # noqa: E402

from helmkit.adapters import cluster as adapter  # noqa: E402
from helmkit.adapters import real_node as node_adapter  # noqa: E402
from helmkit.core.cluster import config as cc  # noqa: E402
from helmkit.core.cluster import real_node as rn  # noqa: E402
from helmkit.ops import cluster as ops  # noqa: E402

MIN_REPLICAS, MAX_REPLICAS, CPU_TARGET, SCALE_DOWN_WINDOW_S = 1, 3, 50, 60
BACKEND_VALUES: dict[str, Any] = {
    "autoscaling": {
        "enabled": True,
        "minReplicas": MIN_REPLICAS,
        "maxReplicas": MAX_REPLICAS,
        "targetCPUUtilizationPercentage": CPU_TARGET,
        # memory must not drive the HPA: the HPA wants ceil(replicas x usage / target) pods, so a
        # backend at 51% of a 128Mi request held it at 2 pods with no load (ceil(2 x 0.51) = 2);
        # at 256Mi (about 26%) the scale-in reaches 1
        "targetMemoryUtilizationPercentage": 100,
        # Kubernetes' default scale-down window is 300 s; 60 s shows the scale-in sooner (the
        # chart passes `behavior` through, docs/load-test.md)
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": SCALE_DOWN_WINDOW_S}},
    },
    # 200m: the backend's start-up alone stays below 50% (at 50m it scales out by itself)
    "resources": {
        "requests": {"cpu": "200m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    },  # fmt: skip
}
BACKEND_PODS = "app.kubernetes.io/name=backend"
SAMPLE_EVERY_S = 5.0
PATH = "/api/v1/sessions/load-bench"  # a row the bench writes: each request reads PostgreSQL


@dataclass
class Phase:
    seconds: float
    requests_per_s: float
    responses: dict[str, int]
    errors: int
    latency_s: dict[str, float]
    replicas_at_start: int
    replicas_at_end: int


@dataclass
class Sample:
    t: float  # seconds since the load started (negative: before)
    replicas: int  # the HPA's status.currentReplicas
    desired: int
    ready_pods: int
    cpu_percent: int | None  # the HPA's current average utilization of the CPU request


@dataclass
class Record:
    samples: list[Sample] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)


def parse_hey(text: str) -> dict[str, Any]:
    """hey's summary: requests/s, latency percentiles (seconds), status codes, error count."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"Total:\s+([\d.]+) secs", text)
    latency = {f"p{m[1]}": float(m[2]) for m in re.finditer(r"(\d+)%+ in ([\d.]+) secs", text)}
    codes = {m[1]: int(m[2]) for m in re.finditer(r"\[(\d{3})\]\s+(\d+) responses", text)}
    errors_part = text.split("Error distribution:", 1)[1] if "Error distribution:" in text else ""
    errors = sum(int(m[1]) for m in re.finditer(r"\[(\d+)\]\s", errors_part))
    if not rps or not total:
        raise SystemExit(f"hey printed no summary:\n{text[-2000:]}")
    return {"requests_per_s": float(rps[1]), "seconds": float(total[1]), "latency_s": latency,
            "responses": codes, "errors": errors}  # fmt: skip


def hpa_state(kube: Kube, namespace: str) -> tuple[int, int, int | None]:
    status = kube.json("get", "hpa", "ai-native-backend", "-n", namespace).get("status", {})
    cpu = next(
        (m["resource"]["current"].get("averageUtilization")
         for m in status.get("currentMetrics") or []
         if m.get("type") == "Resource" and m["resource"]["name"] == "cpu"),
        None,
    )  # fmt: skip
    return int(status.get("currentReplicas", 0)), int(status.get("desiredReplicas", 0)), cpu


def ready_pods(kube: Kube, namespace: str) -> int:
    return sum(
        1
        for p in kube.items("pods", namespace, BACKEND_PODS)
        if not p["metadata"].get("deletionTimestamp") and condition(p, "Ready") == "True"
    )


def sample(kube: Kube, namespace: str, t0: float) -> Sample:
    replicas, desired, cpu = hpa_state(kube, namespace)
    return Sample(round(time.monotonic() - t0, 1), replicas, desired, ready_pods(kube, namespace),
                  cpu)  # fmt: skip


def sampler(kube: Kube, ns: str, t0: float, record: Record, stop: threading.Event) -> None:
    while not stop.wait(SAMPLE_EVERY_S):
        try:
            record.samples.append(sample(kube, ns, t0))
        except (subprocess.SubprocessError, KeyError, json.JSONDecodeError) as exc:
            print(f"sample skipped: {exc}", file=sys.stderr)


def hey_image(paths: cc.ClusterPaths, hey: Path) -> str:
    """The pinned hey binary (static, from the tool cache) alone in an image, imported into the
    node (packed once per binary hash into the image cache; nothing is committed or pulled)."""
    tag = hashlib.sha256(hey.read_bytes()).hexdigest()[:16]
    ref = f"localhost/ai-native/bench-hey:{tag}"
    archive = paths.cache_dir / "images" / f"bench-hey-{tag}.tar"
    if not archive.exists():
        with tempfile.TemporaryDirectory(dir=archive.parent) as work:
            rootfs = Path(work) / "rootfs"
            rootfs.mkdir()
            shutil.copy2(hey, rootfs / "hey")
            config = Path(work) / "image.json"
            config.write_text(json.dumps({"Entrypoint": ["/hey"], "User": "65534:65534"}))
            subprocess.run([sys.executable, str(PACKER), "--rootfs", str(rootfs), "--config",
                            str(config), "--tag", ref, "--output", str(archive)],
                           check=True, cwd=REPO)  # fmt: skip
    node_adapter.import_images(rn.node_paths(paths), {ref: str(archive)})
    return ref


def hey_pod(name: str, image: str, url: str, seconds: int, concurrency: int) -> str:
    """One phase of load: a restricted pod on the real node running hey for `seconds`.
    -t 10: a request slower than 10 s counts as an error instead of holding a worker."""
    args = json.dumps(["-z", f"{seconds}s", "-c", str(concurrency), "-t", "10", url])
    # The helm test pods' labels: the backend's NetworkPolicy (enforced on the real node) admits
    # them, as it admits the ingress controller.
    labels = f"  labels: {{app.kubernetes.io/name: tests, app.kubernetes.io/instance: {RELEASE}}}\n"
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{labels}spec:\n" + on_real_node(
        "  restartPolicy: Never\n"
        f"  activeDeadlineSeconds: {seconds + 60}\n"
        "  securityContext:\n"
        "    runAsNonRoot: true\n    runAsUser: 65534\n    runAsGroup: 65534\n"
        "    seccompProfile: {type: RuntimeDefault}\n"
        "  containers:\n"
        f"  - name: hey\n    image: {image}\n    imagePullPolicy: Never\n    args: {args}\n"
        "    resources: {requests: {cpu: 100m, memory: 32Mi}, limits: {cpu: '1', memory: 256Mi}}\n"
        "    securityContext:\n"
        "      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n"
        "      capabilities: {drop: [ALL]}\n"
    )


def run_phase(n: int, kube: Kube, ns: str, image: str, url: str, args: Any) -> Phase:
    name = f"bench-hey-{n}"
    start = ready_pods(kube, ns)
    kube.apply(hey_pod(name, image, url, args.phase_seconds, args.concurrency), ns)
    deadline = time.monotonic() + args.phase_seconds + 120
    phase = ""
    while phase not in ("Succeeded", "Failed") and time.monotonic() < deadline:
        time.sleep(2)
        phase = kube.json("get", "pod", name, "-n", ns).get("status", {}).get("phase", "")
    logs = kube.run("logs", name, "-n", ns, check=False).stdout
    kube.run("delete", "pod", name, "-n", ns, "--wait=false", check=False)
    if phase != "Succeeded":
        raise SystemExit(f"the hey pod {name} ended {phase or 'never'}:\n{logs[-2000:]}")
    out = parse_hey(logs)
    return Phase(out["seconds"], out["requests_per_s"], out["responses"], out["errors"],
                 out["latency_s"], start, ready_pods(kube, ns))  # fmt: skip


def poll(what: str, probe: Callable[[], bool], timeout_s: float) -> bool:
    """True once probe is; False after timeout_s (kubectl every SAMPLE_EVERY_S, not faster)."""
    print(f"waiting for {what} (at most {timeout_s:.0f}s)", flush=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(SAMPLE_EVERY_S)
    return False


def first_time(samples: list[Sample], after: float, pred: Any) -> float | None:
    return next((round(s.t - after, 1) for s in samples if s.t >= after and pred(s)), None)


def summary(record: Record, load_s: float) -> dict[str, Any]:
    s = record.samples
    return {
        "scale_out_first_pod_s": first_time(s, 0, lambda x: x.replicas > MIN_REPLICAS),
        "scale_out_to_max_ready_s": first_time(s, 0, lambda x: x.ready_pods >= MAX_REPLICAS),
        "load_s": round(load_s, 1),
        "scale_in_to_min_after_load_s": first_time(
            s, load_s, lambda x: x.replicas == MIN_REPLICAS and x.ready_pods == MIN_REPLICAS
        ),
        "max_replicas_seen": max((x.replicas for x in s), default=0),
        "max_cpu_percent_seen": max((x.cpu_percent or 0 for x in s), default=0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phase-seconds", type=int, default=30)
    parser.add_argument("--max-phases", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--scale-in-timeout", type=int, default=600)
    parser.add_argument("--record", type=Path, help="write the JSON result to this file too")
    args = parser.parse_args()

    subprocess.run(["bash", str(REPO / "scripts" / "build-bench-load.sh")], check=True)
    paths = adapter.default_paths()
    hey = paths.bin_dir / "hey"
    ops.up(paths, echo=print)
    kube = Kube(paths.binary("kubectl"), paths.kubeconfig)
    image = hey_image(paths, hey.resolve())
    record = Record()
    with (
        tempfile.TemporaryDirectory(prefix="bench-load-") as tmp,
        released_platform(
            "helm4", paths, kube, Path(tmp), backup=False, backend=BACKEND_VALUES
        ) as p,
    ):
        ns = p.namespace
        write_marks(p, "load-bench")
        port = kube.json("get", "svc", "ai-native-backend", "-n", ns)["spec"]["ports"][0]["port"]
        url = f"http://ai-native-backend:{port}{PATH}"  # the Service, by its DNS name
        print(f"release to all pods Ready: {p.install_s:.1f}s; target {url}", flush=True)
        # a baseline: the HPA reads the CPU metric and holds the minimum
        if not poll(
            "the HPA at its minimum with a CPU metric",
            lambda: ((st := hpa_state(kube, ns))[0] == MIN_REPLICAS and st[2] is not None),
            420,
        ):
            raise SystemExit(f"the HPA never settled at {MIN_REPLICAS} replicas before the load")
        t0 = time.monotonic()
        record.samples.append(sample(kube, ns, t0))
        stop = threading.Event()
        thread = threading.Thread(target=sampler, args=(kube, ns, t0, record, stop), daemon=True)
        thread.start()
        for n in range(args.max_phases):
            phase = run_phase(n + 1, kube, ns, image, url, args)
            record.phases.append(phase)
            print(f"phase {n + 1}: {asdict(phase)}", flush=True)
            if phase.replicas_at_start >= MAX_REPLICAS:
                break  # one full phase at the maximum
        load_s = time.monotonic() - t0
        print(f"load stopped after {load_s:.0f}s; waiting for the scale-in", flush=True)
        back = poll(
            "the HPA back at its minimum",
            lambda: bool(
                record.samples
                and record.samples[-1].t > load_s
                and record.samples[-1].replicas == MIN_REPLICAS
                and record.samples[-1].ready_pods == MIN_REPLICAS
            ),
            args.scale_in_timeout,
        )
        if not back:
            print(f"no scale-in within {args.scale_in_timeout}s", file=sys.stderr)
        stop.set()
        thread.join(timeout=30)
        install_s = p.install_s
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "kernel": host.release()},
        "tool": f"hey {os.environ.get('HEY_VERSION', versions()['HEY_VERSION'])}",
        "load": {"target": f"GET {PATH} (the backend Service by name, from a pod on the node)",
                 "concurrency": args.concurrency, "phase_seconds": args.phase_seconds},
        "hpa": {"min": MIN_REPLICAS, "max": MAX_REPLICAS, "cpu_target_percent": CPU_TARGET,
                "cpu_request": "200m", "cpu_limit": "500m", "memory_request": "256Mi",
                "scale_down_window_s": SCALE_DOWN_WINDOW_S},
        "release_to_all_pods_ready_s": round(install_s, 1),
        "summary": summary(record, load_s),
        "phases": [asdict(ph) for ph in record.phases],
        "samples": [asdict(s) for s in record.samples],
    }  # fmt: skip
    print_table(result)
    emit(result, args.record)
    return 0


def versions() -> dict[str, str]:
    pairs = (ln.split("=", 1) for ln in (REPO / "scripts" / "versions.env").read_text().splitlines()
             if "=" in ln and not ln.startswith("#"))  # fmt: skip
    return {k: v.strip('"') for k, v in pairs}


def print_table(result: dict[str, Any]) -> None:
    print("| phase | pods start -> end | req/s | p50 ms | p95 ms | p99 ms | non-2xx + errors |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n, ph in enumerate(result["phases"], 1):
        lat = {k: round(v * 1000, 1) for k, v in ph["latency_s"].items()}
        bad = sum(c for code, c in ph["responses"].items() if not code.startswith("2"))
        print(f"| {n} | {ph['replicas_at_start']} -> {ph['replicas_at_end']} | "
              f"{ph['requests_per_s']:.1f} | {lat.get('p50')} | {lat.get('p95')} | "
              f"{lat.get('p99')} | {bad + ph['errors']} |")  # fmt: skip
    print(f"summary: {result['summary']}")


if __name__ == "__main__":
    raise SystemExit(main())
