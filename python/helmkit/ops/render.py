"""Render scenarios with helm, in parallel, through a content-hash cache.

Public API (also used by the release gate):
    render_jobs(chart, jobs, helm=None, cache_dir=...) -> list[Rendered]
    iter_render_jobs(...) -> (index, Rendered) as each render finishes
    render_environment(config, env, set_values, out_dir) -> list[K8sObject]
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helmkit.adapters.helm import Helm, HelmResult, default_jobs, mask_argv
from helmkit.core.config import HelmkitConfig
from helmkit.core.model import content_hash
from helmkit.core.model.manifests import K8sObject, ManifestError, dump_yaml, parse_manifests
from helmkit.core.render import cache_policy
from helmkit.core.render.plan import RenderJob, version_key
from helmkit.core.render.scenarios import Scenario, scenario_names
from helmkit.core.values import secret_keys
from helmkit.errors import HelmError, UsageError


@dataclass(frozen=True)
class Rendered:
    job: RenderJob
    manifests: str
    error: HelmError | None = None
    cached: bool = False
    key: str = ""  # content key: same key, same manifests (derived results may be cached on it)
    memo: PersistentMemo | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    @functools.cached_property
    def parsed(self) -> tuple[K8sObject, ...]:
        """Parsed once, shared by lint and snapshot (parsing is the costly part)."""
        return tuple(parse_manifests(self.manifests, self.memo)) if self.ok else ()

    def objects(self) -> list[K8sObject]:
        return list(self.parsed)


def default_cache_dir(config: HelmkitConfig) -> Path:
    return config.path.parent / ".helmkit-cache" / "renders"


@functools.cache
def code_digest() -> str:
    """Size and mtime of helmkit's own modules: results derived by older code are not reused."""
    root = Path(__file__).resolve().parents[1]
    parts = [
        f"{p.relative_to(root)}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted(root.rglob("*.py"))
    ]
    return content_hash.combine(*parts)


class PersistentMemo(dict[str, Any]):
    """A JSON-backed memo of content-addressed results (parsed documents, schema verdicts),
    shared by every scenario of a run and kept between runs: after a template edit, only the
    documents that changed are parsed and validated again. `save` keeps the entries the run
    used (hits and new ones), so the file does not grow without bound."""

    def __init__(self, path: Path | None, *, load: bool = True) -> None:
        """`load=False` leaves reading the file to `load()`: `helmkit lint` starts helm
        first and reads its memos while helm works."""
        super().__init__()
        self.path = path
        self.used: set[str] = set()
        self.added = False
        if load:
            self.load()

    def load(self) -> None:
        text = read_cached(self.path)
        if text is not None:
            with contextlib.suppress(ValueError, TypeError):  # damaged: only a slower run
                self.update(json.loads(text))

    def __contains__(self, key: object) -> bool:
        found = super().__contains__(key)
        if found and isinstance(key, str):
            self.used.add(key)
        return found

    def __setitem__(self, key: str, value: Any) -> None:
        self.used.add(key)
        self.added = True
        super().__setitem__(key, value)

    def save(self) -> None:
        """Rewrite only when this run added entries (a fully cached run leaves it alone)."""
        if self.path is not None and self.added:
            store(self.path, json.dumps({k: self[k] for k in self.used if k in self.keys()}))
            self.added = False


def memo_file(cache_dir: Path | None, name: str) -> Path | None:
    return cache_dir / f"{name}-{code_digest()[:16]}.json" if cache_dir else None


class DerivedCache:
    """Results derived from a render (findings, snapshot text), stored next to the renders."""

    def __init__(self, directory: Path | None, kind: str, *salt: str) -> None:
        self.directory = directory
        self.kind = kind
        self.salt = content_hash.combine(code_digest(), *salt) if directory else ""

    def _path(self, key: str) -> Path | None:
        if self.directory is None or not key:
            return None
        return self.directory / f"{content_hash.combine(self.salt, key)}.{self.kind}"

    def get(self, key: str) -> str | None:
        return read_cached(self._path(key))

    def put(self, key: str, text: str) -> None:
        path = self._path(key)
        if path is not None:
            store(path, text)


