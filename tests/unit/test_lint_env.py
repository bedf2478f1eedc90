"""helm lint (helmkit's extra check) runs with Go's collector off unless the user chose."""

from __future__ import annotations

from helmkit.ops.lint import lint_env


def test_collector_off_with_a_memory_limit_by_default() -> None:
    assert lint_env({"PATH": "/bin"}) == {"GOGC": "off", "GOMEMLIMIT": "1GiB"}


def test_the_users_go_settings_win() -> None:
    assert lint_env({"GOGC": "100"}) == {"GOMEMLIMIT": "1GiB"}
    assert lint_env({"GOGC": "50", "GOMEMLIMIT": "200MiB"}) == {}
