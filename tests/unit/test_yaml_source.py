"""YAML with the line of every key path."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from helmkit.core.values import yaml_source
from helmkit.core.values.yaml_source import format_key_path, load_yaml_file, parse_yaml
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


# --- limits ------------------------------------------------------------------------------------


def _bomb(levels: int) -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    names = "abcdefghijklmnop"
    for parent, child in itertools.pairwise(names[:levels]):
        lines.append(f"{child}: &{child} [{','.join([f'*{parent}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_like_go_yaml_does() -> None:
    with pytest.raises(InputFileError, match=r"bomb.yaml:\d+: excessive aliasing"):
        parse_yaml(_bomb(9), "bomb.yaml")


def test_a_few_aliases_are_fine() -> None:
    text = "base: &b {x: 1, z: 2}\n" + "".join(f"k{i}: *b\n" for i in range(200))
    doc = parse_yaml(text, "anchors.yaml")
    assert doc.data["k199"] == {"x": 1, "z": 2}


def test_expansion_beyond_the_node_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_EXPANDED_NODES", 50)
    with pytest.raises(InputFileError, match="expands to more than 50 nodes"):
        parse_yaml("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a]\n", "x.yaml")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(InputFileError, match="alias \\*a refers to itself"):
        parse_yaml("a: &a [1, *a]\n", "rec.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "".join("  " * i + f"k{i}:\n" for i in range(990)) + "  " * 990 + "v: 1\n",
        "- " * 5000 + "x\n",
    ],
    ids=["block-mapping", "block-sequence"],
)
def test_too_deep_is_refused_not_a_recursion_error(text: str) -> None:
    with pytest.raises(InputFileError, match=r"deep.yaml:\d+: nested more than 100 levels"):
        parse_yaml(text, "deep.yaml")


def test_depth_at_the_limit_is_accepted() -> None:
    depth = yaml_source.MAX_DEPTH
    text = "".join("  " * i + f"k{i}:\n" for i in range(depth - 1)) + "  " * (depth - 1) + "v: 1\n"
    node = parse_yaml(text, "ok.yaml").data
    for i in range(depth - 1):
        node = node[f"k{i}"]
    assert node == {"v": 1}


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    doc = parse_yaml("a:\n  b: 1\n  c: [{d: 1, d: 2}]\n  b: 3\n", "dup.yaml")
    assert doc.data["a"]["b"] == 3, "the later one wins, as in Helm"
    found = {(d.key_path, d.line, d.first_line) for d in doc.duplicates}
    assert found == {(("a", "c", 0, "d"), 3, 3), (("a", "b"), 4, 2)}


def test_no_duplicates_in_a_normal_file() -> None:
    assert parse_yaml(TEXT, "f.yaml").duplicates == ()


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_BYTES", 10)
    (tmp_path / "big.yaml").write_text("a: 12345678901\n")
    with pytest.raises(InputFileError, match="big.yaml: larger than"):
        load_yaml_file(str(tmp_path / "big.yaml"))
