"""Chart versions and dependency constraints as Helm reads them.

Versions are `semver` package objects (parsing, precedence, pre-releases); constraints follow
Masterminds semver v3.5 (the library helm uses: `~1`, `^0.0`, `1.2.x`, `>=1 <2 || 3.x`,
`1.2 - 1.4`, pre-releases only when the constraint names one), ported from its
constraints.go; tests/cli/test_semver_parity.py asks the real helm4 and helm3 (`helm dependency
list`) about every form.

    satisfies("^0.2", "0.2.5")   # True
    satisfies("~1", "2.0.0")     # False
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import semver

_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CONSTRAINT = re.compile(rf"^\s*({_OPS})\s*({_CV})\s*$")
_RANGE = re.compile(rf"\s*({_CV})\s+-\s+({_CV})\s*")
_FIND = re.compile(rf"({_OPS})\s*({_CV})")
_VALID = re.compile(rf"^(\s*({_OPS})\s*({_CV})\s*)((?:\s+|,\s*)({_OPS})\s*({_CV})\s*)*$")
_LOOSE = re.compile(
    r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
)
_X = ("x", "X", "*")


def parse_version(text: str) -> semver.Version | None:
    """A version as helm's NewVersion reads it (`v` prefix, missing minor/patch and leading
    zeros allowed); None when it is not one."""
    match = _LOOSE.match(text)
    if not match or len(text) > 256:
        return None
    major, minor, patch = (int((g or "0").lstrip(".")) for g in match.group(1, 2, 3))
    return semver.Version(major, minor, patch, match.group(5), match.group(8))


def is_strict(text: str) -> bool:
    """Semver 2.0.0 exactly (what a chart's `version` must be)."""
    return semver.Version.is_valid(text)


@dataclass(frozen=True)
class _Constraint:
    op: str
    version: semver.Version
    orig: str
    dirty: bool = False
    minor_dirty: bool = False
    patch_dirty: bool = False


def _parse_constraint(text: str) -> _Constraint:
    match = _CONSTRAINT.match(text)
    if not match:
        raise ValueError(f"improper constraint: {text!r}")
    op, whole, major, minor, patch, pre = match.group(1, 2, 3, 4, 5, 6)
    minor_part, patch_part = (minor or "").lstrip("."), (patch or "").lstrip(".")
    dirty = minor_dirty = patch_dirty = False
    version_text = whole
    if major in _X:
        version_text, dirty = f"0.0.0{pre or ''}", True
    elif minor_part in _X or not minor:
        version_text, dirty, minor_dirty = f"{major}.0.0{pre or ''}", True, True
    elif patch_part in _X or not patch:
        version_text, dirty, patch_dirty = f"{major}{minor}.0{pre or ''}", True, True
    version = parse_version(version_text)
    if version is None:
        raise ValueError("constraint parser error")
    return _Constraint(op, version, whole, dirty, minor_dirty, patch_dirty)


def _rewrite_range(text: str) -> str:
    for match in list(_RANGE.finditer(text)):
        text = text.replace(match.group(0), f">= {match.group(1)}, <= {match.group(11)} ", 1)
    return text


def parse(constraint: str) -> list[list[_Constraint]]:
    """OR-groups of AND-ed constraints; ValueError when helm would refuse the constraint."""
    groups = []
    for part in _rewrite_range(constraint).split("||"):
        if not _VALID.match(part):
            raise ValueError(f"improper constraint: {part}")
        found = [m.group(0) for m in _FIND.finditer(part)] or [part]
        groups.append([_parse_constraint(text) for text in found])
    return groups


def satisfies(constraint: str, version: str) -> bool:
    """Does `version` meet `constraint`, as helm decides? ValueError for a constraint or a
    version helm cannot read."""
    have = parse_version(version)
    if have is None:
        raise ValueError(f"invalid version: {version!r}")
    for group in parse(constraint):
        pre_allowed = any(c.version.prerelease for c in group)
        if all(_check(c, have, pre_allowed) for c in group):
            return True
    return False


def _check(c: _Constraint, v: semver.Version, pre_allowed: bool) -> bool:
    if v.prerelease and not pre_allowed:
        return False
    return _OPERATORS[c.op](c, v)


def _tilde(c: _Constraint, v: semver.Version) -> bool:
    if v.compare(c.version) < 0:
        return False
    con = c.version
    if (con.major, con.minor, con.patch) == (0, 0, 0) and not c.minor_dirty and not c.patch_dirty:
        return True
    if v.major != con.major:
        return False
    return v.minor == con.minor or c.minor_dirty


def _tilde_or_equal(c: _Constraint, v: semver.Version) -> bool:
    return _tilde(c, v) if c.dirty else v.compare(c.version) == 0


def _not_equal(c: _Constraint, v: semver.Version) -> bool:
    con = c.version
    if not c.dirty:
        return v.compare(con) != 0
    if con.major != v.major or (not c.minor_dirty and con.minor != v.minor):
        return True
    if c.minor_dirty:
        return False
    if c.patch_dirty:
        return bool(v.prerelease or con.prerelease) and (
            _compare_prerelease(v.prerelease, con.prerelease) != 0
        )
    return v.compare(con) != 0


def _compare_prerelease(a: str | None, b: str | None) -> int:
    return semver.Version(0, 0, 0, a).compare(semver.Version(0, 0, 0, b))


def _greater(c: _Constraint, v: semver.Version) -> bool:
    con = c.version
    if not c.dirty:
        return v.compare(con) > 0
    if v.major != con.major:
        return v.major > con.major
    if c.minor_dirty:
        return False
    if c.patch_dirty:
        return v.minor > con.minor
    return v.compare(con) > 0


def _less_equal(c: _Constraint, v: semver.Version) -> bool:
    con = c.version
    if not c.dirty:
        return v.compare(con) <= 0
    if v.major > con.major:
        return False
    return not (v.major == con.major and v.minor > con.minor and not c.minor_dirty)


def _caret(c: _Constraint, v: semver.Version) -> bool:
    con = c.version
    if v.compare(con) < 0:
        return False
    if con.major > 0 or c.minor_dirty:
        return v.major == con.major
    if v.major > 0:
        return False
    if con.minor > 0 or c.patch_dirty:
        return v.minor == con.minor
    if v.minor > 0:
        return False
    return v.patch == con.patch


_OPERATORS: dict[str, Callable[[_Constraint, semver.Version], bool]] = {
    "": _tilde_or_equal,
    "=": _tilde_or_equal,
    "!=": _not_equal,
    ">": _greater,
    "<": lambda c, v: v.compare(c.version) < 0,
    ">=": lambda c, v: v.compare(c.version) >= 0,
    "=>": lambda c, v: v.compare(c.version) >= 0,
    "<=": _less_equal,
    "=<": _less_equal,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}
