"""What a revision records about where it came from, and small pure helpers of the release verb:
values digest, CI job id, release labels and description, durations, and the URLs to print."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from helmkit.core.model.live_manifests import KubeObject, of_kind
from helmkit.core.release.revisions import (
    CHART_DIGEST_LABEL,
    CI_LABEL,
    DIGEST_LABEL,
    GIT_LABEL,
    REVISION_LABEL,
)
from helmkit.errors import UsageError

# CI systems and the variable that identifies the running job, most specific first.
CI_JOB_VARIABLES = ("CI_JOB_ID", "GITHUB_RUN_ID", "BUILD_ID", "BUILD_NUMBER", "CI_PIPELINE_ID")
LABEL_VALUE_MAX = 63
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


@dataclass(frozen=True)
class Provenance:
    git_commit: str  # full sha, "-dirty" appended when the tree had changes; "" outside git
    values_digest: str
    ci_job: str
    chart_digest: str = ""  # the chart's content (what `git_commit` cannot tell when dirty)


def values_digest(files: Sequence[tuple[str, bytes]], set_values: Sequence[str]) -> str:
    """sha256 over the values files (name and content, in order) and the --set list; shortened
    to fit a label value. Identifies the inputs without revealing any of them."""
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(name.encode() + b"\0" + content + b"\0")
    for assignment in set_values:
        digest.update(b"--set\0" + assignment.encode() + b"\0")
    return digest.hexdigest()[:32]


def ci_job(environ: Mapping[str, str]) -> str:
    for variable in CI_JOB_VARIABLES:
        if environ.get(variable):
            return label_value(f"{variable.lower()}-{environ[variable]}")
    return ""


def label_value(text: str) -> str:
    """A valid Kubernetes label value: [A-Za-z0-9._-], at most 63, alphanumeric at both ends."""
    return _LABEL_UNSAFE.sub("-", text)[:LABEL_VALUE_MAX].strip("._-")


def release_labels(prov: Provenance, revision: int | None = None) -> dict[str, str]:
    """Labels for the revision helmkit is about to make (`revision`: its number)."""
    pairs = {
        REVISION_LABEL: str(revision) if revision is not None else "",
        GIT_LABEL: prov.git_commit,
        DIGEST_LABEL: prov.values_digest,
        CHART_DIGEST_LABEL: prov.chart_digest,
        CI_LABEL: prov.ci_job,
    }
    return {key: label_value(value) for key, value in pairs.items() if value}


def same_inputs(labels: Mapping[str, str], revision: int, prov: Provenance) -> bool:
    """Revision `revision` (with these labels) was made by helmkit from this chart content and
    these values (files and --set): then helm renders it again identically, generated Secret
    values included (lookup reuses them). A revision helm made otherwise (an install or upgrade
    by plain helm, a rollback) never matches: helm copies the labels, not the revision number."""
    ours = release_labels(prov, revision)
    return all(
        labels.get(key) and labels.get(key) == ours.get(key)
        for key in (REVISION_LABEL, DIGEST_LABEL, CHART_DIGEST_LABEL)
    )


def description(environment: str, prov: Provenance) -> str:
    parts = [f"helmkit release {environment}"]
    if prov.git_commit:
        parts.append(f"git {prov.git_commit[:12]}")
    parts.append(f"values {prov.values_digest[:12]}")
    if prov.ci_job:
        parts.append(f"ci {prov.ci_job}")
    return ", ".join(parts)


def parse_duration(text: str) -> float:
    """Go-style durations as helm takes them: `5m`, `90s`, `1h30m`; seconds as a float."""
    stripped = text.strip()
    matches = list(_DURATION_RE.finditer(stripped))
    if not stripped or "".join(m.group(0) for m in matches) != stripped:
        raise UsageError(
            f"timeout {text!r} is not a duration",
            hint="use a Go duration such as 90s, 5m or 1h30m",
        )
    return sum(float(m.group(1)) * _UNIT_S[m.group(2)] for m in matches)


def urls(objects: Iterable[KubeObject]) -> list[str]:
    """https:// for hosts listed under an Ingress's tls, http:// otherwise; HTTPRoute hostnames
    are printed as https (a Gateway listener terminates TLS in our chart)."""
    found: list[str] = []
    for ingress in of_kind(objects, "Ingress"):
        spec = ingress.get("spec", {})
        tls_hosts = {host for tls in spec.get("tls") or [] for host in tls.get("hosts") or []}
        for rule in spec.get("rules") or []:
            host = rule.get("host")
            if host:
                found.append(f"{'https' if host in tls_hosts else 'http'}://{host}")
    for route in of_kind(objects, "HTTPRoute"):
        found += [f"https://{host}" for host in route.get("spec", {}).get("hostnames") or []]
    return sorted(set(found))
