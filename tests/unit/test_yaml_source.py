"""YAML with the line of every key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from helmkit.core.yaml_source import format_key_path, load_yaml_file, parse_yaml
from helmkit.errors import InputFileError

TEXT = """\
a:
  b:
    - x
    - c: 1
d: 2
"""


def test_lines_of_keys_and_items() -> None:
    doc = parse_yaml(TEXT, "f.yaml")
    assert doc.line_of(["a"]) == 1
    assert doc.line_of(["a", "b", 1, "c"]) == 4
    assert doc.line_of(["d"]) == 5
    assert doc.line_of(["a", "b", 0]) == 3


def test_unknown_path_falls_back_to_the_deepest_prefix() -> None:
    assert parse_yaml(TEXT, "f.yaml").line_of(["a", "b", 1, "nope", "deeper"]) == 4


def test_syntax_error_has_file_and_line() -> None:
    with pytest.raises(InputFileError) as err:
        parse_yaml("a: 1\nb: [\n", "bad.yaml")
    assert err.value.path == "bad.yaml"
    assert err.value.line == 3


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        load_yaml_file(str(tmp_path / "none.yaml"))


@pytest.mark.parametrize(
    ("path", "text"), [([], "(top level)"), (["a", 0, "b"], "a[0].b"), (["x"], "x")]
)
def test_format_key_path(path: list, text: str) -> None:  # type: ignore[type-arg]
    assert format_key_path(path) == text
