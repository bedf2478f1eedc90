"""Exact argv of the live verbs for Helm 4 and Helm 3."""

from __future__ import annotations

import pytest

from helmkit.core.helm import argv as hal
from helmkit.core.helm.argv import HelmVersion
from helmkit.errors import HelmkitError

H4 = HelmVersion(4, 3, 1)
H3 = HelmVersion(3, 22, 0)
T = hal.Target("ai-native", "ai-native-local")
TC = hal.Target("ai-native", "prod", "prod-ctx")


@pytest.mark.parametrize(
    ("version", "rollback", "wait"),
    [(H4, "--rollback-on-failure", "--wait=watcher"), (H3, "--atomic", "--wait")],
)
def test_upgrade_install(version: HelmVersion, rollback: str, wait: str) -> None:
    argv = hal.upgrade_install_argv(
        version,
        T,
        "charts/ai-native",
        values_files=["values/local.yaml"],
        set_values=["backend.image.tag=1.2"],
        timeout="5m",
        description="helmkit release local",
        labels={"helmkit-git-commit": "abc", "helmkit-ci-job": "ci_job_id-7"},
    )
    assert argv == [
        "upgrade",
        "ai-native",
        "charts/ai-native",
        "--install",
        "--namespace",
        "ai-native-local",
        "--values",
        "values/local.yaml",
        "--set",
        "backend.image.tag=1.2",
        rollback,
        wait,
        "--wait-for-jobs",
        "--output",
        "json",
        "--timeout",
        "5m",
        "--description",
        "helmkit release local",
        "--labels",
        "helmkit-ci-job=ci_job_id-7,helmkit-git-commit=abc",
    ]


@pytest.mark.parametrize("version", [H4, H3])
def test_upgrade_skips_openapi_validation_only_when_told(version: HelmVersion) -> None:
    assert "--disable-openapi-validation" not in hal.upgrade_install_argv(version, T, "c")
    argv = hal.upgrade_install_argv(version, T, "c", openapi_validation=False)
    assert argv[argv.index("json") + 1] == "--disable-openapi-validation"


@pytest.mark.parametrize("version", [H4, H3])
def test_upgrade_dry_run_is_a_server_render_without_rollback_or_wait(version: HelmVersion) -> None:
    argv = hal.upgrade_install_argv(version, TC, "c", timeout="90s", dry_run=True)
    assert argv == [
        "upgrade",
        "ai-native",
        "c",
        "--install",
        "--namespace",
        "prod",
        "--kube-context",
        "prod-ctx",
        "--dry-run=server",
        "--disable-openapi-validation",
        "--output",
        "json",
        "--timeout",
        "90s",
    ]


def test_read_only_argv() -> None:
    assert hal.history_argv(T, max_revisions=5) == [
        "history",
        "ai-native",
        "--namespace",
        "ai-native-local",
        "--max",
        "5",
        "--output",
        "json",
    ]
    assert hal.status_argv(TC) == [
        "status",
        "ai-native",
        "--namespace",
        "prod",
        "--kube-context",
        "prod-ctx",
        "--output",
        "json",
    ]
    assert hal.get_values_argv(T, revision=3, all_values=True) == [
        "get",
        "values",
        "ai-native",
        "--namespace",
        "ai-native-local",
        "--output",
        "json",
        "--all",
        "--revision",
        "3",
    ]
    assert hal.get_values_argv(T) == [
        "get",
        "values",
        "ai-native",
        "--namespace",
        "ai-native-local",
        "--output",
        "json",
    ]
    assert hal.get_manifest_argv(T, revision=2) == [
        "get",
        "manifest",
        "ai-native",
        "--namespace",
        "ai-native-local",
        "--revision",
        "2",
    ]
    assert hal.get_hooks_argv(T) == ["get", "hooks", "ai-native", "--namespace", "ai-native-local"]
    assert hal.test_argv(T, timeout="2m") == [
        "test",
        "ai-native",
        "--namespace",
        "ai-native-local",
        "--timeout",
        "2m",
    ]


@pytest.mark.parametrize(("version", "wait"), [(H4, "--wait=watcher"), (H3, "--wait")])
def test_rollback(version: HelmVersion, wait: str) -> None:
    assert hal.rollback_argv(version, T, 2, timeout="5m") == [
        "rollback",
        "ai-native",
        "2",
        "--namespace",
        "ai-native-local",
        wait,
        "--wait-for-jobs",
        "--timeout",
        "5m",
    ]


@pytest.mark.parametrize(("version", "wait"), [(H4, "--wait=watcher"), (H3, "--wait")])
def test_uninstall_drops_history_unless_asked(version: HelmVersion, wait: str) -> None:
    base = ["uninstall", "ai-native", "--namespace", "ai-native-local", wait, "--timeout", "5m"]
    assert hal.uninstall_argv(version, T, timeout="5m") == base
    assert hal.uninstall_argv(version, T, keep_history=True, timeout="5m") == [
        *base,
        "--keep-history",
    ]


def test_labels_sorted_and_empty() -> None:
    assert hal.labels_arg({}) == []
    assert hal.labels_arg({"b": "2", "a": "1"}) == ["--labels", "a=1,b=2"]


def test_shown_quotes_for_a_shell() -> None:
    assert hal.shown(["rollback", "r", "2", "--description", "a b"]) == (
        "helm rollback r 2 --description 'a b'"
    )


def test_manifest_and_hooks_in_one_get_all() -> None:
    argv = hal.get_manifest_and_hooks_argv(T, revision=3)
    assert argv[:8] == [
        "get",
        "all",
        "ai-native",
        "--namespace",
        "ai-native-local",
        "--revision",
        "3",
        "--template",
    ]
    assert argv[8] == hal.MANIFEST_AND_HOOKS_TEMPLATE
    header = hal.REVISION_MARKER + "3\tdeployed\tai-native-0.1.0\t1.0.0\n"
    printed = header + "kind: A\n---\n" + hal.HOOKS_MARKER + "\n---\nkind: Hook\n"
    assert hal.printed_revision(printed) == hal.PrintedRevision(
        3, "deployed", "ai-native-0.1.0", "1.0.0"
    )
    spaced = hal.printed_revision(hal.REVISION_MARKER + "4\tpending-upgrade\tmy chart-1.0.0\t\n")
    assert spaced == hal.PrintedRevision(4, "pending-upgrade", "my chart-1.0.0", "")
    assert hal.printed_revision("kind: A\n") is None
    manifest, hooks = hal.split_manifest_and_hooks(printed)
    assert "kind: A" in manifest and "Hook" not in manifest
    assert "kind: Hook" in hooks and "kind: A" not in hooks


def test_get_all_without_marker_is_an_error() -> None:
    with pytest.raises(HelmkitError, match="no hooks marker"):
        hal.split_manifest_and_hooks("kind: A\n")
