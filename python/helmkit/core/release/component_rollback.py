"""Roll back one component as an upgrade: take the values the release runs with now and put back
only that component's subtree from revision N. Helm then records a new revision, so Helm and the
cluster never drift apart the way they do after `kubectl rollout undo`."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from helmkit.errors import UsageError

# Components whose image tag defaults to the chart's appVersion (chart-design: images).
APP_VERSION_TAGGED = frozenset({"backend", "frontend"})


def components(all_values: Mapping[str, Any]) -> list[str]:
    """Top-level keys that look like a component: a mapping with an `image`."""
    return sorted(
        key
        for key, value in all_values.items()
        if isinstance(value, Mapping) and isinstance(value.get("image"), Mapping)
    )


def restore_component(
    current_user_values: Mapping[str, Any],
    revision_all_values: Mapping[str, Any],
    component: str,
    *,
    revision: int,
    revision_app_version: str,
) -> dict[str, Any]:
    """The values for the upgrade: current user-supplied values, with `component` replaced by its
    computed values from revision N. An empty image tag meant "the chart's appVersion" at N, so it
    is pinned to N's appVersion; otherwise a newer chart would pick its own."""
    known = components(revision_all_values)
    if component not in known:
        raise UsageError(
            f"revision {revision} has no component {component!r} (components: {', '.join(known)})",
            hint="pass --component with one of the names listed",
        )
    restored = copy.deepcopy(dict(revision_all_values[component]))
    image = restored.get("image")
    if (
        component in APP_VERSION_TAGGED
        and isinstance(image, dict)
        and not image.get("tag")
        and not image.get("digest")
        and revision_app_version
    ):
        image["tag"] = revision_app_version
    values = copy.deepcopy(dict(current_user_values))
    values[component] = restored
    return values


def changed_keys(
    before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = ""
) -> list[str]:
    """Dotted keys whose value differs; used to print the plan (values are not printed because a
    component's values can hold credentials)."""
    keys: list[str] = []
    for key in sorted(set(before) | set(after)):
        path = f"{prefix}.{key}" if prefix else str(key)
        old, new = before.get(key), after.get(key)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            keys += changed_keys(old, new, path)
        elif old != new:
            keys.append(path)
    return keys
