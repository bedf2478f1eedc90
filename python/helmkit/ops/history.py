"""`helmkit history`: one row per revision with its images, provenance and the exact commands."""

from __future__ import annotations

import json

from helmkit.core import live_manifests as lm
from helmkit.core import revisions as rv
from helmkit.errors import HelmError
from helmkit.ops.live import LiveEnv

DEFAULT_ROWS = 10


def rows(live: LiveEnv, *, limit: int = DEFAULT_ROWS) -> list[rv.RevisionRow]:
    revisions = live.history()[-limit:]
    images: dict[int, dict[str, list[str]]] = {}
    for rev in revisions:
        try:
            images[rev.number] = lm.images_by_component(live.manifest(rev.number))
        except HelmError:
            images[rev.number] = {}  # a failed first install may have no stored manifest
    labels = live.kube.release_labels(live.env.release, live.env.namespace)
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
    if not found:
        live.echo(f"release {live.env.release} has no revisions in namespace {live.env.namespace}")
        return
    for line in rv.format_rows(found):
        live.echo(line)
