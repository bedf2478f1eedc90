"""The real node's two waits a person sees (issue 9): warm `helmkit cluster up` from a stopped
cluster to a Ready real node (goal: 60 s or less; binaries and images cached), and `helmkit
release` of the platform e2e's values (values/local.yaml, the stand-in images, the real-node pin,
local volumes; tests/e2e/e2e_platform.py) to every pod Ready on the real node.

`cluster up` is timed as the command a person runs (`python -m helmkit cluster up`, so Python's
start-up counts), then the real node's Ready condition is read (it is Ready when `up` returns).
The release is timed by the e2e helper around `helmkit release --skip-tests` (helm's wait for
every pod Ready and the schema Job done).

With --release-rounds N, `helmkit release` is also timed side by side with the same work done
by hand on the real node (issue 11's goal: <= 1.05x): two platforms, each installed first
(untimed), then every round rolls the backend out again in both (a new pod annotation), by hand
as `helm upgrade --install --wait --wait-for-jobs` then `helm test`, and as `helmkit release`
(gate, plan, upgrade, verify with the same tests); the side that goes first alternates.
bench/bench_release.py times the same on kwok nodes, where pods are Ready at once: there the
ratio shows helmkit's fixed cost, here what it adds to a rollout of real containers.

Usage: python bench/bench_real_node.py [--rounds N] [--release-rounds N]
                                       [--record bench/results/real-node.json]
Prints one JSON document; asserts nothing. Leaves the cluster up (stopped first if it was up).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from e2e_kube import Kube, condition  # noqa: E402
from e2e_platform import Platform, released_platform  # noqa: E402
from live_cli import CHART, RELEASE  # noqa: E402

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


def by_hand(platform: Platform, assignment: str, phases: dict[str, list[float]]) -> None:
    """What a person types for the same release: the upgrade with every wait, then the tests
    (each phase's time is kept: readiness probes make a rollout's time jump by their period)."""
    helm = platform.cli.helm
    values = [arg for path in platform.values for arg in ("-f", str(path))]
    started = time.perf_counter()
    helm.run("upgrade", "--install", RELEASE, str(CHART), "-n", platform.namespace, *values,
             "--set", assignment, *helm.wait, "--wait-for-jobs", "--timeout", "4m")  # fmt: skip
    upgraded = time.perf_counter()
    helm.run("test", RELEASE, "-n", platform.namespace, "--timeout", "4m")
    phases["upgrade"].append(upgraded - started)
    phases["test"].append(time.perf_counter() - upgraded)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def release_side_by_side(paths: Any, kube: Kube, rounds: int) -> dict[str, Any]:
    """`helmkit release` against the same rollout by hand, each round in both platforms."""
    times: dict[str, list[float]] = {"by_hand": [], "helmkit": []}
    phases: dict[str, list[float]] = {"upgrade": [], "test": []}
    with (
        tempfile.TemporaryDirectory(prefix="bench-real-node-hand-") as hand_dir,
        tempfile.TemporaryDirectory(prefix="bench-real-node-kit-") as kit_dir,
        released_platform("helm4", paths, kube, Path(hand_dir), backup=False) as hand,
        released_platform("helm4", paths, kube, Path(kit_dir), backup=False) as kit,
    ):
        for n in range(rounds):
            assignment = f"backend.podAnnotations.bench-round=r{n}"
            sides: list[tuple[str, Callable[[], object]]] = [
                ("by_hand", functools.partial(by_hand, hand, assignment, phases)),
                ("helmkit", functools.partial(kit.release, "--set", assignment)),
            ]
            for name, action in sides if n % 2 == 0 else sides[::-1]:
                times[name].append(timed(action))
            print(f"release round {n + 1}: by hand {times['by_hand'][-1]:.1f}s, "
                  f"helmkit {times['helmkit'][-1]:.1f}s", flush=True)  # fmt: skip
    ratios = [k / h for k, h in zip(times["helmkit"], times["by_hand"], strict=True)]
    return {
        "by_hand": "helm upgrade --install --wait --wait-for-jobs, then helm test",
        "by_hand_s": stats(times["by_hand"]),
        "by_hand_upgrade_s": stats(phases["upgrade"]),
        "by_hand_test_s": stats(phases["test"]),
        "helmkit_release_s": stats(times["helmkit"]),
        "ratio_of_medians": round(
            statistics.median(times["helmkit"]) / statistics.median(times["by_hand"]), 3
        ),
        "median_of_per_round_ratios": round(statistics.median(ratios), 3),
        "goal_ratio_max": 1.05,
    }


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
    parser.add_argument("--release-rounds", type=int, default=0,
                        help="also time helmkit release against the same work by hand")  # fmt: skip
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
    if args.release_rounds:
        result["release_side_by_side"] = release_side_by_side(paths, kube, args.release_rounds)
    emit(result, args.record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
