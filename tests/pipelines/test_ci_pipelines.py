"""The CI pipelines to copy: the GitHub workflow passes actionlint (pinned, built from the Go module
proxy by scripts/build-checkers.sh), the GitLab file has the structure GitLab needs, and every
helmkit command either pipeline runs parses with helmkit's own options."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from helmkit.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("AI_NATIVE_CACHE", Path.home() / ".cache" / "ai-native"))
WORKFLOW = REPO / ".github" / "workflows" / "chart.yaml"
GITLAB = REPO / "docs" / "ci" / ".gitlab-ci.yml"
# keys GitLab accepts at the top level besides job names (a typo there becomes a hidden "job")
GITLAB_GLOBAL_KEYS = {
    "default", "include", "stages", "variables", "workflow", "image", "services", "cache",
    "before_script", "after_script", "spec",
}
GITLAB_JOB_KEYS = {
    "after_script", "allow_failure", "artifacts", "before_script", "cache", "coverage",
    "dependencies", "environment", "extends", "id_tokens", "image", "inherit", "interruptible",
    "needs", "parallel", "release", "resource_group", "retry", "rules", "script", "secrets",
    "services", "stage", "tags", "timeout", "trigger", "variables", "when", "hooks", "pages",
}


def _actionlint() -> Path:
    exe = CACHE / "bin" / "actionlint"
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is missing: run `bash scripts/build-checkers.sh` (or `make setup`)")
    return exe


def _shellcheck() -> str:
    found = shutil.which("shellcheck")
    if not found:
        pytest.fail("shellcheck is missing: run `scripts/bootstrap.sh debian` (Debian package)")
    return found


def _run_actionlint(workdir: Path) -> subprocess.CompletedProcess[str]:
    """actionlint with shellcheck on every `run:` step (never silently without it)."""
    files = sorted(str(p) for p in (workdir / ".github" / "workflows").glob("*.y*ml"))
    assert files, f"no workflow under {workdir}"
    return subprocess.run(
        [str(_actionlint()), "-color=false", "-oneline", f"-shellcheck={_shellcheck()}", *files],
        cwd=workdir, capture_output=True, text=True, timeout=120, check=False,
    )


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path}: not a mapping"
    return data


def test_actionlint_accepts_the_workflows() -> None:
    proc = _run_actionlint(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """The check can fail: an unknown job key and an undefined expression are reported."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    broken = WORKFLOW.read_text().replace("timeout-minutes: 30", "timeout-minute: 30")
    broken = broken.replace("secrets.STAGING_KUBECONFIG", "secret.STAGING_KUBECONFIG")
    (workflows / "chart.yaml").write_text(broken)
    proc = _run_actionlint(tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'unexpected key "timeout-minute"' in proc.stdout
    assert 'undefined variable "secret"' in proc.stdout


def test_github_workflow_gates_pull_requests_and_releases_main_once_at_a_time() -> None:
    flow = _load(WORKFLOW)
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on:` as true
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    check, release = flow["jobs"]["check"], flow["jobs"]["release-staging"]
    check_runs = [step.get("run", "") for step in check["steps"]]
    assert "make check" in check_runs
    assert check["steps"][0]["with"]["fetch-depth"] == 0  # the version-bump rule needs main
    assert any("helmkit test --format junit --output reports/" in run for run in check_runs)
    publish = [s for s in check["steps"] if str(s.get("uses", "")).startswith("mikepenz/")]
    assert publish and publish[0]["if"].startswith("${{ !cancelled() &&")
    assert check["permissions"]["checks"] == "write"
    assert release["needs"] == "check"
    assert "refs/heads/main" in release["if"] and "push" in release["if"]
    assert release["concurrency"] == {"group": "release-staging", "cancel-in-progress": False}
    text = "\n".join(f"{s.get('run', '')} {s.get('env', '')}" for s in release["steps"])
    assert "secrets.STAGING_KUBECONFIG" in text and "umask 077" in text
    assert "GITHUB_STEP_SUMMARY" in text and "history staging --format markdown" in text


def test_gitlab_pipeline_structure() -> None:
    pipeline = _load(GITLAB)
    stages = pipeline["stages"]
    assert stages == ["check", "release"]
    unknown = {k for k in pipeline if not k.startswith(".")} - GITLAB_GLOBAL_KEYS
    jobs = {name: job for name, job in pipeline.items() if name in unknown}
    assert set(jobs) == {"check", "release-staging"}
    templates = {name for name in pipeline if name.startswith(".")}
    for name, job in jobs.items():
        assert isinstance(job, dict), name
        assert set(job) <= GITLAB_JOB_KEYS, f"{name}: unknown keys {set(job) - GITLAB_JOB_KEYS}"
        assert job["stage"] in stages, name
        assert job["script"], name
        assert set(job.get("needs", [])) <= set(jobs), name
        assert job.get("extends", ".tools") in templates, name
    check, release = jobs["check"], jobs["release-staging"]
    assert "make check" in check["script"]
    assert check["variables"]["GIT_DEPTH"] == "0"
    assert any("refs/remotes/origin/$CI_DEFAULT_BRANCH" in line for line in check["script"])
    assert check["artifacts"]["reports"]["junit"] == "reports/helmkit-test.xml"
    assert check["artifacts"]["when"] == "always"
    assert release["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert release["resource_group"] == "staging" and release["interruptible"] is False
    assert release["variables"]["KUBECONFIG"] == "$STAGING_KUBECONFIG"
    assert "history staging --format markdown" in "\n".join(release["after_script"])
    assert release["artifacts"]["when"] == "always"


def test_gitlab_scripts_pass_shellcheck(tmp_path: Path) -> None:
    """GitLab runs each job's before_script and script lines in one bash, after_script in
    another: both as shellcheck sees them."""
    pipeline = _load(GITLAB)
    for name, job in pipeline.items():
        if name.startswith(".") or not isinstance(job, dict) or "script" not in job:
            continue
        template = pipeline.get(job.get("extends", ""), {})
        parts = {
            "script": [*template.get("before_script", []), *job.get("before_script", []),
                       *job["script"]],
            "after_script": job.get("after_script", []),
        }
        for part, lines in parts.items():
            if not lines:
                continue
            script = tmp_path / f"{name}-{part}.sh"
            script.write_text("#!/usr/bin/env bash\nset -e\n" + "\n".join(lines) + "\n")
            proc = subprocess.run([_shellcheck(), "--shell=bash", str(script)],
                                  capture_output=True, text=True, timeout=60, check=False)
            assert proc.returncode == 0, f"{name}.{part}:\n{proc.stdout}{proc.stderr}"


def _helmkit_commands(text: str) -> list[list[str]]:
    """Every `.venv/bin/helmkit ...` command line, up to a pipe or a redirection."""
    commands = []
    for match in re.finditer(r"\.venv/bin/helmkit ([^\n|>]*)", text):
        args = [a for a in shlex.split(match.group(1)) if a != "2"]
        commands.append(args)
    return commands


@pytest.mark.parametrize("path", [WORKFLOW, GITLAB], ids=["github", "gitlab"])
def test_every_helmkit_command_parses(path: Path) -> None:
    commands = _helmkit_commands(path.read_text())
    assert {c[0] for c in commands} >= {"test", "history"}
    for args in commands:
        with click.Context(cli) as ctx:
            command = cli.get_command(ctx, args[0])
            assert command is not None, f"{path.name}: no helmkit verb {args[0]!r}"
            try:
                command.make_context(args[0], args[1:])
            except click.UsageError as exc:
                pytest.fail(f"{path.name}: `helmkit {shlex.join(args)}`: {exc.format_message()}")


def test_an_unknown_option_is_caught(tmp_path: Path) -> None:
    """The parse check can fail: a pipeline with a misspelt option is reported."""
    args = _helmkit_commands(".venv/bin/helmkit history staging --formatt markdown\n")[0]
    with click.Context(cli) as ctx:
        command = cli.get_command(ctx, args[0])
        assert command is not None
        with pytest.raises(click.UsageError, match="--formatt"):
            command.make_context(args[0], args[1:])
    assert shutil.which("bash")  # the pipelines' scripts are bash
