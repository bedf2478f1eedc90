"""Exact argv of the offline builders, for Helm 4 and Helm 3."""

from __future__ import annotations

import pytest

from helmkit.core.helm import argv as helm_argv
from helmkit.core.helm.argv import HelmVersion
from helmkit.errors import EnvironmentProblem

H4 = HelmVersion(4, 3, 1)
H3 = HelmVersion(3, 22, 0)


@pytest.mark.parametrize("version", [H4, H3])
def test_template_argv_is_the_same_for_both_majors(version: HelmVersion) -> None:
    # template takes no version-specific flags: one builder serves Helm 3 and Helm 4
    argv = helm_argv.template_argv(
        "ai-native",
        "charts/ai-native",
        namespace="ns",
        values_files=["a.yaml", "b.yaml"],
        set_values=["x.y=1"],
        kube_version="1.33.0",
        api_versions=["monitoring.coreos.com/v1"],
    )
    assert argv == [
        "template",
        "ai-native",
        "charts/ai-native",
        "--namespace",
        "ns",
        "--values",
        "a.yaml",
        "--values",
        "b.yaml",
        "--set",
        "x.y=1",
        "--kube-version",
        "1.33.0",
        "--api-versions",
        "monitoring.coreos.com/v1",
    ]


def test_template_argv_minimal() -> None:
    assert helm_argv.template_argv("r", "c", namespace="n") == [
        "template",
        "r",
        "c",
        "--namespace",
        "n",
    ]


def test_lint_argv_strict_with_values() -> None:
    argv = helm_argv.lint_argv(
        "chart", values_files=["v.yaml"], set_values=["a=b"], kube_version="1.35.0"
    )
    assert argv == [
        "lint",
        "chart",
        "--strict",
        "--values",
        "v.yaml",
        "--set",
        "a=b",
        "--kube-version",
        "1.35.0",
    ]


def test_lint_argv_not_strict() -> None:
    assert helm_argv.lint_argv("chart", strict=False) == ["lint", "chart"]


@pytest.mark.parametrize(
    ("version", "wait", "rollback", "force"),
    [
        (H4, ["--wait=watcher"], "--rollback-on-failure", "--force-replace"),
        (H3, ["--wait"], "--atomic", "--force"),
    ],
)
def test_version_specific_spellings(
    version: HelmVersion, wait: list[str], rollback: str, force: str
) -> None:
    assert helm_argv.wait_args(version, wait=True) == wait
    assert helm_argv.wait_args(version, wait=False) == []
    assert helm_argv.rollback_on_failure_arg(version) == rollback
    assert helm_argv.force_arg(version) == force


def test_version_argv() -> None:
    assert helm_argv.version_argv() == ["version", "--short"]


@pytest.mark.parametrize(
    ("output", "expected"),
    [("v4.3.1+g1234abc\n", H4), ("v3.22.0+gdeadbee", H3), ("3.18.0", HelmVersion(3, 18, 0))],
)
def test_parse_helm_version(output: str, expected: HelmVersion) -> None:
    assert helm_argv.parse_helm_version(output) == expected


def test_parse_garbage_names_the_fix() -> None:
    with pytest.raises(EnvironmentProblem, match="cannot read a helm version") as err:
        helm_argv.parse_helm_version("oops")
    assert "bootstrap" in err.value.hint


@pytest.mark.parametrize(
    "version", [HelmVersion(3, 17, 9), HelmVersion(2, 17, 0), HelmVersion(5, 0, 0)]
)
def test_too_old_or_unknown_helm_is_refused_with_the_needed_version(version: HelmVersion) -> None:
    with pytest.raises(EnvironmentProblem) as err:
        helm_argv.check_supported(version)
    assert "Helm 4.x or Helm 3.18 or newer" in err.value.message
    assert "scripts/bootstrap.sh" in err.value.hint


@pytest.mark.parametrize("version", [H4, H3, HelmVersion(3, 18, 0)])
def test_supported_versions_pass(version: HelmVersion) -> None:
    helm_argv.check_supported(version)


def test_short_lived_helm_calls_run_without_go_gc_unless_the_user_set_it() -> None:
    off = {"GOGC": "off", "GOMEMLIMIT": "512MiB"}
    for verb in ("template", "lint", "history", "get", "show", "version"):
        assert helm_argv.go_env([verb, "x"], {"PATH": "/bin"}) == off
    assert helm_argv.go_env(["template"], {"GOGC": "100"}) == {"GOMEMLIMIT": "512MiB"}
    assert helm_argv.go_env(["lint"], {"GOGC": "50", "GOMEMLIMIT": "200MiB"}) == {}
    for long_running in (["upgrade", "x"], ["rollback"], ["test"], ["uninstall"], []):
        assert helm_argv.go_env(long_running, {}) == {}


def test_template_argv_can_skip_helms_values_schema_check() -> None:
    assert helm_argv.template_argv("r", "c", namespace="n", skip_schema_validation=True) == [
        "template",
        "r",
        "c",
        "--namespace",
        "n",
        "--skip-schema-validation",
    ]


def test_lint_argv_can_skip_helms_values_schema_check() -> None:
    argv = helm_argv.lint_argv("chart", skip_schema_validation=True)
    assert argv == ["lint", "chart", "--strict", "--skip-schema-validation"]
