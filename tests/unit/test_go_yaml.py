"""go-yaml v2's plain scalar rules (what Helm reads); tests/cli/test_yaml_parity.py checks the
same forms against the real helm."""

from __future__ import annotations

import math

import pytest
import yaml

from helmkit.core.values import go_yaml


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("y", True), ("N", False), ("yes", True), ("Off", False), ("~", None), ("", None),
        ("12:30", "12:30"), ("2024-01-01", "2024-01-01"), ("0o17", 15), ("017", 15),
        ("08", 8.0), ("0x1F", 31), ("-0x1F", -31), ("0b101", 5), ("1_000", 1000),
        ("1e3", 1000.0), ("1E3", 1000.0), ("1e-3", 0.001), (".5", 0.5), ("+12", 12),
        ("1.10", 1.1), ("1.2.3", "1.2.3"), ("1e400", "1e400"), ("a:b", "a:b"),
        ("18446744073709551615", 2**64 - 1), ("-9223372036854775809", -9.223372036854776e18),
        ("yess", "yess"), ("0x", "0x"),
    ],
)  # fmt: skip
def test_plain_scalars(text: str, value: object) -> None:
    _, resolved = go_yaml.resolve_plain(text)
    assert resolved == value and type(resolved) is type(value)


def test_special_floats_resolve_and_are_refused_as_values() -> None:
    assert go_yaml.resolve_plain(".inf")[1] == math.inf
    with pytest.raises(go_yaml.HelmRefuses) as err:
        go_yaml.as_helm_reads({"a": [1, {"b": -math.inf}]})
    assert err.value.path == ("a", 1, "b")


def test_keys_become_text_and_null_keys_are_refused() -> None:
    data = yaml.load("{yes: 1, 12: 2, 1.5: 3, 1e6: 4, 'q': 5}", Loader=go_yaml.Loader)
    assert go_yaml.as_helm_reads(data) == {"true": 1, "12": 2, "1.5": 3, "1e+06": 4, "q": 5}
    with pytest.raises(go_yaml.HelmRefuses, match="null"):
        go_yaml.as_helm_reads({"x": {None: 1}})


def test_quoted_scalars_stay_text() -> None:
    assert yaml.load("[ 'y', \"12\", y ]", Loader=go_yaml.Loader) == ["y", "12", True]
