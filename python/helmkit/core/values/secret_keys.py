"""Which values are secrets, and how a message about one says so without showing it.

A key path is secret when one of its keys names a secret (`secrets.*`, `*password*`,
`*token*`, `jwtSecretKey`, `*apiKey*`, ...): a message may name such a key, never its value.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from helmkit.core.values import strvals

HIDDEN = "<hidden>"
_SECRET_KEY = re.compile(
    r"secret|passw|token|api_?key|credential|private|jwt|auth|cert|dsn|connection|url$",
    re.IGNORECASE,
)


def is_secret_path(path: Sequence[str | int]) -> bool:
    return any(isinstance(key, str) and _SECRET_KEY.search(key) for key in path)


def hide(message: str, value: Any) -> str:
    """`message` without `value` (as Python, JSON or plain text prints it)."""
    if isinstance(value, dict | list) or value is None or isinstance(value, bool):
        return message
    forms = {repr(value), str(value)}
    for form in sorted(forms, key=len, reverse=True):
        if form:
            message = message.replace(form, HIDDEN)
    return message


def hide_all(text: str, values: Iterable[str]) -> str:
    """`text` without any of `values` (the longest first, so none leaves a part behind)."""
    for value in sorted({v for v in values if len(v) >= 3}, key=len, reverse=True):
        text = text.replace(value, HIDDEN)
    return text


def secret_set_values(argv: Sequence[str]) -> list[str]:
    """The values a helm argv assigns under secret keys with --set* flags (to hide them in
    what helm prints)."""
    found: list[str] = []
    for flag, text in itertools.pairwise(argv):
        if flag not in strvals.KINDS:
            continue
        parsed: dict[str, Any] = {}
        try:
            strvals.parse_into(text, parsed, kind=flag, read_file=lambda _path: "")
        except strvals.SetValueError:
            # unparsable: hide everything after each `=` of a secret-looking key
            found += [
                pair.split("=", 1)[1]
                for pair in text.split(",")
                if "=" in pair and _SECRET_KEY.search(pair.split("=", 1)[0])
            ]
            continue
        found += _leaves_under_secrets(parsed, ())
    return found


def _leaves_under_secrets(node: Any, path: tuple[str | int, ...]) -> list[str]:
    if isinstance(node, dict):
        return [v for k, item in node.items() for v in _leaves_under_secrets(item, (*path, k))]
    if isinstance(node, list):
        return [v for i, item in enumerate(node) for v in _leaves_under_secrets(item, (*path, i))]
    if node is None or not is_secret_path(path):
        return []
    return sorted({str(node), str(node).lower()})  # Go prints true as true, Python as True


# a cached render keeps each Secret's keys, never its values (valid base64 in `data`, so the
# Kubernetes schema check gives the same verdict on a cached render as on a fresh one)
MASKED_DATA = "PG1hc2tlZD4="  # base64 of "<masked>"
MASKED_STRING = "<masked>"
_SECRET_KIND = re.compile(r"^kind:\s*[\"']?Secret[\"']?\s*$", re.MULTILINE)
_DOC_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


def mask_secrets(manifests: str) -> str | None:
    """helm's output with every Secret's data and stringData values masked; None when a
    document that may be a Secret cannot be parsed (then nothing may be stored)."""
    if not _SECRET_KIND.search(manifests):
        return manifests
    parts = _DOC_SEPARATOR.split(manifests)
    masked = [_mask_document(part) if _SECRET_KIND.search(part) else part for part in parts]
    if any(part is None for part in masked):
        return None
    return "---".join(part for part in masked if part is not None)


def _mask_document(text: str) -> str | None:
    import yaml  # only renders with Secrets need it

    try:
        body = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(body, dict) or body.get("kind") != "Secret":
        return text
    for section, mask in (("data", MASKED_DATA), ("stringData", MASKED_STRING)):
        if isinstance(body.get(section), dict):
            body[section] = {key: mask for key in body[section]}
    comments = "".join(
        f"{line}\n" for line in text.lstrip("\n").splitlines() if line.startswith("#")
    )
    return f"\n{comments}{yaml.safe_dump(body, sort_keys=False)}"


def has_masked_secrets(manifests: str) -> bool:
    """A cached render whose Secrets were masked (useless where the values are needed)."""
    return bool(_SECRET_KIND.search(manifests)) and (
        MASKED_DATA in manifests or MASKED_STRING in manifests
    )
