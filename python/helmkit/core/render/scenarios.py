"""Scenarios: named sets of values the chart is rendered with by lint, snapshot and test.

`default` (the chart's own values), `env-<name>` per helmkit.yaml environment, `ci-<name>` per
`ci/<name>-values.yaml` of the chart. The `ci-*` scenarios render with every optional API the
templates probe (`.Capabilities.APIVersions.Has`) announced, as a cluster with those CRDs
would: the templates behind such checks are rendered and validated at least there (the other
scenarios render as plain `helm template` does). Every scenario renders with one fixed release
name and namespace so snapshots do not depend on where an environment deploys: helmkit.yaml
`scenarios.release`/`scenarios.namespace`, by default the chart's name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from helmkit.core.config import HelmkitConfig
from helmkit.errors import UsageError

SCENARIO_RELEASE = "release"  # only where no chart names it (unit tests)
SCENARIO_NAMESPACE = "default"
_NAME = re.compile(r"^name:\s*['\"]?([^'\"#\s]+)", re.M)


@dataclass(frozen=True)
class Scenario:
    name: str
    values_files: tuple[Path, ...] = ()
    set_values: tuple[str, ...] = ()
    release: str = SCENARIO_RELEASE
    namespace: str = SCENARIO_NAMESPACE
    # an environment other than a developer's own cluster: the posture rules apply
    shared: bool = False
    api_versions: tuple[str, ...] = ()  # announced to helm (`--api-versions`)


def chart_name(chart: Path) -> str:
    """`name:` of Chart.yaml (a top-level key: no YAML parse), else the directory's name."""
    try:
        match = _NAME.search((chart / "Chart.yaml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        match = None
    return match.group(1) if match else chart.name


def scenario_names(config: HelmkitConfig) -> tuple[str, str]:
    """(release, namespace) of every scenario."""
    default = chart_name(config.chart)
    return (config.scenario_release or default, config.scenario_namespace or default)


def ci_scenarios(
    chart: Path, release: str = SCENARIO_RELEASE, namespace: str = SCENARIO_NAMESPACE
) -> list[Scenario]:
    ci_dir = chart / "ci"
    if not ci_dir.is_dir():
        return []
    from helmkit.core.render.plan import api_probes  # it imports this module

    apis = tuple(sorted(api_probes(chart)))
    return [
        Scenario(
            f"ci-{path.name.removesuffix('-values.yaml')}",
            (path,),
            (),
            release,
            namespace,
            api_versions=apis,
        )
        for path in sorted(ci_dir.glob("*-values.yaml"))
    ]


def all_scenarios(config: HelmkitConfig) -> list[Scenario]:
    release, namespace = scenario_names(config)
    scenarios = [Scenario("default", (), (), release, namespace)]
    scenarios += [
        Scenario(f"env-{name}", env.values, (), release, namespace, shared=not env.local)
        for name, env in config.environments.items()
    ]
    return scenarios + ci_scenarios(config.chart, release, namespace)


def pick(
    config: HelmkitConfig,
    *,
    environments: Sequence[str] = (),
    values_files: Sequence[Path] = (),
    set_values: Sequence[str] = (),
    names: Sequence[str] = (),
) -> list[Scenario]:
    """The scenarios a command runs: all by default, or the ones the flags name."""
    known = {s.name: s for s in all_scenarios(config)}
    chosen: list[Scenario] = []
    for env in environments:
        base = known[f"env-{config.environment(env).name}"]
        # --set with --env overrides that environment (what a release would deploy)
        extra_files = tuple(values_files) if not names else ()
        chosen.append(
            replace(
                base, values_files=base.values_files + extra_files, set_values=tuple(set_values)
            )
        )
    if environments:
        values_files, set_values = (), ()
    for name in names:
        if name not in known:
            raise UsageError(
                f"unknown scenario {name!r} (known: {', '.join(known)})",
                hint="scenarios are `default`, `env-<environment>` and `ci-<file>` for each "
                "ci/<file>-values.yaml of the chart",
            )
        chosen.append(known[name])
    if values_files or set_values:
        release, namespace = scenario_names(config)
        chosen.append(
            Scenario("custom", tuple(values_files), tuple(set_values), release, namespace)
        )
    return chosen or list(known.values())
