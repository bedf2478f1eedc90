"""Pure builders of helm argv lists, per Helm major version. Unit-tested with exact lists.

Helm 4 renamed flags that Helm 3 had: `--atomic` -> `--rollback-on-failure`,
`--force` -> `--force-replace`, and `--wait` takes a strategy (`watcher`, `legacy`, `hookOnly`).
Every function returns the argv *after* the helm executable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from helmkit.core.values import strvals
from helmkit.errors import EnvironmentProblem

MIN_HELM3 = (3, 18, 0)
MIN_HELM4 = (4, 0, 0)

_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, order=True)
class HelmVersion:
    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


def parse_helm_version(output: str) -> HelmVersion:
    """Parse `helm version --short` output such as `v4.3.1+g1234abc`."""
    match = _VERSION_RE.search(output)
    if not match:
        raise EnvironmentProblem(
            f"cannot read a helm version from {output.strip()!r}",
            hint="run scripts/bootstrap.sh to build the pinned helm binaries",
        )
    return HelmVersion(*(int(part) for part in match.groups()))


def check_supported(version: HelmVersion) -> None:
    """Refuse helm older than 3.18 or a major version we do not know."""
    triple = (version.major, version.minor, version.patch)
    if version.major == 3 and triple >= MIN_HELM3:
        return
    if version.major == 4:
        return
    raise EnvironmentProblem(
        f"helm {version} is not supported: helmkit needs Helm 4.x or Helm 3.18 or newer",
        hint="run scripts/bootstrap.sh (builds the pinned Helm 4 and Helm 3 into the tool cache) "
        "or set HELMKIT_HELM to a supported helm binary",
    )


def version_argv() -> list[str]:
    return ["version", "--short"]


def values_args(values_files: Sequence[str], set_values: Sequence[str]) -> list[str]:
    """`--values` per file, then each `--set*` item with its own flag (core.values.strvals.encode);
    helm applies files first, then the flags kind by kind in strvals.KINDS order."""
    argv: list[str] = []
    for path in values_files:
        argv += ["--values", path]
    for item in set_values:
        flag, text = strvals.decode(item)
        argv += [flag, text]
    return argv


def template_argv(
    release: str,
    chart: str,
    *,
    namespace: str,
    values_files: Sequence[str] = (),
    set_values: Sequence[str] = (),
    kube_version: str | None = None,
    api_versions: Sequence[str] = (),
) -> list[str]:
    argv = ["template", release, chart, "--namespace", namespace]
    argv += values_args(values_files, set_values)
    if kube_version:
        argv += ["--kube-version", kube_version]
    for api in api_versions:
        argv += ["--api-versions", api]
    return argv


def lint_argv(
    chart: str,
    *,
    values_files: Sequence[str] = (),
    set_values: Sequence[str] = (),
    strict: bool = True,
    kube_version: str | None = None,
) -> list[str]:
    argv = ["lint", chart]
    if strict:
        argv.append("--strict")
    argv += values_args(values_files, set_values)
    if kube_version:
        argv += ["--kube-version", kube_version]
    return argv


def wait_args(version: HelmVersion, *, wait: bool) -> list[str]:
    """`--wait` for Helm 3; Helm 4 needs the strategy spelled out to wait on resources."""
    if not wait:
        return []
    return ["--wait=watcher"] if version.major >= 4 else ["--wait"]


def rollback_on_failure_arg(version: HelmVersion) -> str:
    return "--rollback-on-failure" if version.major >= 4 else "--atomic"


def force_arg(version: HelmVersion) -> str:
    return "--force-replace" if version.major >= 4 else "--force"


# helm verbs that render or read and exit within a second or two. Go's collector starts at a
# 4 MB heap, so such a process spends about 40% of its CPU collecting garbage it would free by
# exiting; with the collector off a chart render peaks near 65 MB, and the memory limit turns
# it back on long before a big chart could hurt (several run at once). Upgrades, rollbacks and
# tests watch the cluster for minutes and keep Go's defaults. A GOGC or GOMEMLIMIT set wins.
SHORT_LIVED_VERBS = frozenset(("template", "lint", "history", "get", "show", "version"))
SHORT_LIVED_GO_ENV = {"GOGC": "off", "GOMEMLIMIT": "512MiB"}


def go_env(args: Sequence[str], environ: Mapping[str, str]) -> dict[str, str]:
    """The Go runtime settings for one helm call (`args` without the executable)."""
    if not args or args[0] not in SHORT_LIVED_VERBS:
        return {}
    return {k: v for k, v in SHORT_LIVED_GO_ENV.items() if k not in environ}
