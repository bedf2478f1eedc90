"""helmkit computes `.Values` as the real Helm 4 and Helm 3 do.

The fixture chart (tests/fixtures/parity/chart) prints `.Values` as JSON in a ConfigMap, so
`helm template` gives helm's merged values exactly; helmkit's values (the ones its schema check
sees) are compared with them for the chart defaults, disabled and tagged subcharts, globals,
several `-f` files in order and a corpus of `--set*` flags, including the ones helm refuses.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_support import REPO, helm_path

from helmkit.core.values import layering as values
from helmkit.core.values import strvals
from helmkit.core.values.yaml_source import load_yaml_file
from helmkit.errors import UsageError
from helmkit.ops.lint_steps import ValuesBase

PARITY = REPO / "tests" / "fixtures" / "parity"
CHART = PARITY / "chart"
ONE = str(PARITY / "files" / "one.txt")
TWO = str(PARITY / "files" / "two.txt")
FIRST = str(PARITY / "first-values.yaml")
SECOND = str(PARITY / "second-values.yaml")

# each case: the helm flags, in the order given on the command line
SET_CASES: list[list[str]] = [
    [],
    ["--set", "replicas=3"],
    ["--set", "ratio=1.10"],
    ["--set", "name=0777"],
    ["--set", "name=yes"],
    ["--set", "name=12:30"],
    ["--set", "name=1e3"],
    ["--set", "name=TRUE"],
    ["--set", "name=False"],
    ["--set", "name=NULL"],
    ["--set", "replicas=null"],
    ["--set", "name=-5"],
    ["--set", "name=+5"],
    ["--set", "name=007"],
    ["--set", "name=0"],
    ["--set", "name=-0"],
    ["--set", "name=9223372036854775807"],
    ["--set", "name=9223372036854775808"],
    ["--set", "name=0x1F"],
    ["--set", "name=1_000"],
    ["--set", "name=.5"],
    ["--set", "name= spaced "],
    ["--set", "name="],
    ["--set", "list={x,y}"],
    ["--set", "list={}"],
    ["--set", "list={1,true,null,0.5}"],
    ["--set", "list[1]=z"],
    ["--set", "list[5]=z"],
    ["--set", "objects[0].port=81"],
    ["--set", "objects[1].name=second"],
    ["--set", "objects[0]=plain"],
    ["--set", "nested.deep.keep=9"],
    ["--set", "nested.deep=flat"],
    ["--set", r"nested\.dotted=1"],
    ["--set", r"name=a\,b"],
    ["--set", r"name=a\=b"],
    ["--set", r"name=back\\slash"],
    ["--set", "name=a=b"],
    ["--set", "a=1,b=2"],
    ["--set", "name=x,name=y"],
    ["--set", "name=x", "--set", "name=y"],
    ["--set", "new.key.path=1"],
    ["--set", "matrix[0][1]=2"],
    ["--set", "list[0]"],
    ["--set", "list[0].k=v"],
    ["--set", "replicas.x=1"],
    ["--set", "alpha.enabled=false"],
    ["--set", "beta.enabled=true"],
    ["--set", "tags.extra=true"],
    ["--set", "global.registry=other,global.labels.team=b"],
    ["--set", "alpha.nested.b=set,alpha.global.own=2"],
    ["--set", "nested.deep.empty=now"],
    ["--set", "name=ünïcode with spaces"],
    ["--set", "name={a,b}c"],
    ["--set", "a=1,"],
    # refused by helm: helmkit must refuse them too (no traceback)
    ["--set", "a=1,a.b=2"],
    ["--set", "novalue"],
    ["--set", "a.b"],
    ["--set", "a[x]=1"],
    ["--set", "a[-1]=1"],
    ["--set", "a[70000]=1"],
    ["--set", "list={a,b"],
    ["--set", "a,b=1"],
    ["--set", ".".join(f"k{i}" for i in range(32)) + "=1"],
    ["--set", "list=1", "--set", "list[0]=x"],
    # the other flags, and the order helm applies them in
    ["--set-string", "replicas=3,flag=true,list={1,2}"],
    ["--set-string", "name=null"],
    ["--set-string", "x=1", "--set", "x=2"],
    ["--set", "x=1", "--set-json", "x=2"],
    ["--set-json", 'objects=[{"name":"j","port":1}]'],
    ["--set-json", "replicas=5"],
    ["--set-json", 'name="quoted",list=[1,2]'],
    ["--set-json", '{"nested":{"deep":{"keep":7}},"replicas":null}'],
    ["--set-json", "name=null"],
    ["--set-json", "name="],
    ["--set-json", 'a=1,b={"c":2}'],
    ["--set-json", "a={bad"],
    ["--set-file", f"name={ONE}"],
    ["--set-file", f"list={{{ONE},{TWO}}}"],
    ["--set-file", f"name={PARITY}/files/absent.txt"],
    ["--set-literal", "name=a,b=c{x}"],
    ["--set-literal", "list[1]=a,b"],
    ["--set-literal", "x=1", "--set-file", f"x={ONE}", "--set-string", "y=2", "--set", "y=3"],
    # values files, in order, and --set on top of them
    ["-f", FIRST],
    ["-f", FIRST, "-f", SECOND],
    ["-f", SECOND, "-f", FIRST],
    ["-f", FIRST, "--set", "list[1]=w"],
    ["-f", FIRST, "--set", "nested.other.now=set"],
    ["-f", FIRST, "--set", "replicas.x=1"],
    ["-f", SECOND, "--set", "extra.key=null"],
]


def _case_id(case: list[str]) -> str:
    return " ".join(case).replace(str(PARITY), "P")[:80] or "defaults"


def helm_values(helm: str, case: list[str]) -> dict[str, Any] | None:
    """`.Values` of the fixture chart as helm computes them; None when helm refuses."""
    proc = subprocess.run(
        [helm, "template", "r", str(CHART), *case],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return None
    for doc in yaml.safe_load_all(proc.stdout):
        if doc and doc["metadata"]["name"] == "parity-values":
            parsed: dict[str, Any] = json.loads(doc["data"]["values.json"])
            return parsed
    raise AssertionError(f"no values ConfigMap in helm's output:\n{proc.stdout}")


def helmkit_values(case: list[str], helm: str) -> dict[str, Any] | None:
    files = [case[i + 1] for i, arg in enumerate(case) if arg == "-f"]
    items = [
        strvals.encode(arg, case[i + 1]) for i, arg in enumerate(case) if arg.startswith("--set")
    ]
    try:
        layered = values.layer(
            ValuesBase(CHART).tree(),
            [load_yaml_file(f) for f in files],
            strvals.in_helm_order(items),
            helm_major=int(helm.removeprefix("helm")),
        )
    except UsageError:
        return None
    return layered.data


def canonical(value: Any) -> str:
    """JSON text with integral floats as integers (Go prints 1.0 as 1; True is not 1)."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {str(k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, float) and node.is_integer():
            return int(node)
        return node

    return json.dumps(walk(value), sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
@pytest.mark.parametrize("case", SET_CASES, ids=[_case_id(c) for c in SET_CASES])
def test_values_match_helm(helm: str, case: list[str]) -> None:
    expected = helm_values(helm_path(helm), case)
    actual = helmkit_values(case, helm)
    if expected is None:
        assert actual is None, f"{helm} refuses {case}, helmkit computed {actual}"
        return
    assert actual is not None, f"{helm} accepts {case}, helmkit refused it"
    assert canonical(actual) == canonical(expected)


def test_corpus_is_large_and_has_refusals() -> None:
    set_only = [c for c in SET_CASES if c and c[0] == "--set"]
    assert len(set_only) >= 40
    assert sum(helm_values(helm_path("helm4"), c) is None for c in SET_CASES) >= 10


def test_each_flag_kind_is_exercised() -> None:
    used = {arg for case in SET_CASES for arg in case if arg.startswith("-")}
    assert used == {*strvals.KINDS, "-f"}


def _tree_files() -> list[Path]:
    return sorted(p for p in CHART.rglob("*") if p.is_file())


def test_fixture_chart_has_the_subchart_forms() -> None:
    names = {p.parent.name for p in _tree_files() if p.name == "Chart.yaml"}
    assert names == {"chart", "alpha", "beta", "gamma", "delta", "_draft"}  # _draft: not loaded
