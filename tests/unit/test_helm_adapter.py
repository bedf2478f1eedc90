"""The helm adapter's error mapping and parallel runs, with a fake helm executable (a script).

The real helm runs in tests/cli and tests/lint; here the fake makes each stderr case exact.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from helmkit.adapters.helm import DEFAULT_TIMEOUT_S, Helm, default_timeout, find_helm, mask_argv
from helmkit.errors import (
    EnvironmentProblem,
    HelmError,
    HelmTimeout,
    ReleaseNotFoundError,
    ReleasePendingError,
)

FAKE = """#!/bin/sh
case "$1" in
  version) echo "{version}" ;;
  pending) echo "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is \
in progress" | tr -d '\n' >&2; exit 1 ;;
  missing) echo "Error: release: not found" >&2; exit 1 ;;
  fail) echo "Error: boom" >&2; exit 3 ;;
  echo) shift; echo "$@" ;;
esac
"""


@pytest.fixture(autouse=True)
def private_tool_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Remembered helm versions go to a scratch cache, not the user's."""
    monkeypatch.setenv("AI_NATIVE_CACHE", str(tmp_path / "cache"))


def fake_helm(tmp_path: Path, version: str = "v4.3.1+gabc") -> Helm:
    path = tmp_path / "helm"
    path.write_text(FAKE.format(version=version))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return Helm(str(path))


def test_version_detected_once(tmp_path: Path) -> None:
    helm = fake_helm(tmp_path)
    assert str(helm.version) == "v4.3.1"
    assert helm.version is helm.version


def test_version_is_asked_once_per_binary(tmp_path: Path) -> None:
    helm = fake_helm(tmp_path)
    script = tmp_path / "helm"
    script.write_text(
        script.read_text().replace("#!/bin/sh\n", f"#!/bin/sh\necho $1 >> {tmp_path}/calls\n")
    )
    assert str(Helm(str(script)).version) == "v4.3.1"
    assert str(Helm(str(script)).version) == "v4.3.1"  # a new process would ask again: it does not
    assert (tmp_path / "calls").read_text() == "version\n"
    os.utime(script, ns=(0, 0))  # another binary (mtime changed): asked again
    assert str(Helm(str(script)).version) == "v4.3.1"
    assert (tmp_path / "calls").read_text() == "version\nversion\n"
    assert helm.executable == str(script)


def test_too_old_helm(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem, match="helm v3.12.0 is not supported"):
        _ = fake_helm(tmp_path, "v3.12.0").version


@pytest.mark.parametrize(
    ("verb", "error"),
    [("pending", ReleasePendingError), ("missing", ReleaseNotFoundError), ("fail", HelmError)],
)
def test_stderr_maps_to_typed_errors(tmp_path: Path, verb: str, error: type[HelmError]) -> None:
    with pytest.raises(error) as err:
        fake_helm(tmp_path).run([verb, "--set", "secrets.key=hunter2"])
    assert type(err.value) is error
    assert "hunter2" not in str(err.value)
    assert "secrets.key=***" in str(err.value)


def test_unchecked_run_returns_the_exit_code(tmp_path: Path) -> None:
    result = fake_helm(tmp_path).run(["fail"], check=False)
    assert (result.returncode, result.stderr.strip()) == (3, "Error: boom")


def test_run_many_keeps_order_and_errors_in_place(tmp_path: Path) -> None:
    results = fake_helm(tmp_path).run_many([["echo", "a"], ["fail"], ["echo", "c"]], jobs=2)
    assert [r.stdout.strip() if not isinstance(r, HelmError) else "error" for r in results] == [
        "a",
        "error",
        "c",
    ]


def test_missing_executable_is_an_environment_problem(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem, match="does not exist"):
        Helm(str(tmp_path / "nope")).run(["version"])


def test_find_helm_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELMKIT_HELM", "/opt/helm")
    assert find_helm() == "/opt/helm"
    monkeypatch.delenv("HELMKIT_HELM")
    monkeypatch.setenv("AI_NATIVE_CACHE", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EnvironmentProblem, match="helm was not found"):
        find_helm()
    assert os.environ["PATH"] == str(tmp_path)


def test_mask_argv() -> None:
    assert mask_argv(["upgrade", "--set", "a.b=c", "--set-string", "x=y", "--values", "f"]) == [
        "upgrade",
        "--set",
        "a.b=***",
        "--set-string",
        "x=***",
        "--values",
        "f",
    ]


@pytest.mark.parametrize(
    ("setting", "seconds"), [("", DEFAULT_TIMEOUT_S), ("90", 90.0), ("2.5", 2.5), ("5m", 300.0)]
)
def test_default_timeout_reads_the_setting(
    monkeypatch: pytest.MonkeyPatch, setting: str, seconds: float
) -> None:
    monkeypatch.setenv("HELMKIT_HELM_TIMEOUT", setting)
    assert default_timeout() == seconds


def test_a_process_that_does_not_return_is_stopped(tmp_path: Path) -> None:
    hung = tmp_path / "hung-helm"
    hung.write_text("#!/bin/sh\nexec sleep 60\n")
    hung.chmod(hung.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(HelmTimeout, match="no answer within 1s: helm was stopped"):
        Helm(str(hung)).run(["history", "x"], timeout=1)
