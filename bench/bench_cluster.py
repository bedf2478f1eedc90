"""Benchmark of the local control plane: warm `cluster up` (binaries cached) to all nodes Ready,
with and without the real node, the real node alone added to a running kwok cluster, `cluster
down`, and the no-op `up` on a running cluster. Prints JSON; asserts nothing.

Usage: python bench/bench_cluster.py [--rounds N] [--keep]
The cold build time is not measured here (it needs an empty cache); scripts/build-control-plane.sh
prints it on a cold machine (`time scripts/build-control-plane.sh`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from helmkit.adapters import cluster as adapter
from helmkit.ops import cluster as ops


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="leave the cluster up at the end")
    args = parser.parse_args()
    paths = adapter.default_paths()
    adapter.require_binaries(paths)
    was_up = ops.status(paths).phase is ops.Phase.UP

    ups: list[float] = []
    kwok_ups: list[float] = []
    node_adds: list[float] = []
    downs: list[float] = []
    noops: list[float] = []
    for _ in range(args.rounds):
        downs.append(timed(lambda: ops.down(paths)))
        ups.append(timed(lambda: ops.up(paths)))
        noops.append(timed(lambda: ops.up(paths)))
        ops.down(paths)
        kwok_ups.append(timed(lambda: ops.up(paths, real_node=False)))
        node_adds.append(timed(lambda: ops.up(paths)))
    if not (args.keep or was_up):
        ops.down(paths)

    def summary(xs: list[float]) -> dict[str, float]:
        return {"median_s": round(statistics.median(xs), 2), "max_s": round(max(xs), 2)}

    print(json.dumps({
        "warm_up_to_all_nodes_ready_with_real_node": summary(ups),
        "warm_up_kwok_nodes_only": summary(kwok_ups),
        "real_node_added_to_running_cluster": summary(node_adds),
        "down_nothing_left": summary(downs),
        "up_when_already_up": summary(noops),
        "rounds": args.rounds,
        "goal_warm_up_s": 30,
        "goal_warm_up_with_real_node_s": 60,
    }, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
