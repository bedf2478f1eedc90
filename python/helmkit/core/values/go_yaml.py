"""YAML read the way Helm reads values files and Chart.yaml: go-yaml v2's scalar rules, then
sigs.k8s.io/yaml's conversion to JSON (Helm 4 and Helm 3 alike).

PyYAML follows YAML 1.1, which differs from go-yaml v2 on plain scalars: `y`/`n` are booleans to
Helm, `12:30` (sexagesimal) and `2024-01-01` stay strings, `0o17` and `1e3` are numbers; keys
become strings (`yes:` is "true", `12:` is "12"); a null key, `.inf` and `.nan` are refused
(JSON has none of them). tests/cli/test_yaml_parity.py holds these rules to the real helm4 and
helm3 on every form.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import yaml

_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:bool"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_NULL, _MERGE = "tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"

# go-yaml v2's resolve table: what a plain scalar is, by its whole text
_SPECIAL: dict[str, tuple[str, Any]] = {
    **{word: (_BOOL, True) for word in "y Y yes Yes YES on On ON true True TRUE".split()},
    **{word: (_BOOL, False) for word in "n N no No NO off Off OFF false False FALSE".split()},
    **{word: (_NULL, None) for word in ("", "~", "null", "Null", "NULL")},
    **{word: (_FLOAT, math.inf) for word in ".inf .Inf .INF +.inf +.Inf +.INF".split()},
    **{word: (_FLOAT, -math.inf) for word in "-.inf -.Inf -.INF".split()},
    **{word: (_FLOAT, math.nan) for word in ".nan .NaN .NAN".split()},
    "<<": (_MERGE, "<<"),
}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1
_BASES = {"0x": 16, "0o": 8, "0b": 2}
_DIGITS = {
    16: re.compile(r"[0-9a-fA-F]+"),
    10: re.compile(r"[0-9]+"),
    8: re.compile(r"[0-7]+"),
    2: re.compile(r"[01]+"),
}


class HelmRefuses(ValueError):
    """Helm's parser refuses this data (a null key, infinity, NaN)."""

    def __init__(self, path: tuple[str | int, ...], problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), else ParseUint(text, 0, 64): a sign, a base prefix
    (0x, 0o, 0b) or a leading 0 for octal; None when Go refuses it."""
    sign, digits = (-1, text[1:]) if text[:1] == "-" else (1, text.removeprefix("+"))
    prefix = digits[:2].lower()
    base = _BASES.get(prefix, 8 if len(digits) > 1 and digits[0] == "0" else 10)
    body = digits[2:] if prefix in _BASES else digits
    if not _DIGITS[base].fullmatch(body):
        return None
    value = sign * int(body, base)
    unsigned = text[:1] not in "+-"
    if _INT64[0] <= value <= _INT64[1] or (unsigned and 0 <= value <= _UINT64_MAX):
        return value
    return None


def _go_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64) for decimal text (underscores between digits, as in
    Python): out of range is an error."""
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isinf(value) else value


def resolve_plain(text: str) -> tuple[str, Any]:
    """(tag, value) of a plain scalar as go-yaml v2 resolves it for an interface{} target."""
    if text in _SPECIAL:
        return _SPECIAL[text]
    number: int | float | None = None
    first = text[:1]
    if first == ".":
        number = _go_float(text)
    elif first in "+-" or first.isdigit():
        plain = text.replace("_", "")
        number = _go_int(plain)
        if number is None and _YAML_STYLE_FLOAT.fullmatch(plain):
            number = _go_float(plain)
    if number is None:
        return _STR, text  # timestamps too: go-yaml keeps them as strings in an interface{}
    return (_INT if isinstance(number, int) else _FLOAT), number


class Loader(_BASE):  # type: ignore[misc]
    """libyaml's parser with go-yaml v2's scalar resolution."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return resolve_plain(value)[0]
        return str(super().resolve(kind, value, implicit))


def _construct(loader: Any, node: yaml.ScalarNode) -> Any:
    tag, value = resolve_plain(node.value)
    return value if tag == node.tag else loader.construct_scalar(node)


for _tag in (_BOOL, _INT, _FLOAT, _NULL):
    Loader.add_constructor(_tag, _construct)


def _key_text(key: Any, path: tuple[str | int, ...]) -> str:
    """sigs.k8s.io/yaml's map key conversion: strings stay, scalars are formatted."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float) and math.isfinite(key):
        return _go_shortest_g(key)
    shown = "null" if key is None else repr(key)
    raise HelmRefuses(path, f"a map key of {shown}: Helm refuses it (keys must be text)")


def _go_shortest_g(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, ...): shortest digits, an exponent below 1e-4 or
    from 1e6 on."""
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    power = len(text) + int(exponent) - 1
    if power < -4 or power >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{'-' if sign else ''}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    return f"{'-' if sign else ''}{Decimal(repr(abs(value))).normalize():f}"


def as_helm_reads(data: Any, path: tuple[str | int, ...] = ()) -> Any:
    """`data` as Helm holds it after converting YAML to JSON: keys as strings; infinity and
    NaN refused (HelmRefuses names the key path)."""
    if isinstance(data, dict):
        return {
            (text := _key_text(key, path)): as_helm_reads(value, (*path, text))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [as_helm_reads(item, (*path, index)) for index, item in enumerate(data)]
    if isinstance(data, float) and not math.isfinite(data):
        raise HelmRefuses(path, f"{data} is not a JSON number: Helm refuses it")
    return data
