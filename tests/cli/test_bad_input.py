"""Every bad input ends with a clear message and exit 2, never a traceback."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import REPO
from helmkit_run import helmkit


def assert_usage_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def test_missing_chart(project: Path) -> None:
    assert_usage_error(helmkit("lint", "nowhere", cwd=project), "no chart at nowhere", "hint:")


def test_invalid_helmkit_yaml_names_file_and_line(project: Path) -> None:
    (project / "helmkit.yaml").write_text("chart: chart\nenvironments:\n  staging: [\n")
    assert_usage_error(helmkit("lint", cwd=project), "helmkit.yaml:4: invalid YAML")


def test_helmkit_yaml_against_its_schema_names_key_and_line(project: Path) -> None:
    text = (project / "helmkit.yaml").read_text()
    bad = text.replace('kubeVersions: ["1.33.0", "1.35.0"]', 'kubeVersions: ["banana"]')
    assert bad != text, "the demo helmkit.yaml changed: update this test"
    (project / "helmkit.yaml").write_text(bad)
    proc = helmkit("lint", cwd=project)
    assert_usage_error(proc, 'helmkit.yaml:3: kubeVersions[0]: "banana" does not match', "hint:")


def test_invalid_values_yaml_names_file_and_line(project: Path) -> None:
    (project / "values" / "staging.yaml").write_text("web:\n  replicaCount: 2\n  bad: : x\n")
    assert_usage_error(helmkit("lint", "--env", "staging", cwd=project), "values/staging.yaml:3")


def test_unreadable_values_file(project: Path) -> None:
    assert_usage_error(
        helmkit("render", "--values", "absent.yaml", cwd=project), "absent.yaml does not exist"
    )


def test_unknown_environment_lists_known(project: Path) -> None:
    assert_usage_error(
        helmkit("lint", "--env", "prod", cwd=project), "unknown environment 'prod'", "staging"
    )
    assert_usage_error(helmkit("render", "prod", cwd=project), "unknown environment 'prod'")


def test_unknown_scenario(project: Path) -> None:
    assert_usage_error(
        helmkit("snapshot", "--scenario", "nope", cwd=project), "unknown scenario 'nope'", "ci-ha"
    )


def test_kube_version_without_bundled_schema(project: Path) -> None:
    assert_usage_error(
        helmkit("lint", "--kube-version", "1.12.0", cwd=project),
        "no bundled Kubernetes schema for version 1.12.0",
        "bundled:",
    )


def test_helm_missing(project: Path) -> None:
    assert_usage_error(
        helmkit("lint", "--no-cache", cwd=project, env={"HELMKIT_HELM": str(project / "no-helm")}),
        "does not exist",
        "scripts/bootstrap.sh",
    )


def test_helm_too_old(project: Path) -> None:
    fake = project / "old-helm"
    fake.write_text('#!/bin/sh\n[ "$1" = version ] && echo v3.12.3+gabc && exit 0\nexit 1\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    assert_usage_error(
        helmkit("lint", "--no-cache", cwd=project, env={"HELMKIT_HELM": str(fake)}),
        "helm v3.12.3 is not supported",
        "Helm 4.x or Helm 3.18 or newer",
    )


def test_no_helmkit_yaml(tmp_path: Path) -> None:
    assert_usage_error(helmkit("lint", cwd=tmp_path), "no helmkit.yaml found")


def test_render_without_target(project: Path) -> None:
    assert_usage_error(helmkit("render", cwd=project), "name an environment or give --values")


@pytest.mark.parametrize("verb", ["lint", "render", "snapshot", "test"])
def test_help_of_each_verb(verb: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "helmkit", verb, "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0
    assert f"Usage: helmkit {verb}" in proc.stdout


def test_top_level_help_imports_nothing_heavy() -> None:
    code = (
        "import sys\nfrom helmkit.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "names = ('kubernetes', 'jsonschema', 'yaml', 'kubernetes_validate')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "HEAVY []" in proc.stdout, proc.stdout
    for verb in ("lint", "render", "snapshot", "test"):
        assert verb in proc.stdout


def test_status_follow_needs_logs_and_no_watch(project: Path) -> None:
    assert_usage_error(helmkit("status", "staging", "--follow", cwd=project),
                       "--follow needs --logs COMPONENT")
    assert_usage_error(
        helmkit("status", "staging", "--logs", "backend", "--follow", "--watch", cwd=project),
        "--follow and --watch do not combine")


def test_history_unknown_format_lists_markdown(project: Path) -> None:
    assert_usage_error(helmkit("history", "staging", "--format", "html", cwd=project),
                       "'text', 'json', 'markdown'")
