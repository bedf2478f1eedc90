"""Single-component rollback values."""

from __future__ import annotations

import pytest

from helmkit.core.release import component_rollback as cr
from helmkit.errors import UsageError

REV1_ALL = {
    "backend": {
        "image": {"repository": "ai-native-backend", "tag": "", "digest": ""},
        "replicaCount": 2,
    },
    "frontend": {"image": {"repository": "ai-native-frontend", "tag": "0.9.0", "digest": ""}},
    "postgresql": {"image": {"repository": "postgres", "tag": "16"}, "enabled": True},
    "config": {"jwt": {"algorithm": "HS256"}},
}
CURRENT_USER = {
    "backend": {"image": {"tag": "2.0.0"}},
    "frontend": {"image": {"tag": "2.0.0"}},
    "secrets": {"jwtSecretKey": "kept"},
}


def test_only_the_component_changes_and_app_version_tag_is_pinned() -> None:
    values = cr.restore_component(
        CURRENT_USER, REV1_ALL, "backend", revision=1, revision_app_version="1.0.0"
    )
    assert values["backend"]["image"] == {
        "repository": "ai-native-backend",
        "tag": "1.0.0",
        "digest": "",
    }
    assert values["backend"]["replicaCount"] == 2
    assert values["frontend"] == CURRENT_USER["frontend"]
    assert values["secrets"] == CURRENT_USER["secrets"]
    assert CURRENT_USER["backend"] == {"image": {"tag": "2.0.0"}}, "input must not be mutated"


def test_explicit_tag_is_kept() -> None:
    values = cr.restore_component(
        CURRENT_USER, REV1_ALL, "frontend", revision=1, revision_app_version="1.0.0"
    )
    assert values["frontend"]["image"]["tag"] == "0.9.0"


def test_unknown_component_lists_the_known_ones() -> None:
    assert cr.components(REV1_ALL) == ["backend", "frontend", "postgresql"]
    with pytest.raises(
        UsageError, match=r"no component 'config' \(components: backend, frontend, postgresql\)"
    ):
        cr.restore_component(CURRENT_USER, REV1_ALL, "config", revision=1, revision_app_version="")


def test_changed_keys() -> None:
    before = {"a": {"b": 1, "c": {"d": 2}}, "e": 3}
    after = {"a": {"b": 1, "c": {"d": 5}}, "f": 4}
    assert cr.changed_keys(before, after) == ["a.c.d", "e", "f"]
