"""Snapshot updates replace and delete only files helmkit wrote, in a directory of their own
inside the project; a snapshot that cannot be read is an error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helmkit_run import helmkit, no_traceback


def _point_snapshots_at(project: Path, directory: str) -> None:
    config = project / "helmkit.yaml"
    text = config.read_text()
    assert "snapshotDir: snapshots" in text, "the demo helmkit.yaml changed: update this test"
    config.write_text(text.replace("snapshotDir: snapshots", f"snapshotDir: {directory}"))


@pytest.mark.parametrize(
    ("directory", "reason"),
    [
        (".", "not a directory inside the project"),
        ("values", "holds staging.yaml"),
        ("chart", "holds a Chart.yaml"),
        ("../elsewhere", "not a directory inside the project"),
    ],
)
@pytest.mark.parametrize("verb", [("snapshot", "--update"), ("test", "--update-snapshots")])
def test_a_dangerous_snapshot_directory_is_refused(
    project: Path, directory: str, reason: str, verb: tuple[str, str]
) -> None:
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*.yaml"))
    _point_snapshots_at(project, directory)
    proc = helmkit(*verb, "--no-cache", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "snapshot directory" in proc.stderr and reason in proc.stderr
    after = sorted(str(p.relative_to(project)) for p in project.rglob("*.yaml"))
    assert after == before  # nothing deleted, nothing written


@pytest.mark.parametrize("verb", [("snapshot", "--update"), ("test", "--update-snapshots")])
def test_update_deletes_only_what_helmkit_wrote(project: Path, verb: tuple[str, str]) -> None:
    snaps = project / "snapshots"
    foreign = snaps / "notes.yaml"
    foreign.write_text("# my own notes, not a snapshot\nkey: value\n")
    stale = snaps / "gone.yaml"
    stale.write_text((snaps / "default.yaml").read_text())  # a snapshot of a removed scenario
    proc = helmkit(*verb, "--no-cache", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert foreign.read_text().startswith("# my own notes")
    assert not stale.exists()


def test_a_foreign_file_with_a_scenario_name_is_not_overwritten(project: Path) -> None:
    target = project / "snapshots" / "default.yaml"
    target.write_text("kind: ConfigMap\nmetadata: {name: mine}\n")
    proc = helmkit("snapshot", "--update", "--no-cache", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "was not written by helmkit" in proc.stdout
    assert target.read_text() == "kind: ConfigMap\nmetadata: {name: mine}\n"


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"\xff\xfe not text", "cannot read snapshot"), (b"key: [unclosed\n", "is corrupt")],
)
def test_an_unreadable_snapshot_names_the_file(project: Path, content: bytes, needle: str) -> None:
    target = project / "snapshots" / "default.yaml"
    target.write_bytes(content)
    proc = helmkit("snapshot", "--no-cache", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert needle in proc.stdout and str(target.relative_to(project)) in proc.stdout
