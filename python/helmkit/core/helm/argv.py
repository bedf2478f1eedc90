"""Pure builders of every helm argv list helmkit runs, per Helm major version. Unit-tested with
exact lists (tests/unit/test_helm_argv.py for the offline verbs, test_helm_argv_live.py for
release, history, verify, rollback, status and uninstall).

Helm 4 renamed flags that Helm 3 had: `--atomic` -> `--rollback-on-failure`,
`--force` -> `--force-replace`, and `--wait` takes a strategy (`watcher`, `legacy`, `hookOnly`).
Every function returns the argv *after* the helm executable.

Decisions recorded here:
- upgrade always runs with `--install`, rollback on failure (Helm 4 `--rollback-on-failure`,
  Helm 3 `--atomic`), a resource wait and `--wait-for-jobs`, so a half-applied release never stays;
  it prints the release as JSON, so the revision, its manifest and hooks need no further helm call.
- the plan's server-side render (only needed when a Secret value alone may have changed) skips
  the OpenAPI validation (`--disable-openapi-validation`): fetching the server's OpenAPI
  documents is most of that render's time, and the render is never applied.
- the upgrade skips it too when the caller says helmkit's gate already checked every object of
  the applied render against the strict schemas of the cluster's version, with no finding.
- the renders and `helm lint` of lint, test and the release gate skip helm's values-schema check
  (`--skip-schema-validation`) when helmkit's own values check covers every schema helm would
  apply (core.values.schema_coverage); a scenario helmkit finds invalid is rendered again with
  helm's check, so helm's verdict is the one shown. `helmkit render`, snapshots and the real
  upgrade keep helm's check.
- release labels (`--labels`, Helm 3.13+ and Helm 4) carry the git commit, the values and chart
  digests, the CI job and the revision number helmkit made (helm copies labels onto later
  revisions); the description repeats the first ones so `helm history` shows them too.
- uninstall removes the history by default (a later release starts clean at revision 1);
  `keep_history` keeps it for an audit trail.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from helmkit.core.values import strvals
from helmkit.errors import EnvironmentProblem, HelmkitError

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
    skip_schema_validation: bool = False,
) -> list[str]:
    argv = ["template", release, chart, "--namespace", namespace]
    argv += values_args(values_files, set_values)
    if kube_version:
        argv += ["--kube-version", kube_version]
    for api in api_versions:
        argv += ["--api-versions", api]
    if skip_schema_validation:
        argv.append("--skip-schema-validation")
    return argv


def lint_argv(
    chart: str,
    *,
    values_files: Sequence[str] = (),
    set_values: Sequence[str] = (),
    strict: bool = True,
    kube_version: str | None = None,
    skip_schema_validation: bool = False,
) -> list[str]:
    argv = ["lint", chart]
    if strict:
        argv.append("--strict")
    argv += values_args(values_files, set_values)
    if kube_version:
        argv += ["--kube-version", kube_version]
    if skip_schema_validation:
        argv.append("--skip-schema-validation")
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


# --- the live verbs: release, history, verify, rollback, status, uninstall ---------------------


@dataclass(frozen=True)
class Target:
    """Where a release lives: its name, namespace and (optional) kube context."""

    release: str
    namespace: str
    kube_context: str = ""


def target_args(target: Target) -> list[str]:
    argv = ["--namespace", target.namespace]
    if target.kube_context:
        argv += ["--kube-context", target.kube_context]
    return argv


def _wait_all(version: HelmVersion) -> list[str]:
    return [*wait_args(version, wait=True), "--wait-for-jobs"]


def labels_arg(labels: Mapping[str, str]) -> list[str]:
    if not labels:
        return []
    return ["--labels", ",".join(f"{key}={labels[key]}" for key in sorted(labels))]


def upgrade_install_argv(
    version: HelmVersion,
    target: Target,
    chart: str,
    *,
    values_files: Sequence[str] = (),
    set_values: Sequence[str] = (),
    timeout: str = "5m",
    description: str = "",
    labels: Mapping[str, str] | None = None,
    dry_run: bool = False,
    openapi_validation: bool = True,
) -> list[str]:
    """The release itself, or (dry_run) a server-side render that resolves `lookup` like the
    real upgrade does, printed as the release JSON so the plan can compare manifests.
    `openapi_validation=False` when helmkit already checked every object against the strict
    schemas of the cluster's version (helm would fetch and apply the same schemas again)."""
    argv = ["upgrade", target.release, chart, "--install", *target_args(target)]
    argv += values_args(values_files, set_values)
    if dry_run:
        argv += ["--dry-run=server", "--disable-openapi-validation", "--output", "json"]
    else:
        argv += [rollback_on_failure_arg(version), *_wait_all(version), "--output", "json"]
        if not openapi_validation:
            argv.append("--disable-openapi-validation")
    argv += ["--timeout", timeout]
    if description:
        argv += ["--description", description]
    argv += labels_arg(labels or {})
    return argv


