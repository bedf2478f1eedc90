"""`render --out`: object names become safe file names inside the directory, dangerous targets
are refused before helm runs, and only files an earlier render wrote are replaced or removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helmkit_run import helmkit, no_traceback

from helmkit.ops.render import RENDER_MARKER

# object names helm renders without complaint (it does not validate names)
HOSTILE = """\
{{- range list "../../escaped" "/tmp/absolute" "a/b" "a_b" ".hidden" }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ . | quote }}
data: {}
{{- end }}
"""


def test_object_names_cannot_leave_the_directory(project: Path, tmp_path: Path) -> None:
    (project / "chart" / "templates" / "hostile.yaml").write_text(HOSTILE)
    out = project / "out"
    proc = helmkit("render", "staging", "--out", "out", cwd=project)
    assert proc.returncode == 0, proc.stderr
    files = sorted(p.name for p in out.iterdir())
    assert "configmap-.._.._escaped.yaml" in files
    assert "configmap-_tmp_absolute.yaml" in files
    assert {"configmap-a_b.yaml", "configmap-a_b-2.yaml"} <= set(files)  # a collision
    assert "configmap-.hidden.yaml" in files
    assert all(p.parent == out for p in out.rglob("*"))
    assert not (project / "escaped").exists() and not (tmp_path / "escaped").exists()
    assert not Path("/tmp/absolute.yaml").exists()


@pytest.mark.parametrize("target", ["/", "~", ".", "chart", "helmkit.yaml/sub", ".."])
def test_dangerous_targets_are_refused_before_helm_runs(project: Path, target: str) -> None:
    before = sorted(p.name for p in project.iterdir())
    # no helm at all: a refusal must come first, and nothing can be written anywhere
    proc = helmkit(
        "render",
        "staging",
        "--out",
        target,
        cwd=project,
        env={"HELMKIT_HELM": str(project / "no-helm"), "HOME": str(project.parent)},
    )
    no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cannot be used" in proc.stderr, proc.stderr
    assert sorted(p.name for p in project.iterdir()) == before


def test_only_files_of_an_earlier_render_are_replaced(project: Path) -> None:
    out = project / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    (out / "configmap-gone.yaml").write_text(f"{RENDER_MARKER}ConfigMap/gone\nkind: ConfigMap\n")
    proc = helmkit("render", "staging", "--out", "out", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "removed 1 stale file(s)" in proc.stderr
    assert (out / "notes.txt").read_text() == "mine\n"
    assert not (out / "configmap-gone.yaml").exists()
    written = [p for p in out.glob("*.yaml")]
    assert written and all(p.read_text().startswith(RENDER_MARKER) for p in written)
    # a file of the same name that helmkit did not write: refused, nothing touched
    target = written[0]
    target.write_text("hand-edited\n")
    refused = helmkit("render", "staging", "--out", "out", cwd=project)
    assert refused.returncode == 2 and "was not written by helmkit render" in refused.stderr
    assert target.read_text() == "hand-edited\n"
    assert all(p.read_text().startswith(RENDER_MARKER) for p in written if p != target)
