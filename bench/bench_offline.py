"""Offline helmkit against its baselines, side by side in one run, on a frozen copy of the
repository's chart project (chart, values, schemas, helmkit.yaml, ct.yaml):

- `helmkit test` cold (`.helmkit-cache/` removed, so it renders, checks and writes the cache)
  vs the floor: plain `helm template` of the same scenarios at the same parallelism (goal
  <= 1.5x), and vs `ct lint` on the same chart (goal: faster); helmkit runs short-lived helm
  calls with Go's collector off, so the same floor with that setting is shown beside it;
- with `--baseline DIR` (another helmkit revision, e.g. from
  `git archive REV python schemas | tar -x -C DIR`; the package data links into schemas/),
  that revision's cold and after-edit runs in the same rounds, so before/after ratios come
  from one run on one machine state;
- `helmkit test` re-run with nothing changed (goal <= 0.5 s);
- the exit trick (`helmkit.cli.process`: the executable leaves without freeing its memory):
  `helmkit test` cold through plain `main()`, which exits the normal way;
- strict schema validation of the rendered objects: objects/s on one core (goal >= 2000), and
  end to end (process start, parse, compile, validate) against kubeconform on the same file
  with the same schemas;
- kube_schema's speed trick (registering only the definitions a kind reaches) against
  registering the whole `_definitions.json`, cold, for every configured Kubernetes version;
- `helmkit --help` (goal <= 150 ms) next to a bare `python -c pass`.

Usage: python bench/bench_offline.py [--rounds N] [--helm helm4|helm3] [--baseline DIR]
Prints a table and one JSON document with every ratio; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

from user_env import user_env  # noqa: E402

from helmkit.adapters.helm import default_jobs  # noqa: E402
from helmkit.core.config import load_config  # noqa: E402
from helmkit.core.helm import argv as helm_argv  # noqa: E402
from helmkit.core.lint import kube_schema  # noqa: E402
from helmkit.core.model.manifests import dump_yaml, parse_manifests  # noqa: E402
from helmkit.core.render import plan as render_plan  # noqa: E402
from helmkit.core.render.scenarios import all_scenarios  # noqa: E402

BIN = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native")) / "bin"
VENV_BIN = REPO / ".venv" / "bin"
MIN_OBJECTS = 2000


def need(path: Path, fix: str) -> str:
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `{fix}`")
    return str(path)


def freeze_project(target: Path) -> Path:
    """Copy what the offline verbs read, so edits in the working tree cannot skew a round."""
    for name in ("charts", "values", "schemas", ".ct"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, target / name)
    for name in ("helmkit.yaml", "ct.yaml"):
        shutil.copy(REPO / name, target / name)
    shutil.copytree(
        REPO / "tests" / "snapshots", target / "tests" / "snapshots", dirs_exist_ok=True
    )
    git = ["git", "-C", str(target), "-c", "user.email=bench@local", "-c", "user.name=bench"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "frozen"], check=True)
    return target


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(action: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of every child process): CPU is the steadier figure on a
    machine shared with other work."""
    before = children_cpu()
    wall = timed(action)
    return wall, children_cpu() - before


def edit_template(project: Path, round_no: int) -> None:
    """A template edit that changes every render but no object: a YAML comment."""
    template = project / "charts" / "ai-native" / "templates" / "validate.yaml"
    with template.open("a", encoding="utf-8") as handle:
        handle.write(f"\n# bench edit {round_no}\n")


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def template_argvs(project: Path, helm: str) -> list[list[str]]:
    config = load_config(project / "helmkit.yaml")
    jobs = render_plan.plan(all_scenarios(config), config.kube_versions, per_version=False)
    return [[helm, *job.argv(config.chart)] for job in jobs]


def floor(argvs: list[list[str]], cwd: Path, env: dict[str, str], workers: int) -> None:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda argv: run(argv, cwd, env), argvs))
    failed = [r for r in results if r.returncode != 0]
    if failed:
        raise SystemExit(f"helm template failed: {failed[0].stderr}")


def median(xs: list[float]) -> float:
    return round(statistics.median(xs), 3)


def cold(project: Path, argv: list[str], env: dict[str, str]) -> Callable[[], Any]:
    """A cold run: nothing remembered in the project (the cache directory removed)."""

    def action() -> None:
        shutil.rmtree(project / ".helmkit-cache", ignore_errors=True)
        run(argv, project, env)

    return action


