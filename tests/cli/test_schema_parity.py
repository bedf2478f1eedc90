"""helmkit's values schema verdict is helm's: the real Helm 4 and Helm 3 render a fixture chart
(tests/fixtures/schema-parity) whose values.schema.json uses the keywords values schemas use
($ref, anyOf, if/then, enum, pattern, bounds, multipleOf, uniqueItems, propertyNames,
additionalProperties, format), on cases helm accepts and cases it refuses for the schema;
helmkit (jsonschema-rs over the values it layers as helm does) must say the same, and never
print a value under a secret key.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_support import REPO, helm_path

from helmkit.core.values import layering as values
from helmkit.core.values import strvals
from helmkit.core.values.yaml_source import load_yaml_file
from helmkit.ops.lint_steps import ValuesBase

CHART = REPO / "tests" / "fixtures" / "schema-parity"
SCHEMA = json.loads((CHART / "values.schema.json").read_text())
SECRET = "987654321987"

ACCEPTED: list[list[str]] = [
    [],
    ["--set", "replicas=3"],
    ["--set", "image.pullPolicy=Always"],
    ["--set-json", "ratio=0.75"],
    ["--set-json", "replicas=2.0"],
    ["--set", "email=dev@example.org"],
    ["--set", "labels.team=a"],
    ["--set", "hosts={a,b}"],
    ["--set", "resources.cpu=500m"],
    ["--set", "resources.cpu=2"],
    ["--set-json", 'resources={"memory":"1Gi","cpu":"1"}'],
    ["--set", "secrets.jwtSecretKey=short"],
    ["--set-string", "image.tag=1.10"],
    ["-f", "replicas: 2.0\n"],
    ["-f", "image:\n  tag: 2024-01-01\n"],
    ["-f", "image:\n  tag: '12:30'\n"],
]
REFUSED: list[list[str]] = [
    ["--set", "replicas=0"],
    ["--set", "replicas=11"],
    ["--set", "replicas=1.10"],
    ["--set-json", "replicas=1.5"],
    ["--set", "image.pullPolicy=Sometimes"],
    ["--set", "image.repository="],
    ["--set", "image.extra=1"],
    ["--set", "unknown=1"],
    ["--set", "port=0"],
    ["--set-json", "ratio=0.3"],
    ["--set", "mode=other"],
    ["--set", "email=not-an-email"],  # draft 7: format is asserted, by helm too
    ["--set", "labels.Team=a"],
    ["--set", "labels.team=1"],
    ["--set", "hosts={a,a}"],
    ["--set", "hosts={a,b,c,d}"],
    ["--set", "resources.cpu=lots"],
    ["--set-json", 'resources={"memory":"1Gi"}'],
    ["--set", f"secrets.jwtSecretKey={SECRET}"],
    ["--set", "image=null"],
    ["-f", "replicas: 2.5\n"],
    ["-f", "replicas: y\n"],
    ["-f", "mode: on\n"],
    ["-f", "image:\n  tag: 1.10\n"],
]


def _argv(case: list[str], tmp: Path) -> list[str]:
    """The case with inline YAML after -f written to a file."""
    argv = list(case)
    for i, arg in enumerate(argv[:-1]):
        if arg == "-f":
            path = tmp / f"values-{i}.yaml"
            path.write_text(argv[i + 1])
            argv[i + 1] = str(path)
    return argv


def helm_verdict(helm: str, argv: list[str]) -> bool:
    proc = subprocess.run(
        [helm_path(helm), "template", "r", str(CHART), *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        assert "schema" in proc.stderr, f"{helm} refused for another reason: {proc.stderr}"
    return proc.returncode == 0


def helmkit_issues(helm: str, argv: list[str]) -> list[values.ValuesIssue]:
    files = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-f"]
    items = [strvals.encode(a, argv[i + 1]) for i, a in enumerate(argv) if a.startswith("--set")]
    layered = values.layer(
        ValuesBase(CHART).tree(),
        [load_yaml_file(f) for f in files],
        strvals.in_helm_order(items),
        helm_major=int(helm.removeprefix("helm")),
    )
    return values.schema_issues(layered, SCHEMA)


def _id(case: list[str]) -> str:
    return " ".join(case).replace("\n", " ")[:60] or "defaults"


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
@pytest.mark.parametrize("case", ACCEPTED + REFUSED, ids=[_id(c) for c in ACCEPTED + REFUSED])
def test_schema_verdict_matches_helm(helm: str, case: list[str], tmp_path: Path) -> None:
    argv = _argv(case, tmp_path)
    helm_ok = helm_verdict(helm, argv)
    issues = helmkit_issues(helm, argv)
    assert helm_ok == (case in ACCEPTED), f"the case list is wrong about {helm}: {case}"
    assert (not issues) == helm_ok, f"{helm} {'accepts' if helm_ok else 'refuses'}; {issues}"
    for issue in issues:
        assert issue.key_path and issue.message, issue
        assert SECRET not in issue.message, "a value under a secret key was printed"


def test_the_secret_case_names_the_key_without_the_value(tmp_path: Path) -> None:
    (issue,) = helmkit_issues("helm4", ["--set", f"secrets.jwtSecretKey={SECRET}"])
    assert issue.key_path == "secrets.jwtSecretKey"
    assert "<hidden>" in issue.message and "string" in issue.message
