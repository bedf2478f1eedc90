"""The offline gate a release passes before touching the cluster.

This is the one switch point to the offline half's lint: while `helmkit.ops.lint` does not offer
a per-environment entry point, the gate is `helm lint --strict` with the environment's values
(chart structure, templates and values.schema.json). When that API lands, `offline_gate` calls it
and nothing else in the release changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from helmkit.core import helm_argv
from helmkit.errors import CheckFailed
from helmkit.ops.live import LiveEnv

MAX_SHOWN_LINES = 30


def offline_gate(live: LiveEnv, set_values: Sequence[str]) -> str:
    """Raise CheckFailed (exit 1) with helm's findings; return a one-line summary when clean."""
    argv = helm_argv.lint_argv(
        str(live.config.chart),
        values_files=[str(path) for path in live.env.values],
        set_values=set_values,
        strict=True,
    )
    result = live.helm.run(argv, timeout=120, check=False)
    if result.returncode != 0:
        lines = [*result.stdout.strip().splitlines(), *result.stderr.strip().splitlines()]
        findings = [
            line for line in lines if "[ERROR]" in line or "[WARNING]" in line or "Error" in line
        ]
        shown = "\n".join((findings or lines)[-MAX_SHOWN_LINES:])
        raise CheckFailed(
            f"offline gate failed: helm lint --strict on {live.config.chart} with the "
            f"{live.env.name} values:\n{shown}",
            hint=f"run `helmkit lint --env {live.env.name}` for every finding with its fix",
        )
    return f"helm lint --strict passed for {live.config.chart} ({live.env.name} values)"