# directories whose cache failed once in this process: the run goes on without them
_broken: set[Path] = set()


def cache_failed(path: Path, exc: BaseException) -> None:
    """Warn once per cache directory; every later read misses and every write is skipped."""
    directory = path.parent
    if directory not in _broken:
        _broken.add(directory)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(
            f"helmkit: warning: the cache at {directory} cannot be used ({path.name}: {reason}); "
            "running without it",
            file=sys.stderr,
        )


def read_cached(path: Path | None) -> str | None:
    """A cache entry's text and a touch (its mtime marks it used); None on a miss, including an
    entry another run's prune deleted a moment ago, and on any other read error (warned)."""
    if path is None or path.parent in _broken:
        return None
    try:
        text = path.read_text("utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        cache_failed(path, exc)
        return None
    touch(path)
    return text


def touch(path: Path) -> None:
    """A cache hit: its mtime now says it was useful (see core/render/cache_policy)."""
    with contextlib.suppress(OSError):
        os.utime(path)


PRUNED_MARKER = ".pruned"


def prune(cache_dir: Path | None) -> list[str]:
    """Delete cache entries no run used for two weeks, then the oldest beyond the size limit;
    at most once a day. Returns the deleted names (nothing is worth failing a run for)."""
    if cache_dir is None:
        return []
    with contextlib.suppress(OSError):
        return _prune(cache_dir)
    return []


def _prune(cache_dir: Path) -> list[str]:
    marker = cache_dir / PRUNED_MARKER
    now = time.time()
    last = marker.stat().st_mtime if marker.is_file() else None
    if not cache_dir.is_dir() or not cache_policy.due(last, now):
        return []
    entries = []
    for path in cache_dir.iterdir():
        with contextlib.suppress(OSError):
            if path.is_file() and path.name != PRUNED_MARKER:
                info = path.stat()
                entries.append(cache_policy.Entry(path.name, info.st_mtime, info.st_size))
    deleted = cache_policy.to_prune(entries, now)
    for name in deleted:
        with contextlib.suppress(OSError):
            (cache_dir / name).unlink()
    store(marker, "")
    return deleted


def require_chart(chart: Path) -> None:
    if not (chart / "Chart.yaml").is_file():
        raise UsageError(
            f"no chart at {chart} (no Chart.yaml there)",
            hint="check `chart:` in helmkit.yaml or the CHART argument",
        )


def helm_identity(helm: Helm) -> str:
    """Binary path, size and mtime: a new helm invalidates the cache without running it."""
    return helm.identity() or os.path.realpath(helm.executable)


def store(path: Path, text: str) -> None:
    """Write a cache entry, readable by its owner only; a failure is warned about once and
    the run goes on without the cache."""
    if path.parent in _broken:
        return
    # a name no other process or thread writes (tempfile would cost its import on every run)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        _private_dir(path.parent)
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)  # atomic: parallel runs never read half a file
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        cache_failed(path, exc)


_private: set[Path] = set()


def _private_dir(directory: Path) -> None:
    """The cache directory and its parent (.helmkit-cache) are the owner's only (0700): cached
    renders hold the chart's configuration."""
    if directory in _private:
        return
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for each in (directory, directory.parent):
        if each.name in (".helmkit-cache", directory.name) and each.is_dir():
            os.chmod(each, 0o700)
    _private.add(directory)


def _run_catching(helm: Helm, argv: list[str]) -> HelmResult | HelmError:
    try:
        return helm.run(argv)
    except HelmError as exc:
        return exc


