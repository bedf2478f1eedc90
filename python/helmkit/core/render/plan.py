"""Which helm renders a set of scenarios needs, and the cache key of each (pure)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helmkit.core.helm import argv as helm_argv
from helmkit.core.model import content_hash
from helmkit.core.render.scenarios import Scenario
from helmkit.core.values import strvals

_TEMPLATE_SUFFIXES = (".yaml", ".tpl", ".yml")
_KUBE_VERSION_USE = re.compile(r"\.Capabilities\.KubeVersion")
_API_PROBE = re.compile(r"\.Capabilities\.APIVersions\.Has\s+\"([^\"]+)\"")


def _template_files(chart: Path) -> list[Path]:
    """Template files of the chart and its unpacked subcharts: only `templates/` and
    `charts/<sub>/` are walked (a full rglob of the chart cost more than reading them)."""
    found: list[Path] = []
    templates = chart / "templates"
    if templates.is_dir():
        for root, _, names in os.walk(templates):
            found += [Path(root, n) for n in sorted(names) if n.endswith(_TEMPLATE_SUFFIXES)]
    subcharts = chart / "charts"
    if subcharts.is_dir():
        for sub in sorted(subcharts.iterdir()):
            if sub.is_dir():
                found += _template_files(sub)
    return found


@dataclass(frozen=True)
class _TemplateFacts:
    probes: frozenset[str]
    uses_kube_version: bool


# facts by the templates' (path, mtime, size): one read per run for both questions, and an
# edited template is read again (long-lived processes: tests, the pytest plugin)
_FACTS: dict[tuple[tuple[str, int, int], ...], _TemplateFacts] = {}


def _facts(chart: Path) -> _TemplateFacts:
    files = _template_files(chart)
    stats = [(path, path.stat()) for path in files]
    key = tuple((str(p), st.st_mtime_ns, st.st_size) for p, st in stats)
    if key not in _FACTS:
        texts = [p.read_text("utf-8", errors="replace") for p in files]
        _FACTS.clear()  # one chart per run: keep the memo small
        _FACTS[key] = _TemplateFacts(
            frozenset(probe for text in texts for probe in _API_PROBE.findall(text)),
            any(_KUBE_VERSION_USE.search(text) for text in texts),
        )
    return _FACTS[key]


def uses_kube_version(chart: Path) -> bool:
    """True when a template branches on the Kubernetes version: then every target version needs
    its own render; otherwise one render serves all of them (the output is the same)."""
    return _facts(chart).uses_kube_version


def api_probes(chart: Path) -> set[str]:
    """The API versions templates ask for with `.Capabilities.APIVersions.Has "..."`."""
    return set(_facts(chart).probes)


@dataclass(frozen=True)
class ClusterRender:
    """The flags that make `helm template` render as a cluster would (capabilities only:
    `lookup` still returns nothing)."""

    api_versions: tuple[str, ...]
    kube_version: str | None


def cluster_render(
    probes: set[str], served: set[str], uses_kube_version: bool, server_version: str
) -> ClusterRender | None:
    """None when helm template's default capabilities already render what the cluster would:
    no probed API beyond them is served, and no template reads the Kubernetes version.
    (helm's defaults include the built-in APIs; a probe for a built-in API the cluster no longer
    serves is not detected.)"""
    extra = tuple(sorted(probes & served))
    if not extra and not uses_kube_version:
        return None
    return ClusterRender(extra, server_version.lstrip("v") if uses_kube_version else None)


@dataclass(frozen=True)
class RenderJob:
    scenario: Scenario
    kube_version: str  # the version passed to helm; validation may cover more
    # helm skips its values-schema check: only where helmkit's own check covers it (lint)
    skip_values_schema: bool = False

    def argv(self, chart: Path) -> list[str]:
        return helm_argv.template_argv(
            self.scenario.release,
            str(chart),
            namespace=self.scenario.namespace,
            values_files=[str(p) for p in self.scenario.values_files],
            set_values=self.scenario.set_values,
            kube_version=self.kube_version,
            api_versions=self.scenario.api_versions,
            skip_schema_validation=self.skip_values_schema,
        )

    def cache_key(self, chart_digest: str, helm_identity: str) -> str:
        return content_hash.combine(
            "render/2",  # 2: Secret values masked in the cache
            chart_digest,
            content_hash.hash_files(self.scenario.values_files),
            strvals.files_digest(self.scenario.set_values),
            *self.scenario.set_values,
            self.scenario.release,
            self.scenario.namespace,
            self.kube_version,
            *self.scenario.api_versions,
            helm_identity,
            # a render without helm's check is not a render helm would give for any values:
            # it never answers a verb that relies on helm's check
            *(["skip-values-schema"] if self.skip_values_schema else []),
        )


def plan(
    scenarios: Sequence[Scenario],
    kube_versions: Sequence[str],
    per_version: bool,
    skip_values_schema: bool = False,
) -> list[RenderJob]:
    versions = list(kube_versions) if per_version else [max(kube_versions, key=version_key)]
    return [RenderJob(s, v, skip_values_schema) for s in scenarios for v in versions]


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version))