def baseline_env(env: dict[str, str], baseline: Path | None) -> dict[str, str]:
    if baseline is None:
        return env
    return {**env, "PYTHONPATH": str(baseline / "python")}


def bench_test_verb(
    project: Path, env: dict[str, str], helm: str, rounds: int, baseline: Path | None = None
) -> dict[str, Any]:
    helmkit = [str(VENV_BIN / "helmkit")]
    # the baseline revision runs from its own tree (PYTHONPATH wins over the editable install)
    base_cmd = [str(VENV_BIN / "python"), "-m", "helmkit"]
    base_env = baseline_env(env, baseline)
    ct = need(BIN / "ct", "bash scripts/build-peers.sh")
    ct_env = {**env, "PATH": f"{VENV_BIN}:{Path(helm).parent}:{env['PATH']}"}
    # ct calls `helm`: give it the same binary
    shim = project.parent / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "helm").unlink(missing_ok=True)
    (shim / "helm").symlink_to(helm)
    ct_env["PATH"] = f"{shim}:{ct_env['PATH']}"
    argvs = template_argvs(project, helm)
    workers = default_jobs()
    # helmkit runs its short-lived helm calls with Go's collector off; the same floor with the
    # same setting is printed beside the plain one, so the part that setting saves is visible
    tuned_env = {**env, **helm_argv.SHORT_LIVED_GO_ENV}
    # the same verb through plain main(): the interpreter tears down as usual at exit
    plain_exit = [str(VENV_BIN / "python"), "-c", "from helmkit.cli.main import main; main()"]
    names = ["floor", "floor_gc_off", "helmkit_test_cold", "helmkit_test_after_edit"]
    names += ["helmkit_test_cold_plain_exit", "ct_lint", "rerun"]
    if baseline is not None:
        names += ["baseline_test_cold", "baseline_test_after_edit"]
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}

    def measure(name: str, action: Callable[[], Any]) -> None:
        seconds, cpu_seconds = timed_cpu(action)
        wall[name].append(seconds)
        cpu[name].append(cpu_seconds)

    verdicts: dict[str, int] = {}
    for round_no in range(rounds):
        measure("floor", lambda: floor(argvs, project, env, workers))
        measure("floor_gc_off", lambda: floor(argvs, project, tuned_env, workers))
        if baseline is not None:
            measure("baseline_test_cold", cold(project, [*base_cmd, "test"], base_env))
            edit_template(project, round_no * 2 + 1)
            measure("baseline_test_after_edit", lambda: run([*base_cmd, "test"], project, base_env))
        measure("helmkit_test_cold", cold(project, [*helmkit, "test"], env))
        measure("helmkit_test_cold_plain_exit", cold(project, [*plain_exit, "test"], env))
        verdicts["helmkit_test"] = run([*helmkit, "test"], project, env).returncode  # warm cache
        edit_template(project, round_no * 2)
        measure("helmkit_test_after_edit", lambda: run([*helmkit, "test"], project, env))
        measure("rerun", lambda: run([*helmkit, "test"], project, env))
        measure("ct_lint", lambda: run([ct, "lint", "--config", "ct.yaml"], project, ct_env))
        verdicts["ct_lint"] = run([ct, "lint", "--config", "ct.yaml"], project, ct_env).returncode
    med = {k: median(v) for k, v in wall.items()}
    med_cpu = {k: median(v) for k, v in cpu.items()}

    def ratio(a: str, b: str, table: dict[str, float]) -> float:
        return round(table[a] / table[b], 2)

    result: dict[str, Any] = {
        "scenarios": len(argvs),
        "parallelism": workers,
        "median_wall_s": med,
        "median_cpu_s": med_cpu,
        "exit_codes": verdicts,
        "ratio_test_cold_over_floor": ratio("helmkit_test_cold", "floor", med),
        "ratio_test_after_edit_over_floor": ratio("helmkit_test_after_edit", "floor", med),
        "ratio_test_cold_over_ct_lint": ratio("helmkit_test_cold", "ct_lint", med),
        "cpu_ratio_test_cold_over_floor": ratio("helmkit_test_cold", "floor", med_cpu),
        "cpu_ratio_test_after_edit_over_floor": ratio("helmkit_test_after_edit", "floor", med_cpu),
        "ratio_test_cold_over_floor_gc_off": ratio("helmkit_test_cold", "floor_gc_off", med),
        "cpu_ratio_test_cold_over_floor_gc_off": ratio(
            "helmkit_test_cold", "floor_gc_off", med_cpu
        ),
        # paired per round (the two runs are neighbours): steadier than a ratio of medians
        "ratio_test_cold_plain_exit_over_exit_trick": round(
            statistics.median(
                plain / trick
                for plain, trick in zip(
                    wall["helmkit_test_cold_plain_exit"], wall["helmkit_test_cold"], strict=True
                )
            ),
            2,
        ),
        # no run can beat its CPU spread over every core (the parallelism is one job a core
        # unless HELMKIT_JOBS says otherwise): this is the best wall ratio the cold
        # run's CPU allows on this machine, however well helm and the checks overlap
        "ratio_test_cold_lower_bound_from_cpu": round(
            med_cpu["helmkit_test_cold"] / workers / med["floor"], 2
        ),
        "rerun_s": med["rerun"],
        "goals": {"test_over_floor_max": 1.5, "test_over_ct_lint_max": 1.0, "rerun_max_s": 0.5},
    }
    # each round's floor ran right before the measured runs: the median of per-round ratios
    # follows the machine's load better than a ratio of medians
    result["per_round_median_ratios"] = {
        f"{kind}_{name}": round(
            statistics.median(x / f for x, f in zip(table[name], table["floor"], strict=True)), 2
        )
        for kind, table in (("wall", wall), ("cpu", cpu))
        for name in names
        if name.startswith(("helmkit_test", "baseline_test"))
    }
    if baseline is not None:
        result["baseline"] = str(baseline)
        for name in ("baseline_test_cold", "baseline_test_after_edit"):
            result[f"ratio_{name}_over_floor"] = ratio(name, "floor", med)
            result[f"cpu_ratio_{name}_over_floor"] = ratio(name, "floor", med_cpu)
    return result


