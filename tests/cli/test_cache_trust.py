"""The cache never turns red into green: an interrupted helm run is not stored (and fails the
run that saw it), and a cache that cannot be read or written is warned about once and skipped."""

from __future__ import annotations

from pathlib import Path

from cli_support import helm_path
from helmkit_run import helmkit, no_traceback

# Helm 4 answers SIGINT during `helm template` with this line and exit 0; an interrupted
# `helm lint` prints its first lines and no summary. The wrapper does both on demand, and
# logs every helm verb it ran.
WRAPPER = """#!/bin/sh
echo "$1" >> "$HELM_WRAPPER_LOG"
if [ -n "$HELM_WRAPPER_INTERRUPT" ]; then
  case "$1" in
    template) echo "Release $2 has been cancelled."; exit 0 ;;
    lint) echo "==> Linting $2"; exit 0 ;;
  esac
fi
exec {helm} "$@"
"""


def _wrapper(tmp_path: Path) -> Path:
    path = tmp_path / "helm"
    path.write_text(WRAPPER.format(helm=helm_path("helm4")))
    path.chmod(0o755)
    return path


def test_an_interrupted_run_is_red_and_not_cached(project: Path, tmp_path: Path) -> None:
    wrapper, log = _wrapper(tmp_path), tmp_path / "helm.log"
    env = {"HELMKIT_HELM": str(wrapper), "HELM_WRAPPER_LOG": str(log)}
    interrupted = helmkit("test", cwd=project, env={**env, "HELM_WRAPPER_INTERRUPT": "1"})
    no_traceback(interrupted)
    assert interrupted.returncode == 1, interrupted.stdout + interrupted.stderr
    assert "interrupted" in interrupted.stdout
    log.write_text("")
    # same inputs, helm not interrupted: nothing of the broken run is reused
    again = helmkit("test", cwd=project, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    ran = log.read_text().split()
    assert "lint" in ran and "template" in ran


def test_an_interrupted_lint_alone_does_not_pass_later(project: Path, tmp_path: Path) -> None:
    """helm lint interrupted (renders too): its empty result is not stored."""
    wrapper, log = _wrapper(tmp_path), tmp_path / "helm.log"
    env = {"HELMKIT_HELM": str(wrapper), "HELM_WRAPPER_LOG": str(log)}
    assert helmkit("lint", "--no-cache", cwd=project, env=env).returncode == 0
    interrupted = helmkit("lint", cwd=project, env={**env, "HELM_WRAPPER_INTERRUPT": "1"})
    assert interrupted.returncode == 1, interrupted.stdout
    assert "helm lint ended without its summary line" in interrupted.stdout
    log.write_text("")
    assert helmkit("lint", cwd=project, env=env).returncode == 0
    assert "lint" in log.read_text().split()  # asked helm again: nothing was stored


def test_an_unusable_cache_is_warned_once_and_skipped(project: Path) -> None:
    (project / ".helmkit-cache").mkdir()
    (project / ".helmkit-cache" / "renders").write_text("a file where the cache dir should be")
    proc = helmkit("test", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr.count("cannot be used") == 1, proc.stderr


def test_a_damaged_cache_entry_is_a_miss(project: Path) -> None:
    assert helmkit("test", cwd=project).returncode == 0
    for path in (project / ".helmkit-cache" / "renders").iterdir():
        if path.is_file():
            path.write_bytes(b"\xff\xfe\x00garbage")
    proc = helmkit("test", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_render_takes_no_cache(project: Path) -> None:
    proc = helmkit("render", "staging", "--no-cache", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert not (project / ".helmkit-cache").exists()
