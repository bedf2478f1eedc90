"""Side-by-side render of the chart at a git base and in the working tree, object by object.

The chart-layout refactor (docs/chart-layout.md) moved every template without meaning to change
what renders. This module proves it: each scenario (the defaults, values/*.yaml, the chart's
ci/*-values.yaml, and a release name that does not contain "ai-native") is rendered by the same
helm from the base (`git archive`) and from the tree, both with the scenario files of their own
tree, and the objects are compared after normalisation. The only differences allowed are the
ones listed in `KNOWN_DIFFERENCES`, each with its reason; they are applied to the base's objects
before comparing, and a listed difference that no object shows is reported too (a stale entry).

    .venv/bin/python tests/chart/render_parity.py [--base 70298f6] [--helm helm4 --helm helm3]
"""

from __future__ import annotations

import argparse
import base64
import copy
import difflib
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
BASE = "70298f6"  # main before the chart-layout refactor
CHART = "charts/ai-native"
NAMESPACE = "ai-native-test"
APIS = ("cert-manager.io/v1", "monitoring.coreos.com/v1")
# The notes come from `helm install --dry-run=client`, which Helm 3 cannot run without a cluster;
# the template engine rendering them is the one the objects are compared with under both.
NOTES_HELM = "helm4"
UMBRELLA_VERSIONS = ("0.2.0", "0.3.0")  # at the base, in the tree
# PostgreSQL lives in the umbrella (its labels are the umbrella's, as at the base); Redis is a
# real subchart and labels its objects with its own chart and server version.
SUBCHARTS = {"redis": ("redis-0.2.0", "7.4.5")}
# Generated secrets (randAlphaNum 32 or 64) differ on every render: masked wherever they appear.
_RANDOM = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{32}(?:[A-Za-z0-9]{32})?(?![A-Za-z0-9])")

Obj = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    name: str
    values: tuple[str, ...]  # repo-relative, read from each side's own tree
    release: str = "ai-native"


@dataclass(frozen=True)
class Difference:
    """A listed, justified difference: `apply` turns a base object into what the tree renders."""

    name: str
    why: str
    apply: Callable[[Obj], bool]  # True when it changed the object


def _walk_metadata(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("metadata"), dict):
            yield node["metadata"]
        for value in node.values():
            yield from _walk_metadata(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_metadata(item)


def _subchart_labels(obj: Obj) -> bool:
    component = (obj.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/component")
    if component not in SUBCHARTS:
        return False
    chart, version = SUBCHARTS[component]
    changed = False
    for meta in _walk_metadata(obj):
        labels = meta.get("labels") or {}
        if "helm.sh/chart" in labels:
            labels["helm.sh/chart"], labels["app.kubernetes.io/version"] = chart, version
            changed = True
    return changed


def _umbrella_version(obj: Obj) -> bool:
    changed = False
    for meta in _walk_metadata(obj):
        labels = meta.get("labels") or {}
        if labels.get("helm.sh/chart") == f"ai-native-{UMBRELLA_VERSIONS[0]}":
            labels["helm.sh/chart"] = f"ai-native-{UMBRELLA_VERSIONS[1]}"
            changed = True
    return changed


# The data emptyDir (persistence off) is bounded by persistence.size (default in every scenario).
_DATA_SIZES = {"postgresql": "50Gi", "redis": "8Gi"}


def _volumes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("volumes"), list):
            yield from (v for v in node["volumes"] if isinstance(v, dict))
        for value in node.values():
            yield from _volumes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _volumes(item)


def _emptydir_size_limits(obj: Obj) -> bool:
    component = (obj.get("metadata", {}).get("labels") or {}).get("app.kubernetes.io/component")
    if component not in ("postgresql", "redis", "db-schema", "db-backup"):
        return False
    changed = False
    for volume in _volumes(obj.get("spec")):
        empty = volume.get("emptyDir")
        if isinstance(empty, dict) and "sizeLimit" not in empty:
            empty["sizeLimit"] = _DATA_SIZES[component] if volume["name"] == "data" else "64Mi"
            changed = True
    return changed


KNOWN_DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "umbrella chart version",
        f"the chart changed, so its version went from {UMBRELLA_VERSIONS[0]} to "
        f"{UMBRELLA_VERSIONS[1]} (`helmkit lint`'s chart-version-bump): the helm.sh/chart label "
        "of the umbrella's objects and the install notes' first line name it.",
        _umbrella_version,
    ),
    Difference(
        "subchart chart and version labels",
        "Redis's objects are rendered by its own chart now, so their helm.sh/chart and "
        "app.kubernetes.io/version labels name that chart (redis-0.2.0) and the server's version "
        "(7.4.5) instead of the umbrella's; selectors and volumeClaimTemplates carry name and "
        "instance only, so no immutable field changes (the pod template does: the StatefulSet "
        "rolls once, as on any umbrella version bump before, and afterwards only when its own "
        "chart changes). PostgreSQL stays in the umbrella: its labels differ only by the "
        "umbrella version.",
        _subchart_labels,
    ),
    Difference(
        "emptyDir sizeLimit",
        "(the behaviour commit after the refactor) every emptyDir of PostgreSQL, Redis and the "
        "database Jobs has a sizeLimit now instead of a waiver of helmkit's emptydir-size rule: "
        "64Mi for /tmp and the socket directory (kilobytes are used), persistence.size for the "
        "data emptyDir that replaces the volume claim when persistence is off.",
        _emptydir_size_limits,
    ),
)

