"""`helmkit test`: lint and snapshot in one run, sharing the renders (the CI gate).

result = run_tests(config)
result.ok, result.lint.findings, result.snapshots.results
"""

from __future__ import annotations

from dataclasses import dataclass

from helmkit.adapters.helm import Helm
from helmkit.core import render_plan
from helmkit.core.config import HelmkitConfig
from helmkit.core.report_format import SnapshotReport
from helmkit.ops import snapshot as snapshot_ops
from helmkit.ops.lint import LintOptions, LintReport, lint


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
    report = lint(config, LintOptions(use_cache=use_cache), helm=helm)
    newest = max(report.kube_versions, key=render_plan.version_key)
    # lint rendered every scenario at the newest version (or at every version): reuse those
    renders = [r for r in report.renders if r.job.kube_version == newest]
    options = snapshot_ops.SnapshotOptions(update=update_snapshots, use_cache=use_cache)
    result = TestResult(report, snapshot_ops.compare_all(config, renders, options))
    memo = renders[0].memo if renders else None
    if memo is not None and use_cache:
        memo.save()  # the snapshot texts joined the documents memo lint saved before
    return result
