"""`helmkit adopt` as a user runs it, before any cluster is involved: listed in the help, and a
bad environment or an unreachable cluster is one line and exit 2, never a traceback, with
nothing written."""

from __future__ import annotations

from pathlib import Path

import helmkit_run
import yaml

UNREACHABLE = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:9"}}],
    "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
    "current-context": "c",
    "users": [{"name": "u", "user": {"token": "t"}}],
}


def test_adopt_is_a_verb_with_dry_run_keep_and_existing_secret(project: Path) -> None:
    listed = helmkit_run.helmkit("--help", cwd=project)
    assert "adopt" in listed.stdout and "Bring objects deployed without Helm" in listed.stdout
    proc = helmkit_run.helmkit("adopt", "--help", cwd=project)
    assert proc.returncode == 0, proc.stderr
    for flag in ("--dry-run", "--keep", "--existing-secret", "--values-out", "--yes"):
        assert flag in proc.stdout


def test_an_unknown_environment_is_one_line(project: Path) -> None:
    proc = helmkit_run.helmkit("adopt", "nosuch", "--dry-run", cwd=project)
    helmkit_run.no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert "nosuch" in proc.stderr


def test_an_unreachable_cluster_is_one_line_and_nothing_is_written(
    project: Path, tmp_path: Path
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(UNREACHABLE))
    env = {"KUBECONFIG": str(kubeconfig)}
    environment = next(iter(yaml.safe_load((project / "helmkit.yaml").read_text())["environments"]))
    proc = helmkit_run.helmkit("adopt", environment, "--dry-run", cwd=project, env=env, timeout=120)
    helmkit_run.no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "not reachable" in proc.stderr, proc.stderr
    assert not list(project.glob("values/*-adopted.yaml"))


def test_a_malformed_keep_is_a_usage_error(project: Path) -> None:
    proc = helmkit_run.helmkit("adopt", "local", "--keep", "deployment-grafana", cwd=project)
    helmkit_run.no_traceback(proc)
    assert proc.returncode == 2, proc.stderr
    assert "--keep deployment-grafana: expected KIND/NAME" in proc.stderr