def kubeconform_schemas(version: str, kinds: set[tuple[str, str]], target: Path) -> str:
    """The bundled schemas, with their absolute `$ref`s made relative so kubeconform resolves
    them from the same directory (no network)."""
    source = kube_schema.schema_dir(version)
    target.mkdir(parents=True, exist_ok=True)
    names = {kube_schema.schema_file_name(api, kind) for api, kind in kinds} | {"_definitions.json"}
    for name in names:
        if (source / name).is_file():
            text = (
                (source / name)
                .read_text()
                .replace('"/api/_definitions.json#', '"_definitions.json#')
            )
            data = json.loads(text)
            data.pop("$id", None)
            (target / name).write_text(json.dumps(data))
    return str(target / "{{ .ResourceKind }}{{ .KindSuffix }}.json")


def bench_schema(
    project: Path, env: dict[str, str], helm: str, rounds: int, baseline: Path | None = None
) -> dict[str, Any]:
    outputs = [run(argv, project, env).stdout for argv in template_argvs(project, helm)]
    objects = [o for text in outputs for o in parse_manifests(text)]
    repeated = (objects * (MIN_OBJECTS // len(objects) + 1))[:MIN_OBJECTS]
    version = load_config(project / "helmkit.yaml").kube_versions[-1]
    for obj in objects:  # compile every validator first: the goal is the steady rate
        kube_schema.validate(obj.body, version)
    warm = [
        timed(lambda: [kube_schema.validate(o.body, version) for o in repeated])
        for _ in range(rounds)
    ]
    manifest = project.parent / "objects.yaml"
    manifest.write_text("".join(f"---\n{dump_yaml(o.body)}" for o in repeated))
    kinds = {(o.api_version, o.kind) for o in objects}
    location = kubeconform_schemas(version, kinds, project.parent / "kc-schemas")
    kubeconform = need(BIN / "kubeconform", "bash scripts/build-peers.sh")
    kc_argv = [
        kubeconform,
        "-strict",
        "-summary",
        "-n",
        "1",
        "-ignore-missing-schemas",
        "-kubernetes-version",
        version,
        "-schema-location",
        location,
        str(manifest),
    ]
    check = run(kc_argv, project, env)
    ours = [
        sys.executable,
        "-c",
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from helmkit.core import kube_schema as k, manifests as m;"
        "objs = m.parse_manifests(open(sys.argv[2]).read());"
        "bad = sum(bool(k.validate(o.body, sys.argv[3])) for o in objs); print(len(objs), bad)",
        str(REPO / "python"),
        str(manifest),
        version,
    ]
    ours_check = run(ours, project, env)
    kc_times = [timed(lambda: run(kc_argv, project, env)) for _ in range(rounds)]
    our_times = [timed(lambda: run(ours, project, env)) for _ in range(rounds)]
    # the baseline revision's validator on the same file, same rounds (e.g. the closure
    # compiler that jsonschema-rs replaced)
    base = [*ours[:3], str(baseline / "python"), *ours[4:]] if baseline else []
    base_check = run(base, project, env).stdout.strip() if baseline else ""
    base_times = [timed(lambda: run(base, project, env)) for _ in range(rounds if baseline else 0)]
    rate = len(repeated) / statistics.median(warm)
    return {
        "objects": len(repeated),
        "distinct_objects": len(objects),
        "kube_version": version,
        "helmkit_objects_per_s_one_core_warm": round(rate),
        "end_to_end_median_s": {
            "helmkit": median(our_times),
            "kubeconform": median(kc_times),
            **({"baseline": median(base_times)} if base_times else {}),
        },
        **(
            {
                "ratio_helmkit_over_baseline_end_to_end": round(
                    median(our_times) / median(base_times), 2
                ),
                "baseline_objects_and_invalid": base_check,
            }
            if base_times
            else {}
        ),
        "ratio_helmkit_over_kubeconform_end_to_end": round(median(our_times) / median(kc_times), 2),
        "kubeconform_summary": check.stdout.strip().splitlines()[-1:]
        or check.stderr.strip()[-200:],
        "helmkit_objects_and_invalid": ours_check.stdout.strip(),
        "goal_objects_per_s_min": MIN_OBJECTS,
    }


def bench_definitions_trick(
    project: Path, env: dict[str, str], helm: str, rounds: int
) -> dict[str, Any]:
    """kube_schema's speed trick against the plain way, cold (as a fresh process pays it):
    compile the validators of every rendered kind for every configured Kubernetes version and
    validate the objects, registering (a) only the definitions each kind reaches, parsed from
    the indentation-sliced `_definitions.json`, or (b) the whole parsed file."""
    outputs = [run(argv, project, env).stdout for argv in template_argvs(project, helm)]
    objects = [o for text in outputs for o in parse_manifests(text)]
    versions = load_config(project / "helmkit.yaml").kube_versions
    kinds = sorted({(o.api_version, o.kind) for o in objects})

    def cold(whole: bool, share: bool = True) -> None:
        before: dict[tuple[str, str], list[kube_schema.Compiled]] = {}
        for version in versions:
            directory = kube_schema.schema_dir(version)
            text = (directory / "_definitions.json").read_text("utf-8")
            defs: Any = json.loads(text)["$defs"] if whole else kube_schema._LazyDefinitions(text)
            compiled = {}
            for api, kind in kinds:
                path = directory / kube_schema.schema_file_name(api, kind)
                if path.is_file():
                    earlier = before.setdefault((api, kind), []) if share else []
                    compiled[(api, kind)] = kube_schema.compile_kind(
                        path.read_text("utf-8"), defs, whole=whole, compiled_before=earlier
                    )
                    earlier.append(compiled[(api, kind)])
            for obj in objects:
                check = compiled.get((obj.api_version, obj.kind))
                if check is not None:
                    check.issues(obj.body)

    sliced, whole, unshared = [], [], []
    for _ in range(rounds):  # alternating: the machine's drift hits all three alike
        sliced.append(timed(lambda: cold(False)))
        whole.append(timed(lambda: cold(True)))
        unshared.append(timed(lambda: cold(False, share=False)))
    return {
        "versions": len(versions),
        "kinds": len(kinds),
        "objects": len(objects),
        "median_s": {
            "reachable_definitions": median(sliced),
            "whole_file": median(whole),
            "reachable_not_shared_across_versions": median(unshared),
        },
        "ratio_whole_over_reachable": round(median(whole) / median(sliced), 2),
        # a kind equal in two versions compiles once (kube_schema.builtin_validator)
        "ratio_not_shared_over_shared": round(median(unshared) / median(sliced), 2),
    }


def bench_help(env: dict[str, str], rounds: int) -> dict[str, Any]:
    helmkit = [str(VENV_BIN / "helmkit"), "--help"]
    bare = [sys.executable, "-c", "pass"]
    n = max(5, rounds)
    help_t = median([timed(lambda: run(helmkit, REPO, env)) for _ in range(n)])
    bare_t = median([timed(lambda: run(bare, REPO, env)) for _ in range(n)])
    return {
        "helmkit_help_s": help_t,
        "python_pass_s": bare_t,
        "ratio_help_over_bare_python": round(help_t / bare_t, 2),
        "goal_help_max_s": 0.15,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--helm", default="helm4", choices=["helm4", "helm3"])
    parser.add_argument("--baseline", type=Path, default=None, help="python/ tree's parent")
    parser.add_argument("--only-test-verb", action="store_true", help="skip schema and --help")
    args = parser.parse_args()
    helm = need(BIN / args.helm, "scripts/bootstrap.sh")
    env = user_env()
    env["HELMKIT_HELM"] = helm
    with tempfile.TemporaryDirectory(prefix="helmkit-bench-") as tmp:
        project = freeze_project(Path(tmp) / "project")
        result = {
            "helm": args.helm,
            "rounds": args.rounds,
            "test_verb": bench_test_verb(project, env, helm, args.rounds, args.baseline),
        }
        if not args.only_test_verb:
            result["schema_validation"] = bench_schema(
                project, env, helm, args.rounds, args.baseline
            )
            result["definitions_trick"] = bench_definitions_trick(project, env, helm, args.rounds)
            result["help"] = bench_help(env, args.rounds)
    print_summary(result)
    print(json.dumps(result, indent=2))
    return 0


def print_summary(result: dict[str, Any]) -> None:
    tv = result["test_verb"]
    print(
        f"helmkit test cold / helm template floor : {tv['ratio_test_cold_over_floor']}x wall, "
        f"{tv['cpu_ratio_test_cold_over_floor']}x CPU (goal <= 1.5)"
    )
    print(
        f"  (the floor with Go's collector off too : {tv['ratio_test_cold_over_floor_gc_off']}x "
        f"wall, {tv['cpu_ratio_test_cold_over_floor_gc_off']}x CPU)"
    )
    print(
        f"helmkit test after a template edit : {tv['ratio_test_after_edit_over_floor']}x wall, "
        f"{tv['cpu_ratio_test_after_edit_over_floor']}x CPU (goal <= 1.5)"
    )
    print(
        "  (its CPU over every core / floor      : "
        f"{tv['ratio_test_cold_lower_bound_from_cpu']}x, the best this machine allows)"
    )
    print(f"helmkit test cold / ct lint : {tv['ratio_test_cold_over_ct_lint']}x (goal < 1)")
    print(f"helmkit test no-change re-run           : {tv['rerun_s']} s (goal <= 0.5)")
    print(
        "exit trick: plain main() / helmkit cold : "
        f"{tv['ratio_test_cold_plain_exit_over_exit_trick']}x (kept while > 1)"
    )
    rounds = tv["per_round_median_ratios"]
    print("per-round ratios over that round's floor (median):")
    for key, value in rounds.items():
        print(f"  {key:40s} {value}x")
    if "baseline" in tv:
        for name in ("baseline_test_cold", "baseline_test_after_edit"):
            print(
                f"{name} / floor : {tv[f'ratio_{name}_over_floor']}x wall, "
                f"{tv[f'cpu_ratio_{name}_over_floor']}x CPU"
            )
    if "schema_validation" not in result:
        return
    sv, hp = result["schema_validation"], result["help"]
    rate = sv["helmkit_objects_per_s_one_core_warm"]
    print(f"schema validation, one core             : {rate} objects/s (goal >= 2000)")
    e2e = sv["ratio_helmkit_over_kubeconform_end_to_end"]
    print(f"schema end to end helmkit / kubeconform : {e2e}x")
    if "ratio_helmkit_over_baseline_end_to_end" in sv:
        ratio = sv["ratio_helmkit_over_baseline_end_to_end"]
        print(f"schema end to end helmkit / baseline    : {ratio}x")
    print(f"helmkit --help                          : {hp['helmkit_help_s']} s (goal <= 0.15)")
    trick = result["definitions_trick"]
    print(
        f"schema compile+validate cold, whole _definitions.json / reachable definitions only: "
        f"{trick['ratio_whole_over_reachable']}x ({trick['median_s']})"
    )
    print(
        "schema compile+validate cold, one validator per version / shared by equal versions: "
        f"{trick['ratio_not_shared_over_shared']}x"
    )


if __name__ == "__main__":
    raise SystemExit(main())