def iter_render_jobs(
    chart: Path,
    jobs: Sequence[RenderJob],
    *,
    helm: Helm | None = None,
    cache_dir: Path | None = None,
    memo: PersistentMemo | None = None,
    pool: Executor | None = None,
    digest: str | None = None,
    with_secret_values: bool = False,
) -> Iterator[tuple[int, Rendered]]:
    """(job index, result) in completion order, cached ones first.

    The cache keeps Secrets masked (see core.values.secret_keys.mask_secrets): lint and snapshots
    never look at Secret values; `with_secret_values=True` (`helmkit render`) renders again
    when a cached render had Secret values masked.

    Every helm process is started before this returns, so the caller can do other work (and
    check each render as it arrives) while helm renders the rest. `pool` lets a caller run
    other helm calls (e.g. `helm lint`) in the same slots, so the parallelism stays the same.
    """
    require_chart(chart)
    helm = helm or Helm.discover()
    digest = digest or content_hash.hash_tree(chart)
    identity = helm_identity(helm)
    keys = [job.cache_key(digest, identity) for job in jobs]
    done: list[tuple[int, Rendered]] = []
    missing: list[int] = []
    for index, job in enumerate(jobs):
        cached = cache_dir / f"{keys[index]}.yaml" if cache_dir else None
        text = read_cached(cached)
        if text is not None and with_secret_values and secret_keys.has_masked_secrets(text):
            text = None
        if text is not None:
            done.append((index, Rendered(job, text, cached=True, key=keys[index], memo=memo)))
        else:
            missing.append(index)
    if not missing:
        return iter(done)
    _ = helm.version  # refuses an unsupported helm before rendering anything
    own_pool = pool is None
    executor = pool or ThreadPoolExecutor(max_workers=max(1, min(default_jobs(), len(missing))))
    futures = {executor.submit(_run_catching, helm, jobs[i].argv(chart)): i for i in missing}

    def rest() -> Iterator[tuple[int, Rendered]]:
        try:
            yield from done
            for future in as_completed(futures):
                index = futures[future]
                output = future.result()
                if isinstance(output, HelmResult) and not cache_policy.render_complete(
                    output.stdout
                ):
                    argv = mask_argv(["helm", *jobs[index].argv(chart)])
                    output = HelmError(argv, 0, cache_policy.CANCELLED_RENDER)
                if isinstance(output, HelmError):
                    yield index, Rendered(jobs[index], "", error=output, key=keys[index])
                    continue
                masked = secret_keys.mask_secrets(output.stdout) if cache_dir else None
                if cache_dir is not None and masked is not None:
                    store(cache_dir / f"{keys[index]}.yaml", masked)
                yield index, Rendered(jobs[index], output.stdout, key=keys[index], memo=memo)
        finally:
            if own_pool:
                executor.shutdown(wait=True, cancel_futures=True)

    return rest()


def render_jobs(
    chart: Path,
    jobs: Sequence[RenderJob],
    *,
    helm: Helm | None = None,
    cache_dir: Path | None = None,
    memo: PersistentMemo | None = None,
    with_secret_values: bool = False,
) -> list[Rendered]:
    """Every job's manifests (or helm's error), cached by content when cache_dir is given."""
    arriving = iter_render_jobs(
        chart,
        jobs,
        helm=helm,
        cache_dir=cache_dir,
        memo=memo,
        with_secret_values=with_secret_values,
    )
    results = dict(arriving)
    return [results[i] for i in range(len(jobs))]


def render_environment(
    config: HelmkitConfig,
    environment: str | None,
    *,
    values_files: Sequence[Path] = (),
    set_values: Sequence[str] = (),
    kube_version: str | None = None,
    helm: Helm | None = None,
    use_cache: bool = True,
) -> list[K8sObject]:
    """An environment's manifests with its real release name and namespace (or a custom set),
    Secret values included."""
    if environment:
        env = config.environment(environment)
        scenario = Scenario(
            environment, (*env.values, *values_files), tuple(set_values), env.release, env.namespace
        )
    else:
        release, namespace = scenario_names(config)
        scenario = Scenario("custom", tuple(values_files), tuple(set_values), release, namespace)
    for path in scenario.values_files:
        if not path.is_file():
            raise UsageError(f"values file {path} does not exist", hint="check the path")
    newest = max(config.kube_versions, key=version_key)
    job = RenderJob(scenario, kube_version or newest)
    cache_dir = default_cache_dir(config) if use_cache else None
    (result,) = render_jobs(
        config.chart, [job], helm=helm, cache_dir=cache_dir, with_secret_values=True
    )
    if result.error is not None:
        raise result.error
    try:
        return result.objects()
    except ManifestError:
        raise


