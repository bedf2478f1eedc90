"""`--set` and its siblings behave as in helm, on every verb that takes values."""

from __future__ import annotations

from pathlib import Path

import pytest
from helmkit_run import helmkit, no_traceback


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
def test_a_dotted_version_stays_a_string(project: Path, helm: str) -> None:
    """helm types only int64, true/false and null: `1.10` is the string "1.10"."""
    proc = helmkit(
        "lint",
        "--no-cache",
        "--env",
        "staging",
        "--set",
        "web.image.tag=1.10",
        cwd=project,
        helm=helm,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_list_and_index_syntax(project: Path) -> None:
    proc = helmkit(
        "lint",
        "--no-cache",
        "--env",
        "staging",
        "--set",
        "config.hosts={a,b},config.items[1].name=x,config.dotted\\.key=1",
        cwd=project,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("assignment", "needle"),
    [
        ("web.image=1,web.image.tag=2", "--set web.image=...: failed parsing --set data"),
        ("web.replicaCount", 'key "replicaCount" has no value'),
        ("config.items[x]=1", "error parsing index"),
        ("config.hosts={a,b", "list must terminate with '}'"),
    ],
)
def test_what_helm_refuses_is_a_clear_error(project: Path, assignment: str, needle: str) -> None:
    proc = helmkit("lint", "--no-cache", "--set", assignment, cwd=project)
    no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr


def test_set_string_keeps_a_string_and_is_named(project: Path) -> None:
    proc = helmkit(
        "lint",
        "--no-cache",
        "--env",
        "staging",
        "--set-string",
        "web.replicaCount=3",
        cwd=project,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert '"3" is not of type "integer"' in proc.stdout
    assert "at --set-string web.replicaCount" in proc.stdout


def test_set_json_file_and_literal(project: Path) -> None:
    (project / "note.txt").write_text("from a file\n")
    proc = helmkit(
        "lint",
        "--no-cache",
        "--env",
        "staging",
        "--set-json",
        'config.items=[{"name": "a"}]',
        "--set-file",
        "config.note=note.txt",
        "--set-literal",
        "config.raw=a,b={c}",
        cwd=project,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_render_applies_the_flags_in_helms_order(project: Path) -> None:
    """--set-string applies after --set whatever the command-line order (as in helm)."""
    proc = helmkit(
        "render",
        "staging",
        "--no-cache",
        "--set-string",
        "config.logLevel=debug",
        "--set",
        "config.logLevel=warning",
        cwd=project,
    )
    assert proc.returncode == 0, proc.stderr
    assert "LOG_LEVEL: debug" in proc.stdout


def test_set_file_missing_names_the_file(project: Path) -> None:
    proc = helmkit("lint", "--no-cache", "--set-file", "config.note=absent.txt", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 2
    assert "absent.txt" in proc.stderr


@pytest.mark.parametrize("verb", ["lint", "render", "release"])
def test_every_values_verb_takes_every_set_flag(project: Path, verb: str) -> None:
    """The release gate accepts whatever `helm upgrade` accepts."""
    proc = helmkit(verb, "--help", cwd=project)
    for flag in ("--set ", "--set-string", "--set-json", "--set-file", "--set-literal"):
        assert flag in proc.stdout, f"{verb} lacks {flag}"
