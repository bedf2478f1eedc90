"""`helmkit history`: one row per revision with its images, provenance and the exact commands."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from helmkit.core.model import live_manifests as lm
from helmkit.core.release import revisions as rv
from helmkit.errors import HelmError
from helmkit.ops.live import LiveEnv

DEFAULT_ROWS = 10
PARALLEL_READS = 4  # helm processes at once: enough to hide their start-up, gentle on 2 cores


def _images(live: LiveEnv, revision: int) -> dict[str, list[str]]:
    try:
        return lm.images_by_component(live.manifest(revision))
    except HelmError:
        return {}  # a failed first install may have no stored manifest


def rows(live: LiveEnv, *, limit: int = DEFAULT_ROWS) -> list[rv.RevisionRow]:
    """The manifests of the revisions and the release labels are read at once."""
    revisions = live.history()[-limit:]
    with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
        labels_read = pool.submit(live.kube.release_labels, live.env.release, live.env.namespace)
        read = {rev.number: pool.submit(_images, live, rev.number) for rev in revisions}
        images = {number: future.result() for number, future in read.items()}
        labels = labels_read.result()
    return rv.build_rows(
        revisions,
        environment=live.env.name,
        version=live.version,
        target=live.target,
        timeout=live.timeout,
        images=images,
        labels=labels,
    )


def print_rows(live: LiveEnv, found: list[rv.RevisionRow], *, fmt: str) -> None:
    if fmt == "json":
        live.echo(json.dumps([row.as_json() for row in found], indent=2))
        return
    if fmt == "markdown":
        live.echo("\n".join(rv.format_markdown(found)))
        return
    if not found:
        live.echo(f"release {live.env.release} has no revisions in namespace {live.env.namespace}")
        return
    for line in rv.format_rows(found):
        live.echo(line)
