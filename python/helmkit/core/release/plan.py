"""The release plan: what an upgrade would change, from the rendered manifests against the live
release. No change means no new revision (the release step is skipped).

Changes are described by field path; values are shown for ordinary objects but never for a
Secret (only the paths of its keys), so a plan can be printed in a CI log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from helmkit.core.model.live_manifests import KubeObject, ObjectKey, by_key

SHOWN_VALUE_CHARS = 60
MAX_PATHS_PER_OBJECT = 8


@dataclass(frozen=True)
class ObjectChange:
    key: ObjectKey
    action: str  # create | update | delete
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReleaseState:
    """One side of the comparison: a chart version and the manifests (hooks included)."""

    chart: str
    app_version: str
    objects: tuple[KubeObject, ...]


@dataclass(frozen=True)
class ReleasePlan:
    environment: str
    release: str
    namespace: str
    current_revision: int | None  # None: first install
    current_status: str
    desired_chart: str
    current_chart: str
    changes: tuple[ObjectChange, ...] = field(default_factory=tuple)
    # Secrets in both states whose values were not compared (a client-side render)
    unsettled_secrets: tuple[str, ...] = ()

    @property
    def first_install(self) -> bool:
        return self.current_revision is None

    @property
    def no_change(self) -> bool:
        """Nothing to do: same chart, same objects, and the live revision is healthy."""
        return (
            not self.first_install
            and self.current_status == "deployed"
            and self.desired_chart == self.current_chart
            and not self.changes
        )


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        if not value:
            yield prefix, {}
        for key in sorted(value, key=str):
            yield from _flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        if not value:
            yield prefix, []
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 3] + "..."


def changed_paths(old: KubeObject, new: KubeObject) -> list[str]:
    """Field paths that differ, with old -> new values unless the object is a Secret."""
    before = dict(_flatten(old))
    after = dict(_flatten(new))
    secret = new.get("kind") == "Secret" or old.get("kind") == "Secret"
    lines: list[str] = []
    for path in sorted(set(before) | set(after)):
        if before.get(path, _MISSING) == after.get(path, _MISSING):
            continue
        if secret:
            lines.append(f"{path} changed (value hidden)")
        elif path not in before:
            lines.append(f"{path}: + {_short(after[path])}")
        elif path not in after:
            lines.append(f"{path}: - {_short(before[path])}")
        else:
            lines.append(f"{path}: {_short(before[path])} -> {_short(after[path])}")
    return lines


_MISSING = object()


def without_secret_values(obj: KubeObject) -> KubeObject:
    """A Secret with every data value blanked (its keys kept); any other object unchanged."""
    if obj.get("kind") != "Secret":
        return obj
    blanked = dict(obj)
    for field_name in ("data", "stringData"):
        if isinstance(obj.get(field_name), dict):
            blanked[field_name] = dict.fromkeys(obj[field_name], "")
    return blanked


def diff_objects(
    live: list[KubeObject], desired: list[KubeObject], *, secret_values: bool = True
) -> list[ObjectChange]:
    """Changes from live to desired. Without `secret_values` (a client-side render, whose
    generated Secret values are random) Secrets are compared by their keys only."""
    if not secret_values:
        live = [without_secret_values(obj) for obj in live]
        desired = [without_secret_values(obj) for obj in desired]
    old = by_key(live)
    new = by_key(desired)
    changes: list[ObjectChange] = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            changes.append(ObjectChange(key, "create"))
        elif key not in new:
            changes.append(ObjectChange(key, "delete"))
        elif old[key] != new[key]:
            changes.append(ObjectChange(key, "update", tuple(changed_paths(old[key], new[key]))))
    return changes


def build_plan(
    *,
    environment: str,
    release: str,
    namespace: str,
    current_revision: int | None,
    current_status: str,
    current: ReleaseState | None,
    desired: ReleaseState,
    secret_values: bool = True,
) -> ReleasePlan:
    # The chart names its Jobs after a hash of their spec, never the revision, so an unchanged
    # release renders the same objects and the plan needs no special case for them.
    live_objects = list(current.objects) if current else []
    desired_objects = list(desired.objects)
    return ReleasePlan(
        environment=environment,
        release=release,
        namespace=namespace,
        current_revision=current_revision,
        current_status=current_status,
        desired_chart=desired.chart,
        current_chart=current.chart if current else "",
        changes=tuple(diff_objects(live_objects, desired_objects, secret_values=secret_values)),
        unsettled_secrets=() if secret_values else _kept_secrets(live_objects, desired_objects),
    )


def _kept_secrets(live: list[KubeObject], desired: list[KubeObject]) -> tuple[str, ...]:
    old, new = by_key(live), by_key(desired)
    return tuple(str(key) for key in sorted(set(old) & set(new)) if key.kind == "Secret")


def describe_plan(plan: ReleasePlan) -> list[str]:
    """Lines for a person: what happens, then one block per changed object."""
    where = f"release {plan.release} in namespace {plan.namespace} ({plan.environment})"
    if plan.first_install:
        head = f"plan: install {where}, chart {plan.desired_chart}"
    elif plan.no_change:
        head = f"plan: no change for {where}; revision {plan.current_revision} stays"
    else:
        head = (
            f"plan: upgrade {where} from revision {plan.current_revision} "
            f"({plan.current_status}, {plan.current_chart}) to chart {plan.desired_chart}"
        )
    lines = [head]
    for change in plan.changes:
        lines.append(f"  {change.action:<6} {change.key}")
        shown = change.paths[:MAX_PATHS_PER_OBJECT]
        lines += [f"           {path}" for path in shown]
        if len(change.paths) > len(shown):
            lines.append(f"           ... {len(change.paths) - len(shown)} more field(s)")
    if plan.unsettled_secrets and not plan.no_change and not plan.first_install:
        lines.append(
            "  values not compared (a client-side render cannot read them; helm reuses generated "
            f"ones): {', '.join(plan.unsettled_secrets)}"
        )
    if not plan.changes and not plan.no_change and not plan.first_install:
        lines.append(
            f"  objects unchanged; revision {plan.current_revision} is "
            f"{plan.current_status}, so a new revision is made"
        )
    return lines