def history_argv(target: Target, *, max_revisions: int = 20) -> list[str]:
    return [
        "history",
        target.release,
        *target_args(target),
        "--max",
        str(max_revisions),
        "--output",
        "json",
    ]


def status_argv(target: Target) -> list[str]:
    return ["status", target.release, *target_args(target), "--output", "json"]


def get_values_argv(
    target: Target, *, revision: int | None = None, all_values: bool = False
) -> list[str]:
    argv = ["get", "values", target.release, *target_args(target), "--output", "json"]
    if all_values:
        argv.append("--all")
    if revision is not None:
        argv += ["--revision", str(revision)]
    return argv


def get_manifest_argv(target: Target, *, revision: int | None = None) -> list[str]:
    argv = ["get", "manifest", target.release, *target_args(target)]
    if revision is not None:
        argv += ["--revision", str(revision)]
    return argv


def get_hooks_argv(target: Target, *, revision: int | None = None) -> list[str]:
    argv = ["get", "hooks", target.release, *target_args(target)]
    if revision is not None:
        argv += ["--revision", str(revision)]
    return argv


HOOKS_MARKER = "# helmkit: the release's hooks follow"
# One `helm get all` prints a revision's manifest, then the marker, then every hook's manifest:
# the plan needs both, and one helm process costs half of two (same Go template in Helm 3 and 4).
REVISION_MARKER = "# helmkit: revision "
_TAB = '{{ "\\t" }}'  # helm turns any whitespace in a chart name or appVersion into a space
MANIFEST_AND_HOOKS_TEMPLATE = (
    REVISION_MARKER
    + "{{ .Release.Version }}"
    + _TAB
    + "{{ .Release.Info.Status }}"
    + _TAB
    + "{{ .Release.Chart.Metadata.Name }}-{{ .Release.Chart.Metadata.Version }}"
    + _TAB
    + '{{ .Release.Chart.Metadata.AppVersion }}{{ "\\n" }}'
    '{{ .Release.Manifest }}{{ "\\n---\\n' + HOOKS_MARKER + '\\n" }}'
    '{{ range .Release.Hooks }}{{ "\\n---\\n" }}{{ .Manifest }}{{ end }}'
)


def get_manifest_and_hooks_argv(target: Target, *, revision: int | None = None) -> list[str]:
    argv = ["get", "all", target.release, *target_args(target)]
    if revision is not None:
        argv += ["--revision", str(revision)]
    return [*argv, "--template", MANIFEST_AND_HOOKS_TEMPLATE]


@dataclass(frozen=True)
class PrintedRevision:
    number: int
    status: str
    chart: str  # name-version
    app_version: str


def printed_revision(text: str) -> PrintedRevision | None:
    """The revision `get_manifest_and_hooks_argv` described first (None: not printed)."""
    first = text.split("\n", 1)[0]
    if not first.startswith(REVISION_MARKER):
        return None
    fields = first.removeprefix(REVISION_MARKER).split("\t")
    if len(fields) != 4 or not fields[0].isdigit():
        return None
    return PrintedRevision(int(fields[0]), fields[1], fields[2], fields[3])


def split_manifest_and_hooks(text: str) -> tuple[str, str]:
    """The output of `get_manifest_and_hooks_argv`: (manifest, hooks) as YAML streams."""
    manifest, marker, hooks = text.partition(HOOKS_MARKER)
    if not marker:
        raise HelmkitError("`helm get all --template` printed no hooks marker: an unknown helm?")
    return manifest, hooks


def rollback_argv(
    version: HelmVersion, target: Target, revision: int, *, timeout: str = "5m"
) -> list[str]:
    return [
        "rollback",
        target.release,
        str(revision),
        *target_args(target),
        *_wait_all(version),
        "--timeout",
        timeout,
    ]


def test_argv(target: Target, *, timeout: str = "5m") -> list[str]:
    return ["test", target.release, *target_args(target), "--timeout", timeout]


def uninstall_argv(
    version: HelmVersion, target: Target, *, keep_history: bool = False, timeout: str = "5m"
) -> list[str]:
    argv = [
        "uninstall",
        target.release,
        *target_args(target),
        *wait_args(version, wait=True),
        "--timeout",
        timeout,
    ]
    if keep_history:
        argv.append("--keep-history")
    return argv


def shown(argv: Sequence[str], executable: str = "helm") -> str:
    """A command a person can paste: `helm` plus the argv, shell-quoted."""
    return shlex.join([executable, *argv])