RENDER_MARKER = "# helmkit render: "  # the first line of every file `render --out` writes


@dataclass(frozen=True)
class WrittenObjects:
    written: list[Path]
    removed: list[Path]  # files of an earlier `render --out` no object of this render rewrote


def file_names(objects: Sequence[K8sObject]) -> list[str]:
    """One safe file name per object: `[<namespace>-]<kind>-<name>.yaml`, every character
    outside [A-Za-z0-9._-] replaced (no `/`, no `..` path, no absolute path), no leading dot,
    at most 200 characters; a name two objects share gets `-2`, `-3`, ..."""
    names: list[str] = []
    taken: set[str] = set()
    for obj in objects:
        stem = f"{obj.kind.lower()}-{obj.name}"
        if obj.namespace:
            stem = f"{obj.namespace}-{stem}"
        stem = _UNSAFE.sub("_", stem).lstrip(".")[:200] or "object"
        name, count = f"{stem}.yaml", 1
        while name.lower() in taken:  # lower: a case-insensitive file system collides too
            count += 1
            name = f"{stem}-{count}.yaml"
        taken.add(name.lower())
        names.append(name)
    return names


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def check_out_dir(out_dir: Path, project: Path) -> None:
    """Refuse an output directory where writing could clobber what is not ours: the file
    system root, the home directory, the project (or a directory above it), a chart, or
    something that is not a directory."""
    target = out_dir.expanduser().resolve()
    root = project.resolve()
    problem = ""
    existing = next(p for p in (target, *target.parents) if p.exists())
    if not existing.is_dir():
        problem = f"{existing} is not a directory"
    elif target == Path(target.anchor) or target == Path.home().resolve():
        problem = "it is the file system root or your home directory"
    elif target == root or target in root.parents:
        problem = f"it is the project directory ({root}) or holds it"
    elif (target / "Chart.yaml").exists() or (target / "helmkit.yaml").exists():
        problem = "it holds a chart or a helmkit.yaml"
    if problem:
        raise UsageError(
            f"--out {out_dir} cannot be used: {problem}",
            hint="write to a directory of its own, e.g. --out out/staging",
        )


def write_objects(objects: Sequence[K8sObject], out_dir: Path) -> WrittenObjects:
    """One file per object (see file_names). Files an earlier `render --out` wrote (they start
    with RENDER_MARKER) are replaced or removed; any other file is left alone, and a name
    that would overwrite one refuses the whole render before anything is written."""
    names = file_names(objects)
    foreign = [
        out_dir / name
        for name in names
        if (out_dir / name).exists() and not _written_by_render(out_dir / name)
    ]
    if foreign:
        raise UsageError(
            f"--out {out_dir}: {foreign[0].name} exists and was not written by helmkit render "
            "(nothing was written)",
            hint="move it away or pick an empty directory",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    earlier = [p for p in out_dir.iterdir() if p.is_file() and _written_by_render(p)]
    written: list[Path] = []
    for obj, name in zip(objects, names, strict=True):
        path = out_dir / name
        header = f"{RENDER_MARKER}{obj.kind}/{obj.name}\n# Source: {obj.source}\n"
        path.write_text(header + dump_yaml(obj.body), encoding="utf-8")
        written.append(path)
    kept = set(written)
    removed = [p for p in earlier if p not in kept]
    for path in removed:
        path.unlink()
    return WrittenObjects(written, removed)


def _written_by_render(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(RENDER_MARKER)) == RENDER_MARKER.encode()
    except OSError:
        return False
