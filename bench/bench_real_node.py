"""The real node's two waits a person sees (issue 9): warm `helmkit cluster up` from a stopped
cluster to a Ready real node (goal: 60 s or less; binaries and images cached), and `helmkit
release` of the platform e2e's values (values/local.yaml, the stand-in images, the real-node pin,
local volumes; tests/e2e/e2e_platform.py) to every pod Ready on the real node.

`cluster up` is timed as the command a person runs (`python -m helmkit cluster up`, so Python's
start-up counts), then the real node's Ready condition is read (it is Ready when `up` returns).
The release is timed by the e2e helper around `helmkit release --skip-tests` (helm's wait for
every pod Ready and the schema Job done).

Usage: python bench/bench_real_node.py [--rounds N] [--record bench/results/real-node.json]
Prints one JSON document; asserts nothing. Leaves the cluster up (stopped first if it was up).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from e2e_kube import Kube, condition  # noqa: E402
from e2e_platform import released_platform  # noqa: E402

from helmkit.adapters import cluster as adapter  # noqa: E402
from helmkit.core.cluster import real_node as rn  # noqa: E402
from helmkit.ops import cluster as ops  # noqa: E402


def cluster_up_s(kube: Kube) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "helmkit", "cluster", "up"], capture_output=True,
                          text=True, timeout=900, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"helmkit cluster up failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    while condition(kube.json("get", "node", rn.NODE_NAME), "Ready") != "True":
        if time.perf_counter() - start > 900:
            raise SystemExit("the real node never became Ready")
        time.sleep(0.5)
    return time.perf_counter() - start


def stats(xs: list[float]) -> dict[str, Any]:
    return {"median_s": round(statistics.median(xs), 1), "max_s": round(max(xs), 1),
            "each_s": [round(x, 1) for x in xs]}  # fmt: skip


def emit(result: dict[str, Any], record: Path | None) -> None:
    """Print the result as JSON and, with --record, keep it (bench/results/)."""
    text = json.dumps(result, indent=2)
    print(text)
    if record:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(text + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--record", type=Path, help="write the JSON result to this file too")
    args = parser.parse_args()
    paths = adapter.default_paths()
    adapter.require_binaries(paths)
    kube = Kube(paths.binary("kubectl"), paths.kubeconfig)
    # untimed: the first up of a cache imports every image into the node's containerd (the
    # image store survives `down`), so the rounds below are warm
    ops.up(paths)
    ups: list[float] = []
    releases: list[float] = []
    for n in range(args.rounds):
        ops.down(paths)
        ups.append(cluster_up_s(kube))
        print(f"round {n + 1}: cluster up to a Ready real node in {ups[-1]:.1f}s", flush=True)
        with (
            tempfile.TemporaryDirectory(prefix="bench-real-node-") as tmp,
            released_platform("helm4", paths, kube, Path(tmp), backup=False) as platform,
        ):
            releases.append(platform.install_s)
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine_cpus": os.cpu_count(),
        "rounds": args.rounds,
        "warm_cluster_up_to_ready_real_node": stats(ups),
        "goal_warm_cluster_up_s": 60,
        "helmkit_release_to_all_pods_ready_on_real_node": stats(releases),
    }
    emit(result, args.record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
