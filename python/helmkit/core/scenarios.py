"""Scenarios: named sets of values the chart is rendered with by lint, snapshot and test.

`default` (the chart's own values), `env-<name>` per helmkit.yaml environment, `ci-<name>` per
`ci/<name>-values.yaml` of the chart. Every scenario renders with one fixed release name and
namespace so snapshots do not depend on where an environment deploys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from helmkit.core.config import HelmkitConfig
from helmkit.errors import UsageError

SCENARIO_RELEASE = "ai-native"
SCENARIO_NAMESPACE = "ai-native"


@dataclass(frozen=True)
class Scenario:
    name: str
    values_files: tuple[Path, ...] = ()
    set_values: tuple[str, ...] = ()
    release: str = SCENARIO_RELEASE
    namespace: str = SCENARIO_NAMESPACE


def ci_scenarios(chart: Path) -> list[Scenario]:
    ci_dir = chart / "ci"
    if not ci_dir.is_dir():
        return []
    return [
        Scenario(f"ci-{path.name.removesuffix('-values.yaml')}", (path,))
        for path in sorted(ci_dir.glob("*-values.yaml"))
    ]


def all_scenarios(config: HelmkitConfig) -> list[Scenario]:
    scenarios = [Scenario("default")]
    scenarios += [Scenario(f"env-{name}", env.values) for name, env in config.environments.items()]
    return scenarios + ci_scenarios(config.chart)


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
        chosen.append(Scenario("custom", tuple(values_files), tuple(set_values)))
    return chosen or list(known.values())
