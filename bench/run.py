"""Run every benchmark module (bench/bench_*.py) one after the other and print their results.

Usage: python bench/run.py [--only NAME]... [-- extra args passed to every module]
Each module measures its subject side by side with a baseline in one run and prints ratios;
nothing here asserts a time. A module that fails is reported and the others still run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def modules(only: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if only:
        found = [p for p in found if p.stem.removeprefix("bench_") in only or p.stem in only]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", default=[], help="e.g. offline, cluster")
    args, extra = parser.parse_known_args()
    failed = []
    for module in modules(args.only):
        print(f"==> {module.name}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(module), *extra], check=False)
        print(
            f"<== {module.name}: exit {proc.returncode} in {time.perf_counter() - start:.1f} s\n",
            flush=True,
        )
        if proc.returncode != 0:
            failed.append(module.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
