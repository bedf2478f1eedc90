"""Helm revisions and the commands that go with each: parse `helm history -o json`, attach the
release labels helmkit wrote (git commit, values digest, CI job) and the component images, and
give every revision its exact `helm rollback` and `helmkit verify` commands."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from helmkit.core.helm import argv as hal
from helmkit.core.helm.argv import HelmVersion
from helmkit.core.model import live_manifests as lm
from helmkit.errors import HelmkitError

GIT_LABEL = "helmkit-git-commit"
DIGEST_LABEL = "helmkit-values-digest"
CHART_DIGEST_LABEL = "helmkit-chart-digest"
# the revision helmkit made: helm copies custom labels onto later revisions (upgrades by plain
# helm, rollbacks), and their digests then describe an older revision
REVISION_LABEL = "helmkit-revision"
CI_LABEL = "helmkit-ci-job"
DEPLOYED = "deployed"
SUPERSEDED = "superseded"
PENDING = frozenset({"pending-install", "pending-upgrade", "pending-rollback"})

_CHART_RE = re.compile(r"^(?P<name>.+)-(?P<version>v?\d+\.\d+\.\d+.*)$")
_FRACTION_RE = re.compile(r"\.(\d+)")


@dataclass(frozen=True)
class Revision:
    number: int
    status: str
    updated: datetime | None
    chart: str  # name-version, as helm prints it
    app_version: str
    description: str

    @property
    def chart_version(self) -> str:
        match = _CHART_RE.match(self.chart)
        return match.group("version") if match else self.chart


@dataclass(frozen=True)
class RevisionRow:
    revision: Revision
    images: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    rollback_command: str = ""
    verify_command: str = ""

    def as_json(self) -> dict[str, Any]:
        rev = self.revision
        return {
            "revision": rev.number,
            "status": rev.status,
            "updated": rev.updated.isoformat() if rev.updated else None,
            "chart": rev.chart,
            "chartVersion": rev.chart_version,
            "appVersion": rev.app_version,
            "images": self.images,
            "gitCommit": self.labels.get(GIT_LABEL, ""),
            "valuesDigest": self.labels.get(DIGEST_LABEL, ""),
            "ciJob": self.labels.get(CI_LABEL, ""),
            "description": rev.description,
            "rollbackCommand": self.rollback_command,
            "verifyCommand": self.verify_command,
        }


def parse_helm_time(text: str) -> datetime | None:
    """Helm prints Go times with nanoseconds (`2025-01-02T03:04:05.123456789+01:00`)."""
    if not text:
        return None
    trimmed = _FRACTION_RE.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    trimmed = trimmed.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(trimmed)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_history(text: str) -> list[Revision]:
    """Revisions oldest first from `helm history -o json`."""
    try:
        raw = json.loads(text or "[]")
    except json.JSONDecodeError as exc:
        raise HelmkitError(f"helm history printed something that is not JSON: {exc}") from exc
    revisions = [
        Revision(
            number=int(entry["revision"]),
            status=str(entry.get("status", "")),
            updated=parse_helm_time(str(entry.get("updated", ""))),
            chart=str(entry.get("chart", "")),
            app_version=str(entry.get("app_version", "")),
            description=str(entry.get("description", "")),
        )
        for entry in raw
    ]
    return sorted(revisions, key=lambda rev: rev.number)


@dataclass(frozen=True)
class ReleaseRecord:
    """One revision as `helm upgrade --output json` prints it: its history row, its manifest
    objects and its hook objects. The user values (`config`) are never kept: they may hold
    credentials and nothing here needs them."""

    revision: Revision
    manifest: tuple[lm.KubeObject, ...]
    hooks: tuple[lm.KubeObject, ...]

    @property
    def objects(self) -> tuple[lm.KubeObject, ...]:
        """Manifest and hooks together: what a plan compares."""
        return self.manifest + self.hooks


def parse_release(text: str) -> ReleaseRecord:
    """The release JSON of `helm upgrade ... --output json` (real or dry run), Helm 3 or 4."""
    try:
        raw = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise HelmkitError(f"helm printed a release that is not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise HelmkitError("helm printed a release that is not a JSON object")
    info = raw.get("info") or {}
    meta = (raw.get("chart") or {}).get("metadata") or {}
    revision = Revision(
        number=int(raw.get("version") or 0),
        status=str(info.get("status", "")),
        updated=parse_helm_time(str(info.get("last_deployed", ""))),
        chart=f"{meta.get('name', '?')}-{meta.get('version', '?')}",
        app_version=str(meta.get("appVersion", "")),
        description=str(info.get("description", "")),
    )
    hooks: list[lm.KubeObject] = []
    for hook in raw.get("hooks") or []:
        hooks += lm.parse_manifests(str(hook.get("manifest", "")))
    manifest = lm.parse_manifests(str(raw.get("manifest", "")))
    return ReleaseRecord(revision, tuple(manifest), tuple(hooks))


def current(revisions: Sequence[Revision]) -> Revision | None:
    """The revision that runs: the deployed one, else the newest."""
    deployed = [rev for rev in revisions if rev.status == DEPLOYED]
    if deployed:
        return deployed[-1]
    return revisions[-1] if revisions else None


def previous_good(revisions: Sequence[Revision], before: int) -> Revision | None:
    """The newest revision below `before` that once ran successfully."""
    good = [r for r in revisions if r.number < before and r.status in (DEPLOYED, SUPERSEDED)]
    return good[-1] if good else None


def verify_command(environment: str, revision: int) -> str:
    return f"helmkit verify {environment} --revision {revision}"


def rollback_command(
    version: HelmVersion, target: hal.Target, revision: int, *, timeout: str
) -> str:
    return hal.shown(hal.rollback_argv(version, target, revision, timeout=timeout))


def build_rows(
    revisions: Sequence[Revision],
    *,
    environment: str,
    version: HelmVersion,
    target: hal.Target,
    timeout: str,
    images: Mapping[int, dict[str, list[str]]],
    labels: Mapping[int, dict[str, str]],
) -> list[RevisionRow]:
    return [
        RevisionRow(
            revision=rev,
            images=images.get(rev.number, {}),
            labels=labels.get(rev.number, {}),
            rollback_command=rollback_command(version, target, rev.number, timeout=timeout),
            verify_command=verify_command(environment, rev.number),
        )
        for rev in revisions
    ]


def short_commit(commit: str) -> str:
    """12 hex digits, keeping the `-dirty` mark: such a commit does not name all the content."""
    if not commit:
        return "-"
    return commit[:12] + ("-dirty" if commit.endswith("-dirty") else "")


def _when(rev: Revision) -> str:
    return rev.updated.strftime("%Y-%m-%d %H:%M:%S") if rev.updated else "?"


def format_rows(rows: Sequence[RevisionRow]) -> list[str]:
    """A block per revision: one header line, then images, commit and the two commands."""
    lines: list[str] = []
    for row in rows:
        rev = row.revision
        lines.append(
            f"revision {rev.number}  {rev.status:<16} {_when(rev)}  chart {rev.chart_version}  "
            f"app {rev.app_version or '-'}  git {short_commit(row.labels.get(GIT_LABEL, ''))}"
        )
        for component, images in sorted(row.images.items()):
            lines.append(f"    {component}: {', '.join(images)}")
        if row.labels.get(CI_LABEL):
            lines.append(f"    ci job: {row.labels[CI_LABEL]}")
        lines.append(f"    description: {rev.description}")
        lines.append(f"    rollback: {row.rollback_command}")
        lines.append(f"    verify:   {row.verify_command}")
    return lines


def format_markdown(rows: Sequence[RevisionRow]) -> list[str]:
    """The rows as GitHub/GitLab-flavoured Markdown (a CI job summary): a table of revisions,
    then each revision's rollback and verify commands as code, newest first."""
    if not rows:
        return ["No revisions."]
    lines = [
        "| revision | status | updated (UTC) | chart | app | git commit | CI job |",
        "| ---: | --- | --- | --- | --- | --- | --- |",
    ]
    newest_first = list(reversed(rows))
    for row in newest_first:
        rev = row.revision
        cells = [
            str(rev.number),
            rev.status,
            _when(rev),
            rev.chart_version,
            rev.app_version or "-",
            short_commit(row.labels.get(GIT_LABEL, "")),
            row.labels.get(CI_LABEL, "") or "-",
        ]
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |")
    for row in newest_first:
        lines += [
            "",
            f"**Revision {row.revision.number}** ({_markdown_cell(row.revision.description)})",
            "",
            "```sh",
            f"{row.rollback_command}  # roll back to this revision",
            f"{row.verify_command}  # verify this revision",
            "```",
        ]
    return lines


def _markdown_cell(text: str) -> str:
    """A table cell: a pipe or a line break would end the cell or the row."""
    return text.replace("|", "\\|").replace("\n", " ")
