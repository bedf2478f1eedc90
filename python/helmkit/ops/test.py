"""`helmkit test`: lint and snapshot in one run, sharing the renders (the CI gate).

result = run_tests(config)
result.ok, result.lint.findings, result.snapshots.results
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from helmkit.adapters.helm import Helm
from helmkit.core.config import HelmkitConfig
from helmkit.core.render import plan as render_plan
from helmkit.ops.lint import LintOptions, LintReport, lint
from helmkit.ops.render import PersistentMemo, Rendered

if TYPE_CHECKING:
    from helmkit.core.render.report_format import SnapshotReport
    from helmkit.ops.snapshot import Comparer


@dataclass
class TestResult:
    lint: LintReport
    snapshots: SnapshotReport

    @property
    def ok(self) -> bool:
        return self.lint.ok and self.snapshots.ok


def run_tests(
    config: HelmkitConfig,
    *,
    update_snapshots: bool = False,
    use_cache: bool = True,
    helm: Helm | None = None,
) -> TestResult:
    newest = max(config.kube_versions, key=render_plan.version_key)
    memos: list[PersistentMemo] = []
    comparers: list[Comparer] = []

    def comparer() -> Comparer:
        if not comparers:  # imported once helm is rendering: start-up time
            from helmkit.ops import snapshot as snapshot_ops

            options = snapshot_ops.SnapshotOptions(update=update_snapshots, use_cache=use_cache)
            comparers.append(snapshot_ops.Comparer(config, options))
        return comparers[0]

    def on_render(rendered: Rendered) -> None:
        # lint renders every scenario at the newest version (or at every version): the
        # snapshot of each is compared as it arrives, while helm renders the others
        if rendered.job.kube_version == newest:
            comparer().add(rendered)
            if rendered.memo is not None and not memos:
                memos.append(rendered.memo)

    report = lint(config, LintOptions(use_cache=use_cache), helm=helm, on_render=on_render)
    order = [r.job.scenario.name for r in report.renders if r.job.kube_version == newest]
    result = TestResult(report, comparer().report(order))
    if memos and use_cache:
        memos[0].save()  # the snapshot texts joined the documents memo lint saved before
    return result
