"""`helmkit lint` side by side with its peers, on the same renders of the repository's chart:
which planted problem each reports, and how long each takes.

Peers: kube-score and checkov (built by scripts/build-bench-peers.sh, pinned in
scripts/versions.env), kubeconform with the bundled Kubernetes schemas (scripts/build-peers.sh).
kube-linter and pluto are not served by the Go module proxy here, so they are not compared.

Every case is the production environment plus one planted problem (a values override or a
template edit in a frozen copy of the chart). The peers read `helm template` of that case (as
they are used on charts); helmkit lints the chart with the same values. A tool "reports" a
case when one of its findings on the planted object names the problem (the predicates below).

Usage: python bench/bench_peers.py [--only CASE]...
Prints a markdown table and one JSON document; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(REPO / "bench"))

from bench_offline import BIN, VENV_BIN, freeze_project, kubeconform_schemas  # noqa: E402

from helmkit.core.model.manifests import parse_manifests  # noqa: E402

FAKE_KEY = "sk-" + "proj-" + "Zq8wXc4vBn2mLk9jHg7fDs5aPo3iUy1t" + "RbNe6"


@dataclass(frozen=True)
class Case:
    name: str
    problem: str
    values: str = ""  # a values file (YAML) layered over values/production.yaml
    edit: tuple[str, str, str] | None = None  # (chart-relative file, old, new)
    helmkit_rules: tuple[str, ...] = ()
    kube_score: tuple[str, ...] = ()  # check ids
    checkov: tuple[str, ...] = ()  # check id prefixes
    kubeconform: bool = False  # a schema error on the planted object counts
    obj: str = ""  # the planted object's Kind/name


BACKEND = "Deployment/ai-native-backend"
CRONJOB = "charts/ai-native/templates/database/backup-cronjob.yaml"
DEPLOY_TPL = "charts/ai-native/templates/backend/deployment.yaml"
CASES = (
    Case("baseline", "none (the production environment as it is)"),
    Case(
        "removed-api",
        "batch/v1beta1 CronJob (removed in 1.25)",
        edit=(CRONJOB, "apiVersion: batch/v1", "apiVersion: batch/v1beta1"),
        helmkit_rules=("kube-api-removed",),
        kube_score=("stable-version",),
        kubeconform=True,
        obj="CronJob/ai-native-db-backup",
    ),
    Case(
        "unknown-field",
        "readinessProbes (typo) in the backend Deployment",
        edit=(DEPLOY_TPL, "readinessProbe:", "readinessProbes:"),
        helmkit_rules=("kube-schema",),
        kubeconform=True,
        obj=BACKEND,
    ),
    Case(
        "no-probe",
        "backend without readiness probe",
        edit=(DEPLOY_TPL, "readinessProbe:", "startupProbe:"),
        helmkit_rules=("probes",),
        kube_score=("pod-probes",),
        checkov=("CKV_K8S_9",),
        obj=BACKEND,
    ),
    Case(
        "latest-tag",
        "backend image tag latest",
        values="backend: {image: {tag: latest}}",
        helmkit_rules=("image-pinned",),
        kube_score=("container-image-tag",),
        checkov=("CKV_K8S_14",),
        obj=BACKEND,
    ),
    Case(
        "moving-tag",
        "backend image tag main (a branch) in production",
        values="backend: {image: {tag: main}}",
        helmkit_rules=("image-mutable-tag",),
        obj=BACKEND,
    ),
    Case(
        "env-secret",
        "an OpenAI key in a plain env value",
        values=f"backend: {{extraEnv: [{{name: OPENAI_API_KEY, value: {FAKE_KEY}}}]}}",
        helmkit_rules=("env-secret",),
        checkov=("CKV_SECRET", "CKV_K8S_35"),
        obj=BACKEND,
    ),
    Case(
        "env-duplicate",
        "LOG_FORMAT set twice in the backend container",
        values="backend: {extraEnv: [{name: LOG_FORMAT, value: json}, "
        "{name: LOG_FORMAT, value: text}]}",
        helmkit_rules=("env-duplicate",),
        obj=BACKEND,
    ),
    Case(
        "toleration-all",
        "backend tolerates every taint",
        values="backend: {tolerations: [{operator: Exists}]}",
        helmkit_rules=("toleration-all",),
        obj=BACKEND,
    ),
    Case(
        "quota-too-small",
        "ResourceQuota below the minimum replicas' requests",
        values="namespaceGuardrails: {resourceQuota: {requests: {cpu: '1'}}}",
        helmkit_rules=("quota-admit",),
        obj="ResourceQuota/ai-native-quota",
    ),
    Case(
        "pdb-nothing",
        "backend PDB maxUnavailable 3 with 3 replicas",
        values="backend: {pdb: {maxUnavailable: 3}}",
        helmkit_rules=("pdb-protects-nothing",),
        obj="PodDisruptionBudget/ai-native-backend",
    ),
    Case(
        "no-netpol",
        "NetworkPolicies off in production",
        values="networkPolicy: {enabled: false}",
        helmkit_rules=("posture-network-policy",),
        kube_score=("pod-networkpolicy",),
        obj=BACKEND,
    ),
    Case(
        "no-tls",
        "TLS off in production",
        values="ingress: {tls: {enabled: false}}",
        helmkit_rules=("posture-tls",),
        obj="Ingress/ai-native",
    ),
)


@dataclass
class Outcome:
    reported: dict[str, bool] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    checks: dict[str, list[str]] = field(default_factory=dict)


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, round(time.perf_counter() - start, 2)


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)


def need(path: Path, fix: str) -> str:
    if not path.exists():
        sys.exit(f"{path} is missing: run `{fix}`")
    return str(path)


def prepare(case: Case, base: Path, work: Path) -> Path:
    project = work / case.name
    shutil.copytree(base, project, symlinks=True)
    if case.edit:
        rel, old, new = case.edit
        path = project / rel
        text = path.read_text()
        if old not in text:
            sys.exit(f"{rel} no longer contains {old!r}: update bench/bench_peers.py")
        path.write_text(text.replace(old, new, 1))
    return project


def values_args(project: Path, case: Case) -> list[str]:
    if not case.values:
        return []
    path = project / "case-values.yaml"
    path.write_text(case.values + "\n")
    return ["--values", str(path)]


def render(project: Path, case: Case) -> Path:
    argv = [need(BIN / "helm4", "scripts/bootstrap.sh"), "template", "ai-native"]
    argv += ["charts/ai-native", "-n", "ai-native-production", "-f", "values/production.yaml"]
    done = run([*argv, *values_args(project, case)], project)
    out = project / "rendered.yaml"
    out.write_text(done.stdout if done.returncode == 0 else "")
    return out


Verdict = tuple[bool, set[str]]  # (reported the planted problem, every check id it reported)


def helmkit(project: Path, case: Case) -> Verdict:
    argv = [str(VENV_BIN / "helmkit"), "lint", "--env", "production", "--format", "json"]
    done = run([*argv, *values_args(project, case)], project)
    findings = json.loads(done.stdout)["findings"] if done.stdout.startswith("{") else []
    live = [f for f in findings if not f["waived"] and f["severity"] != "info"]
    return any(f["rule"] in case.helmkit_rules for f in live), {f["rule"] for f in live}


def kube_score(manifest: Path, case: Case) -> Verdict:
    exe = need(BIN / "kube-score", "bash scripts/build-bench-peers.sh")
    done = run([exe, "score", "--output-format", "json", str(manifest)], manifest.parent)
    try:
        objects = json.loads(done.stdout or "[]") or []
    except json.JSONDecodeError:
        return False, set()
    found, ids = False, set()
    for obj in objects:
        ref = f"{obj.get('type_meta', {}).get('kind')}/{obj.get('object_meta', {}).get('name')}"
        for check in obj.get("checks", []):
            if check.get("skipped") or check.get("grade", 10) >= 7:
                continue
            ids.add(check["check"]["id"])
            found = found or (check["check"]["id"] in case.kube_score and ref == case.obj)
    return found, ids


def checkov(manifest: Path, case: Case) -> Verdict:
    exe = need(BIN / "checkov", "bash scripts/build-bench-peers.sh")
    argv = [exe, "-f", str(manifest), "--framework", "kubernetes", "secrets", "-o", "json"]
    done = run([*argv, "--quiet", "--compact"], manifest.parent)
    try:
        data = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return False, set()
    reports = data if isinstance(data, list) else [data]
    failed = [c for r in reports for c in (r.get("results") or {}).get("failed_checks", [])]
    kind, _, name = case.obj.partition("/")
    found = False
    for check in failed:
        where = str(check.get("resource", ""))
        secret = check["check_id"].startswith("CKV_SECRET")
        if case.checkov and check["check_id"].startswith(case.checkov):
            found = found or secret or (kind in where and name in where)
    return found, {c["check_id"] for c in failed}


def kubeconform(manifest: Path, case: Case, schemas: str) -> Verdict:
    exe = need(BIN / "kubeconform", "bash scripts/build-peers.sh")
    argv = [exe, "-strict", "-output", "json", "-kubernetes-version", "1.35.0"]
    done = run([*argv, "-schema-location", schemas, str(manifest)], manifest.parent)
    try:
        resources = json.loads(done.stdout or "{}").get("resources", [])
    except json.JSONDecodeError:
        return False, set()
    kind, _, name = case.obj.partition("/")
    bad = [r for r in resources if r.get("status") not in ("statusValid", "statusSkipped")]
    found = case.kubeconform and any(r.get("kind") == kind and r.get("name") == name for r in bad)
    return found, {f"{r.get('status')}: {r.get('kind')}" for r in bad}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    cases = [c for c in CASES if not args.only or c.name in args.only]
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        base = freeze_project(Path(tmp) / "base")
        kinds = {
            (o.api_version, o.kind) for o in parse_manifests(render(base, CASES[0]).read_text())
        }
        schemas = kubeconform_schemas("1.35.0", kinds, Path(tmp) / "kc-schemas")
        for case in cases:
            project = prepare(case, base, Path(tmp))
            manifest = render(project, case)
            outcome = outcomes[case.name] = Outcome()
            tools: dict[str, Callable[[], Verdict]] = {
                "helmkit lint": partial(helmkit, project, case),
                "kube-score": partial(kube_score, manifest, case),
                "checkov": partial(checkov, manifest, case),
                "kubeconform": partial(kubeconform, manifest, case, schemas),
            }
            for tool, check in tools.items():
                (reported, ids), seconds = timed(check)
                outcome.reported[tool] = reported
                outcome.checks[tool] = sorted(ids)
                outcome.seconds[tool] = seconds
            print(f"{case.name}: {outcome.reported}", file=sys.stderr, flush=True)
    tools = list(next(iter(outcomes.values())).reported)
    print(f"| case | planted problem | {' | '.join(tools)} |")
    print(f"| --- | --- | {' | '.join('---' for _ in tools)} |")
    for case in cases:
        marks = " | ".join("yes" if outcomes[case.name].reported[t] else "-" for t in tools)
        print(f"| {case.name} | {case.problem} | {marks} |")
    if "baseline" in outcomes:
        print("\nwhat each reports on the unchanged production render (check ids):")
        for tool, ids in outcomes["baseline"].checks.items():
            print(f"- {tool}: {', '.join(ids) or '(nothing)'}")
    totals = {t: round(sum(o.seconds[t] for o in outcomes.values()), 1) for t in tools}
    print(f"\nseconds over all cases (wall, one case at a time): {totals}")
    print(json.dumps({n: vars(o) for n, o in outcomes.items()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
