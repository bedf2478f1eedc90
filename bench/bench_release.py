"""`helmkit release` wall time against the same work done by hand on the same cluster, side by
side, and the time of a no-op release.

Both sides deploy the ai-native chart with values/local.yaml into their own namespace on the
local control plane and change the backend image tag every round, so each round is a real
rollout. The work by hand is `helm upgrade --install --wait --wait-for-jobs` then `helm test`
(goal: `helmkit release` <= 1.05x of it); `helmkit release --skip-tests` is compared with the
upgrade alone; the no-op release re-runs the last tag (nothing to change: verify only). Rounds
alternate between the sides to spread machine noise.

With --baseline DIR, the helmkit found in DIR (a `python/` tree of an older commit, e.g. from
`git archive OLD python schemas | tar -x -C DIR`) releases into a third namespace in the same
rounds, so a before/after comparison is side by side too.

Usage: python bench/bench_release.py [--rounds N] [--helm PATH] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from user_env import user_env

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native"))
CHART = REPO / "charts" / "ai-native"
VALUES = REPO / "values" / "local.yaml"
HELMKIT = [sys.executable, "-m", "helmkit"]
INGRESS_CLASS = (
    "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\n"
    "spec: {controller: k8s.io/ingress-nginx}\n"
)
PSA = "pod-security.kubernetes.io/enforce=restricted"


def run(argv: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv[:6])} ... failed ({proc.returncode}):\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--helm", default=str(CACHE / "bin" / "helm"))
    parser.add_argument("--baseline", type=Path, default=None, help="older helmkit tree")
    args = parser.parse_args()

    run([*HELMKIT, "cluster", "up"], dict(os.environ))
    kubeconfig = str(CACHE / "cluster" / "kubeconfig")
    env = {**user_env(), "KUBECONFIG": kubeconfig, "HELMKIT_HELM": args.helm}
    kubectl = str(CACHE / "bin" / "kubectl")
    run([kubectl, "apply", "-f", "-"], env, stdin=INGRESS_CLASS)
    suffix = secrets.token_hex(3)
    ns_raw, ns_kit = f"bench-raw-{suffix}", f"bench-helmkit-{suffix}"
    ns_base = f"bench-baseline-{suffix}"
    namespaces = [ns_raw, ns_kit] + ([ns_base] if args.baseline else [])
    for ns in namespaces:
        run([kubectl, "create", "namespace", ns], env)
        run([kubectl, "label", "namespace", ns, PSA], env)

    workdir = Path(tempfile.mkdtemp(prefix="bench-release-"))
    config, base_config = workdir / "helmkit.yaml", workdir / "baseline.yaml"
    for path, ns in ((config, ns_kit), (base_config, ns_base)):
        bench_env = {"release": "ai-native", "namespace": ns, "values": [str(VALUES)]}
        path.write_text(
            yaml.safe_dump(
                {"chart": str(CHART), "environments": {"bench": {**bench_env, "timeout": "5m"}}}
            )
        )
    base_env = {**env, "PYTHONPATH": str(args.baseline / "python")} if args.baseline else env
    wait = ["--wait=watcher"] if "helm3" not in args.helm else ["--wait"]

    def raw(tag: str) -> Callable[[], None]:
        return lambda: run(
            [
                args.helm,
                "upgrade",
                "--install",
                "ai-native",
                str(CHART),
                "-n",
                ns_raw,
                "-f",
                str(VALUES),
                "--set",
                f"backend.image.tag={tag}",
                *wait,
                "--wait-for-jobs",
                "--timeout",
                "5m",
            ],
            env,
        )

    def raw_test() -> None:
        run([args.helm, "test", "ai-native", "-n", ns_raw, "--timeout", "5m"], env)

    def raw_with_test(tag: str) -> Callable[[], None]:
        def both() -> None:
            raw(tag)()
            raw_test()

        return both

    def kit(tag: str, *extra: str, baseline: bool = False) -> Callable[[], None]:
        return lambda: run(
            [
                *HELMKIT,
                "release",
                "bench",
                "--config",
                str(base_config if baseline else config),
                "--set",
                f"backend.image.tag={tag}",
                *extra,
            ],
            base_env if baseline else env,
        )

    # first installs are not measured: both sides start from an installed release
    raw("0.0.0")()
    kit("0.0.0")()
    if args.baseline:
        kit("0.0.0", baseline=True)()
    times: dict[str, list[float]] = {}
    for n in range(args.rounds):
        sides = [("", False), ("baseline ", True)] if args.baseline else [("", False)]
        for label, baseline in sides:
            if not label:
                times.setdefault("raw", []).append(timed(raw(f"1.0.{n}")))
                times.setdefault("raw+test", []).append(timed(raw_with_test(f"2.0.{n}")))
            for name, tag, extra in (
                ("helmkit", f"1.0.{n}", ()),
                ("helmkit --skip-tests", f"2.0.{n}", ("--skip-tests",)),
                ("no-op", f"2.0.{n}", ("--skip-tests",)),
            ):
                measured = timed(kit(tag, *extra, baseline=baseline))
                times.setdefault(label + name, []).append(measured)
    for ns in namespaces:
        subprocess.run(
            [kubectl, "delete", "namespace", ns, "--wait=false"],
            env=env,
            capture_output=True,
            check=False,
        )

    report(args.helm, args.rounds, times)
    return 0


def baseline_of(name: str) -> str:
    """What each measurement is compared with: the same work by hand."""
    return "raw" if name.endswith(("--skip-tests", "no-op")) or name == "raw" else "raw+test"


def report(helm: str, rounds: int, times: dict[str, list[float]]) -> None:
    print(f"helm: {helm}; rounds: {rounds}; medians (s) and ratio to the same work by hand")
    print("  raw = helm upgrade --install --wait --wait-for-jobs; raw+test = raw, then helm test")
    for name, values in times.items():
        med, base = statistics.median(values), statistics.median(times[baseline_of(name)])
        print(
            f"  {name:<31} {med:6.2f} s   x{med / base:4.2f} of {baseline_of(name):<8} "
            f"({', '.join(f'{v:.2f}' for v in values)})"
        )
    # each round ran both sides back to back: the median of per-round ratios follows the
    # machine's load better than a ratio of medians
    print("median of per-round ratios (each round's helmkit over that round's work by hand):")
    for name, values in times.items():
        if not name.startswith("raw"):
            base_values = times[baseline_of(name)]
            ratios = [v / r for v, r in zip(values, base_values, strict=True)]
            print(f"  {name:<31} x{statistics.median(ratios):4.2f} of {baseline_of(name)}")
    print("goal: helmkit release <= 1.05x raw+test (helm upgrade --install --wait, helm test)")


if __name__ == "__main__":
    raise SystemExit(main())
