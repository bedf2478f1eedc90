"""Which helm renders a set of scenarios needs, and the cache key of each (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helmkit.core import content_hash, helm_argv
from helmkit.core.scenarios import Scenario

_TEMPLATE_SUFFIXES = (".yaml", ".tpl", ".yml")
_KUBE_VERSION_USE = re.compile(r"\.Capabilities\.KubeVersion")


def uses_kube_version(chart: Path) -> bool:
    """True when a template branches on the Kubernetes version: then every target version needs
    its own render; otherwise one render serves all of them (the output is the same)."""
    templates = (
        p for p in chart.rglob("*") if "templates" in p.parts and p.suffix in _TEMPLATE_SUFFIXES
    )
    for path in templates:
        if path.is_file() and _KUBE_VERSION_USE.search(path.read_text("utf-8", errors="replace")):
            return True
    return False


@dataclass(frozen=True)
class RenderJob:
    scenario: Scenario
    kube_version: str  # the version passed to helm; validation may cover more

    def argv(self, chart: Path) -> list[str]:
        return helm_argv.template_argv(
            self.scenario.release,
            str(chart),
            namespace=self.scenario.namespace,
            values_files=[str(p) for p in self.scenario.values_files],
            set_values=self.scenario.set_values,
            kube_version=self.kube_version,
        )

    def cache_key(self, chart_digest: str, helm_identity: str) -> str:
        return content_hash.combine(
            "render/1",
            chart_digest,
            content_hash.hash_files(self.scenario.values_files),
            *self.scenario.set_values,
            self.scenario.release,
            self.scenario.namespace,
            self.kube_version,
            helm_identity,
        )


def plan(
    scenarios: Sequence[Scenario], kube_versions: Sequence[str], per_version: bool
) -> list[RenderJob]:
    versions = list(kube_versions) if per_version else [max(kube_versions, key=version_key)]
    return [RenderJob(s, v) for s in scenarios for v in versions]


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version))
