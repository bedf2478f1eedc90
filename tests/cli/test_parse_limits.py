"""Input parsed with limits: an alias bomb or a 990-deep mapping (in a values file or in
helmkit.yaml) is refused at once naming the file, never a hang or a RecursionError; duplicate
keys are refused in helmkit.yaml and warned about in values files (Helm takes the later one
without a word); `-f -`, `-f /dev/stdin` and process substitution are accepted, as by Helm."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from functools import partial
from pathlib import Path

import helmkit_run
import pytest
from cli_support import helm_path

# 350 bytes that expand to 9**9 (387 million) strings
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP = "".join("  " * i + f"k{i}:\n" for i in range(990)) + "  " * 990 + "v: 1\n"
LIMIT_S = 30  # far above a refusal (well under a second of parsing), far below a hang


helmkit = partial(helmkit_run.helmkit, timeout=LIMIT_S)


def assert_refused(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "Traceback" not in out and "RecursionError" not in out, out
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


@pytest.mark.parametrize("verb", [("lint", "--no-cache"), ("render",)], ids=["lint", "render"])
def test_alias_bomb_in_a_values_file_is_refused_at_once(project: Path, verb: tuple[str]) -> None:
    (project / "bomb.yaml").write_text(ALIAS_BOMB)
    assert len(ALIAS_BOMB) < 400
    # render hands the file to helm, which refuses it itself ("excessive aliasing")
    assert_refused(helmkit(*verb, "-f", "bomb.yaml", cwd=project), "bomb.yaml", "aliasing")


@pytest.mark.parametrize(
    "args",
    [("lint", "--no-cache"), ("render", "staging"), ("test", "--no-cache"), ("snapshot",),
     ("release", "staging", "--dry-run"), ("history", "staging")],
    ids=lambda a: a[0],
)  # fmt: skip
def test_alias_bomb_in_helmkit_yaml_is_refused_by_every_verb(
    project: Path, args: tuple[str, ...]
) -> None:
    config = project / "helmkit.yaml"
    config.write_text(config.read_text() + ALIAS_BOMB)
    assert_refused(helmkit(*args, cwd=project), "helmkit.yaml:", "alias bomb")


def test_deep_values_file_is_refused_naming_the_file(project: Path) -> None:
    (project / "deep.yaml").write_text(DEEP)
    proc = helmkit("lint", "--no-cache", "-f", "deep.yaml", cwd=project)
    assert_refused(proc, "deep.yaml:101: nested more than 100 levels deep")


def test_deep_helmkit_yaml_is_refused_naming_the_file(project: Path) -> None:
    config = project / "helmkit.yaml"
    config.write_text(config.read_text() + DEEP)
    assert_refused(helmkit("lint", cwd=project), "helmkit.yaml:", "levels deep")


def test_huge_flow_nesting_is_refused_not_a_crash(project: Path) -> None:
    # libyaml recurses once per level: 100,000 levels overflow the C stack (a segfault)
    (project / "flow.yaml").write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert_refused(helmkit("lint", "--no-cache", "-f", "flow.yaml", cwd=project), "flow.yaml:1")


def test_duplicate_environment_in_helmkit_yaml_is_refused(project: Path) -> None:
    config = project / "helmkit.yaml"
    text = config.read_text()
    staging = text[text.index("  staging:") :]
    config.write_text(text + staging.replace("demo-staging", "demo-other"))
    line = len(text.splitlines()) + 1
    first = text[: text.index("  staging:")].count("\n") + 1
    proc = helmkit("lint", cwd=project)
    assert_refused(
        proc, f"helmkit.yaml:{line}: duplicate key environments.staging", f"line {first}"
    )


def test_duplicate_key_in_a_values_file_is_a_warning_and_the_later_wins(project: Path) -> None:
    (project / "dup.yaml").write_text(
        "web:\n  replicaCount: 7\n  replicaCount: 3\n  autoscaling: {enabled: false}\n"
    )
    proc = helmkit("lint", "--no-cache", "-f", "dup.yaml", "--format", "json", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "values-duplicate-key"]
    assert len(found) == 1, proc.stdout
    assert found[0]["severity"] == "warning"
    assert found[0]["file"] == "dup.yaml" and found[0]["line"] == 3
    assert "web.replicaCount is given twice (first at line 2)" in found[0]["message"]
    rendered = helmkit("render", "-f", "dup.yaml", cwd=project)
    assert "replicas: 3" in rendered.stdout, rendered.stdout + rendered.stderr


def test_helm_takes_the_later_duplicate_key_silently(helm_binary: str, tmp_path: Path) -> None:
    """Why helmkit warns instead of refusing: Helm 4 and Helm 3 accept it, last one wins."""
    chart = tmp_path / "echo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: echo\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\ndata:\n"
        "  v: {{ toJson .Values | quote }}\n"
    )
    (tmp_path / "dup.yaml").write_text("a:\n  b: 1\n  b: 2\n")
    proc = subprocess.run(
        [helm_binary, "template", "x", str(chart), "-f", str(tmp_path / "dup.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert '{\\"a\\":{\\"b\\":2}}' in proc.stdout, proc.stdout


def _without_secrets(rendered: str) -> str:
    """The render without its Secret and the checksum of it (the chart generates a random token
    on every render)."""
    docs = [d for d in rendered.split("\n---\n") if "kind: Secret" not in d]
    return re.sub(r"checksum/secret: \w+", "", "\n---\n".join(docs))


def _render(project: Path, values: str, stdin: str | None = None) -> str:
    proc = helmkit("render", "-f", values, cwd=project, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    return _without_secrets(proc.stdout)


@pytest.fixture
def override(project: Path) -> tuple[str, str]:
    """A values file and what rendering with it gives (read from a regular file)."""
    text = "web:\n  replicaCount: 5\n  autoscaling: {enabled: false}\n"
    (project / "five.yaml").write_text(text)
    expected = _render(project, "five.yaml")
    assert "replicas: 5" in expected
    return text, expected


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_values_from_stdin(project: Path, override: tuple[str, str], name: str) -> None:
    text, expected = override
    assert _render(project, name, stdin=text) == expected


def test_values_from_process_substitution_read_once(
    project: Path, override: tuple[str, str]
) -> None:
    """`<(command)` is a pipe (/dev/fd/N) that can be read once; lint and its helm lint and
    renders all see the content (a cache keyed on the path alone would not)."""
    text, expected = override
    helmkit_cmd = shlex.join([sys.executable, "-m", "helmkit"])
    script = (
        f"{helmkit_cmd} render -f <(printf %s {shlex.quote(text)}) > render.out && "
        f"{helmkit_cmd} lint -f <(printf 'web:\\n  replicaCount: \"five\"\\n') --format json"
    )
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "HELMKIT_HELM": helm_path("helm4")},
        timeout=LIMIT_S * 2,
        check=False,
    )
    assert _without_secrets((project / "render.out").read_text()) == expected, proc.stderr
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the second content is invalid
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert "values-schema" in rules, proc.stdout
