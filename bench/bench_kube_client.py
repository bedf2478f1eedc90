"""What loading the Kubernetes client costs a live verb, side by side in fresh interpreters:

- `helmkit --help` (never loads a client) and a bare `python -c pass`;
- helmkit's light loader (adapters/kube_client.py: stand-in package modules that skip the
  client's 700 generated models) against the supported full import (`kubernetes.config`,
  `kubernetes.client`), and against lightkube when it is importable (`--lightkube-python`,
  the interpreter of a virtualenv that has it: the project does not depend on it);
- a live verb end to end: `helmkit status local` against a kubeconfig whose server is a closed
  loopback port, so the run loads the client, fails to connect and exits (no cluster needed),
  with the light loader and with the full import forced first (`-X importtime`-free: a
  sitecustomize on PYTHONPATH imports the full client before helmkit starts).

Usage: python bench/bench_kube_client.py [--rounds N] [--lightkube-python PATH]
Prints medians (wall and CPU seconds) and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from user_env import user_env

REPO = Path(__file__).resolve().parents[1]
PY = str(REPO / ".venv" / "bin" / "python")
HELMKIT = str(REPO / ".venv" / "bin" / "helmkit")
LIGHT = "from helmkit.adapters import kube_client; kube_client.load()"
FULL = (
    "import kubernetes.config, kubernetes.client\n"
    "from kubernetes.client.exceptions import ApiException"
)
LIGHTKUBE = (
    "from lightkube import Client, KubeConfig\n" "from lightkube.core.exceptions import ApiError"
)
KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: u, user: {token: bench}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
"""


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lightkube-python", default="")
    args = parser.parse_args()
    env = user_env()
    with tempfile.TemporaryDirectory(prefix="bench-kube-") as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        kubeconfig.write_text(KUBECONFIG)
        forced = Path(tmp) / "forced"
        forced.mkdir()
        (forced / "sitecustomize.py").write_text(FULL + "\n")
        live_env = {**env, "KUBECONFIG": str(kubeconfig)}
        cases: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([PY, "-c", "pass"], env),
            "helmkit --help": ([HELMKIT, "--help"], env),
            "light loader (stand-ins)": ([PY, "-c", LIGHT], env),
            "full import": ([PY, "-c", FULL], env),
            "status verb, light loader": ([HELMKIT, "status", "local"], live_env),
            "status verb, full import first": (
                [HELMKIT, "status", "local"],
                {**live_env, "PYTHONPATH": str(forced)},
            ),
        }
        if args.lightkube_python:
            cases["lightkube import"] = ([args.lightkube_python, "-c", LIGHTKUBE], env)
        walls: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):  # interleaved: machine noise hits every case alike
            for name, (argv, case_env) in cases.items():
                wall, cpu = measure(argv, case_env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    result: dict[str, Any] = {
        name: {
            "wall_s": round(statistics.median(walls[name]), 3),
            "cpu_s": round(statistics.median(cpus[name]), 3),
        }
        for name in cases
    }
    light = result["light loader (stand-ins)"]
    result["ratio_full_over_light_cpu"] = round(result["full import"]["cpu_s"] / light["cpu_s"], 2)
    result["ratio_status_full_over_light_wall"] = round(
        result["status verb, full import first"]["wall_s"]
        / result["status verb, light loader"]["wall_s"],
        2,
    )
    for name in cases:
        print(f"{name:34s} {result[name]['wall_s']:6.3f} s wall {result[name]['cpu_s']:6.3f} s CPU")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
