"""The offline gate a release passes before touching the cluster: `helmkit lint` for the release's
environment, with the release's own `--set` values (what will be deployed is what is linted),
rendered with the release's name and namespace. `helm lint` sees the environment's values files
without the `--set`: helmkit's checks cover the exact render, helm refuses that render on a
template or values-schema error, and the environment's helm lint stays cached across image tags.

Blocking findings refuse the release with exit 2, like a preflight failure: the release stopped
before anything was applied, and the fix is in the inputs (values, `--set`, the chart), not in a
rollback. Exit 1 stays reserved for "deployed and failed (rolled back)" or "deployed, unhealthy".
Chart-level checks (version bump, generated docs) are the chart's CI gate, not the release's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from helmkit.core.model.live_manifests import KubeObject
from helmkit.core.render.report_format import findings_text
from helmkit.core.values import strvals
from helmkit.errors import UsageError
from helmkit.ops.live import LiveEnv

SCHEMA_RULES = frozenset(("kube-schema", "kube-schema-missing", "kube-api-removed"))


class GateRefused(UsageError):
    """Blocking lint findings for the environment: nothing was applied (exit 2)."""


@dataclass(frozen=True)
class Gated:
    summary: str
    objects: list[KubeObject]  # the environment's render, as the release names it (hooks too)
    kube_versions: list[str]  # every object was checked against these versions' schemas
    schema_clean: bool  # and none had a schema finding, not even a waived one


def offline_gate(live: LiveEnv, set_values: Sequence[str]) -> Gated:
    """Raise GateRefused with each blocking finding (rule id, object, fix); else a summary and
    the render the findings are about, rendered with the release's name and namespace."""
    # imported here: the gate runs in a thread, so the lint modules load while helm runs
    from helmkit.ops.lint import LintOptions, lint

    options = LintOptions(
        environments=[live.env.name],
        set_values=tuple(set_values),
        chart_checks=False,
        target=(live.env.release, live.env.namespace),
        helm_lint_set_values=False,
    )
    report = lint(live.config, options, helm=live.helm)
    blocking = [finding for finding in report.findings if finding.blocking]
    if blocking:
        raise GateRefused(
            f"offline gate refused the release ({len(blocking)} blocking finding(s) for "
            f"{live.env.name}; nothing was applied):\n" + findings_text(blocking, report.scenarios),
            hint=f"fix each finding as shown, or see all of them: helmkit lint --env "
            f"{live.env.name}" + "".join(_flag_and_key(s) for s in set_values),
        )
    counts = report.counts()
    summary = (
        f"helmkit lint passed for {live.env.name} ({counts['warning']} warning(s), "
        f"{counts['info']} info, {counts['waived']} waived)"
    )
    objects = [obj.body for obj in report.objects(report.scenarios[0])]
    clean = not any(f.rule in SCHEMA_RULES for f in report.findings)
    return Gated(summary, objects, report.kube_versions, clean)


def _flag_and_key(item: str) -> str:
    """` --set KEY=...`: a hint may name the key of an assignment, never its value."""
    flag, text = strvals.decode(item)
    return f" {flag} {strvals.key_of(text)}=..."
