"""`helmkit snapshot` as a Python API: render every scenario, normalise, compare with the
committed files; `update=True` writes them (and removes files of scenarios that are gone).

    report = snapshot(config, SnapshotOptions(update=False))

Unlike helm-unittest, a missing snapshot FAILS unless update is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helmkit.adapters.helm import Helm
from helmkit.core.config import HelmkitConfig
from helmkit.core.model.manifests import ManifestError
from helmkit.core.render import plan as render_plan
from helmkit.core.render import snapshots
from helmkit.core.render.report_format import SnapshotReport, SnapshotResult
from helmkit.core.render.scenarios import all_scenarios, pick
from helmkit.errors import UsageError
from helmkit.ops.render import (
    DerivedCache,
    PersistentMemo,
    Rendered,
    default_cache_dir,
    memo_file,
    render_jobs,
    require_chart,
)


@dataclass(frozen=True)
class SnapshotOptions:
    update: bool = False
    scenarios: Sequence[str] = ()
    use_cache: bool = True
    directory: Path | None = None


def compare(
    rendered: Rendered, directory: Path, update: bool, cache: DerivedCache | None = None
) -> SnapshotResult:
    """One scenario's verdict; writes the file when update is set."""
    name = rendered.job.scenario.name
    if rendered.error is not None:
        return SnapshotResult(
            name, "error", message=f"render failed: {rendered.error.stderr.strip()}"
        )
    path = snapshots.snapshot_path(directory, name)
    current, problem = _read_snapshot(path)
    if problem:
        return SnapshotResult(name, "error", path=str(path), message=problem)
    text = cache.get(rendered.key) if cache is not None else None
    if text is not None and current == text:
        return SnapshotResult(name, "ok", path=str(path))  # nothing to parse on a no-change run
    try:
        actual = snapshots.to_snapshot(rendered.objects(), rendered.memo)
    except ManifestError as exc:
        return SnapshotResult(name, "error", message=str(exc))
    if cache is not None:
        cache.put(rendered.key, snapshots.render_file(name, actual))
    return _verdict(name, actual, path, update, current)


def _read_snapshot(path: Path) -> tuple[str | None, str]:
    """(the snapshot's text or None when there is none, a problem naming the file or "")."""
    if not path.exists():
        return None, ""
    try:
        return path.read_text("utf-8"), ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, f"cannot read snapshot {path}: {reason}; fix or delete the file"


def _verdict(
    name: str,
    actual: list[snapshots.SnapshotObject],
    path: Path,
    update: bool,
    current: str | None,
) -> SnapshotResult:
    text = snapshots.render_file(name, actual)
    if current is None:
        if update:
            _write(path, text)
            return SnapshotResult(name, "created", path=str(path))
        return SnapshotResult(
            name,
            "missing",
            path=str(path),
            message=f"no snapshot at {path}: run `helmkit snapshot --update --scenario {name}` "
            "and review the new file",
        )
    if current == text:
        return SnapshotResult(name, "ok", path=str(path))
    expected = _expected(name, path, current, update)
    if isinstance(expected, SnapshotResult):
        return expected
    diffs = tuple(d.diff for d in snapshots.diff(expected, actual, name))
    if update:
        _write(path, text)
        return SnapshotResult(name, "updated", diffs, path=str(path))
    changed = ", ".join(d.splitlines()[0].split("/", 2)[-1] for d in diffs if d) or "formatting"
    return SnapshotResult(
        name,
        "changed",
        diffs,
        path=str(path),
        message=f"changed: {changed}; if intended: helmkit snapshot --update --scenario {name}",
    )


def _expected(
    name: str, path: Path, current: str, update: bool
) -> list[snapshots.SnapshotObject] | SnapshotResult:
    """The committed snapshot's objects, or the error that it cannot be used (an update
    never overwrites a file helmkit did not write)."""
    if update and not current.startswith(snapshots.MARKER):
        message = (
            f"{path} was not written by helmkit (no `{snapshots.MARKER.strip()}` header): it "
            "is left alone; move it away, then update again"
        )
        return SnapshotResult(name, "error", path=str(path), message=message)
    try:
        return snapshots.parse_file(current)
    except ManifestError as exc:
        message = (
            f"snapshot {path} is corrupt ({exc.message}); fix it or delete it and run "
            f"`helmkit snapshot --update --scenario {name}`"
        )
        return SnapshotResult(name, "error", path=str(path), message=message)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class Comparer:
    """Compares renders one at a time (as they arrive), then judges the stale files."""

    def __init__(self, config: HelmkitConfig, options: SnapshotOptions) -> None:
        self.config = config
        self.options = options
        self.directory = options.directory or config.snapshot_dir
        check_directory(config, self.directory)
        cache_dir = default_cache_dir(config) if options.use_cache else None
        self.cache = DerivedCache(cache_dir, "snapshot") if cache_dir else None
        self.results: dict[str, SnapshotResult] = {}

    def add(self, rendered: Rendered) -> None:
        result = compare(rendered, self.directory, self.options.update, self.cache)
        self.results[rendered.job.scenario.name] = result

    def report(self, order: Sequence[str]) -> SnapshotReport:
        report = SnapshotReport([self.results[name] for name in order])
        if not self.options.scenarios:  # stale files can only be judged when every scenario ran
            names = [s.name for s in all_scenarios(self.config)]
            stale = snapshots.stale_files(self.directory, names)
            report.stale = [str(p) for p in stale]
            if self.options.update:
                for path in stale:
                    path.unlink()
                report.stale_removed = True
        return report


def check_directory(config: HelmkitConfig, directory: Path) -> None:
    """Refuse a snapshot directory where an update could overwrite or delete project files."""
    protected = [config.path, *(p for env in config.environments.values() for p in env.values)]
    problem = snapshots.directory_problem(directory, config.path.parent, protected)
    if problem:
        raise UsageError(
            f"snapshot directory {directory} cannot be used: {problem}",
            hint="set `snapshotDir` in helmkit.yaml to a directory of its own inside the project, "
            "e.g. tests/snapshots",
        )


def compare_all(
    config: HelmkitConfig, renders: Sequence[Rendered], options: SnapshotOptions
) -> SnapshotReport:
    comparer = Comparer(config, options)
    for rendered in renders:
        comparer.add(rendered)
    return comparer.report([r.job.scenario.name for r in renders])


def snapshot_jobs(config: HelmkitConfig, names: Sequence[str]) -> list[render_plan.RenderJob]:
    """One render per scenario at the newest target Kubernetes version."""
    scenarios = pick(config, names=names)
    return render_plan.plan(scenarios, config.kube_versions, per_version=False)


def snapshot(
    config: HelmkitConfig, options: SnapshotOptions | None = None, helm: Helm | None = None
) -> SnapshotReport:
    options = options or SnapshotOptions()
    require_chart(config.chart)
    jobs = snapshot_jobs(config, options.scenarios)
    cache_dir = default_cache_dir(config) if options.use_cache else None
    memo = PersistentMemo(memo_file(cache_dir, "documents")) if cache_dir else None
    renders = render_jobs(config.chart, jobs, helm=helm, cache_dir=cache_dir, memo=memo)
    report = compare_all(config, renders, options)
    if memo is not None:
        memo.save()
    return report