# Features added after the refactor, switched off on the tree's side so a scenario file that turns
# them on still proves the refactor (each is tested on its own elsewhere).
LATER_FEATURES: dict[str, tuple[str, dict[str, Any]]] = {
    "exporter sidecars": (
        "postgresql.metrics / redis.metrics (tests/chart/test_chart_exporters.py); "
        "ci/gateway-monitoring-values.yaml turns them on",
        {"postgresql": {"metrics": {"enabled": False}}, "redis": {"metrics": {"enabled": False}}},
    ),
}


def scenarios(tree: Path) -> list[Scenario]:
    found = [Scenario("defaults", ())]
    found += [Scenario(f"values/{p.name}", (f"values/{p.name}",))
              for p in sorted((tree / "values").glob("*.yaml"))]
    found += [Scenario(f"ci/{p.name}", (f"{CHART}/ci/{p.name}",))
              for p in sorted((tree / CHART / "ci").glob("*-values.yaml"))]
    # names derive from the release: one that does not contain the chart's name
    found += [Scenario("defaults as release shop", (), "shop"),
              Scenario("ci/external-services-values.yaml as release shop",
                       (f"{CHART}/ci/external-services-values.yaml",), "shop")]
    return found


def extract_base(base: str, into: Path) -> Path:
    """The base's chart, values/ and ci files (`git archive`), under `into`."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", base, CHART, "values"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def render(helm: Path, tree: Path, scenario: Scenario) -> list[Obj]:
    argv = [str(helm), "template", scenario.release, str(tree / CHART), "-n", NAMESPACE]
    for api in APIS:
        argv += ["--api-versions", api]
    for values in scenario.values:
        argv += ["-f", str(tree / values)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n{proc.stderr}")
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def notes(helm: Path, tree: Path, scenario: Scenario) -> str:
    """The install notes, from a client-side dry run (Helm 4 needs no cluster for it)."""
    argv = [str(helm), "install", scenario.release, str(tree / CHART), "-n", NAMESPACE,
            "--dry-run=client", "--kubeconfig", "/dev/null"]
    for values in scenario.values:
        argv += ["-f", str(tree / values)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n{proc.stderr}")
    text = proc.stdout[proc.stdout.index("NOTES:"):]
    return text.replace(f"(chart {UMBRELLA_VERSIONS[0]})", f"(chart {UMBRELLA_VERSIONS[1]})")


def normalise(obj: Obj) -> Obj:
    obj = copy.deepcopy(obj)
    if obj.get("kind") == "Job":
        obj["metadata"]["name"] = key(obj).rsplit("/", 1)[1]
    if obj.get("kind") == "Secret":
        for field_name, value in (obj.get("data") or {}).items():
            text = base64.b64decode(value).decode()
            obj["data"][field_name] = _RANDOM.sub("<generated>", text)
    return obj


# A database Job is named after a hash of its spec (labels included, so the chart version): the
# hash is masked in names and the specs themselves are compared.
_JOB_HASH = re.compile(r"^(.*-(?:db-schema|db-backup-volume))-[0-9a-f]{10}$")


def key(obj: Obj) -> str:
    meta = obj.get("metadata", {})
    name = str(meta.get("name"))
    if obj.get("kind") == "Job":
        name = _JOB_HASH.sub(r"\1-<spec hash>", name)
    return f"{obj.get('kind')}/{meta.get('namespace', '')}/{name}"


@dataclass
class Comparison:
    scenario: str
    helm: str
    objects: int = 0
    problems: list[str] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)  # difference -> objects it changed
    notes_checked: bool = False


def compare(base: list[Obj], new: list[Obj], scenario: str, helm: str) -> Comparison:
    result = Comparison(scenario, helm)
    before = {key(o): normalise(o) for o in base}
    after = {key(o): normalise(o) for o in new}
    result.objects = len(after)
    for missing in sorted(before.keys() - after.keys()):
        result.problems.append(f"{missing}: rendered by the base only")
    for extra in sorted(after.keys() - before.keys()):
        result.problems.append(f"{extra}: rendered by the tree only")
    for name in sorted(before.keys() & after.keys()):
        expected = before[name]
        for difference in KNOWN_DIFFERENCES:
            if difference.apply(expected):
                result.applied[difference.name] = result.applied.get(difference.name, 0) + 1
        if expected != after[name]:
            diff = difflib.unified_diff(
                yaml.safe_dump(expected, sort_keys=True).splitlines(),
                yaml.safe_dump(after[name], sort_keys=True).splitlines(),
                "base", "tree", lineterm="", n=2)
            result.problems.append(f"{name} differs:\n" + "\n".join(diff))
    return result


def _later_features_off() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, values in LATER_FEATURES.values():
        for top, sub in values.items():
            merged.setdefault(top, {}).update(copy.deepcopy(sub))
    return merged


def run(helms: dict[str, Path], base: str = BASE) -> list[Comparison]:
    with tempfile.TemporaryDirectory(prefix="chart-parity-") as tmp:
        base_tree = extract_base(base, Path(tmp))
        base_names = {s.name: s for s in scenarios(base_tree)}
        later = Path(tmp) / "later-features-off.yaml"
        later.write_text(yaml.safe_dump(_later_features_off()))
        results = []
        for found in scenarios(REPO):
            scenario = Scenario(found.name, (*found.values, str(later)), found.release)
            for label, helm in helms.items():
                if scenario.name not in base_names:
                    results.append(Comparison(scenario.name, label, problems=["not in the base"]))
                    continue
                old = base_names[scenario.name]
                result = compare(render(helm, base_tree, old), render(helm, REPO, scenario),
                                 scenario.name, label)
                if label == NOTES_HELM:
                    before, after = notes(helm, base_tree, old), notes(helm, REPO, scenario)
                    result.notes_checked = True
                    if before != after:
                        diff = difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                    "base", "tree", lineterm="", n=1)
                        result.problems.append("NOTES differ:\n" + "\n".join(diff))
                results.append(result)
        return results


def report(results: list[Comparison]) -> str:
    lines = []
    for r in results:
        applied = ", ".join(f"{n}: {c} objects" for n, c in sorted(r.applied.items())) or "none"
        verdict = "identical" if not r.problems else f"{len(r.problems)} PROBLEMS"
        notes_part = ", install notes compared" if r.notes_checked else ""
        lines.append(f"{r.helm} {r.scenario}: {r.objects} objects{notes_part}: {verdict} "
                     f"(listed differences applied: {applied})")
        lines += [f"    {p}" for p in r.problems]
    used = {n for r in results for n in r.applied}
    lines += [f"STALE listed difference (no object shows it): {d.name}"
              for d in KNOWN_DIFFERENCES if d.name not in used]
    lines.append("Listed differences:")
    lines += [f"  - {d.name}: {d.why}" for d in KNOWN_DIFFERENCES]
    lines.append("Later features, off on the tree's side:")
    lines += [f"  - {name}: {why}" for name, (why, _) in LATER_FEATURES.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE)
    parser.add_argument("--helm", action="append", help="cached helm binary name (helm4, helm3)")
    args = parser.parse_args(argv)
    cache = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native")) / "bin"
    helms = {name: cache / name for name in (args.helm or ["helm4", "helm3"])}
    results = run(helms, args.base)
    print(report(results))
    stale = {d.name for d in KNOWN_DIFFERENCES} - {n for r in results for n in r.applied}
    return 1 if any(r.problems for r in results) or stale else 0


if __name__ == "__main__":
    sys.exit(main())
