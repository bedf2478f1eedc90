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
    document that may be a Secret cannot be parsed (then nothing may be stored). Only the
    documents around a `kind: Secret` line are parsed; the rest is kept byte for byte."""
    kept: list[str] = []
    done = 0  # manifests[:done] is decided
    for kind in _SECRET_KIND.finditer(manifests):
        start, end = _document_around(manifests, kind.start())
        if start < done:
            continue  # a second `kind: Secret` line in a document already masked
        masked = _mask_document(manifests[start:end])
        if masked is None:
            return None
        kept += [manifests[done:start], masked]
        done = end
    return "".join(kept) + manifests[done:] if kept else manifests


def _document_around(manifests: str, at: int) -> tuple[int, int]:
    """The span of the YAML document holding offset `at`: after the `---` line before it (or
    the start), up to the next `---` line (or the end)."""
    start, before = 0, at
    while (dashes := manifests.rfind("---", 0, before)) >= 0:
        separator = _DOC_SEPARATOR.match(manifests, dashes)
        if separator is not None:
            start = separator.end()
            break
        before = dashes
    following = _DOC_SEPARATOR.search(manifests, at)
    return start, following.start() if following else len(manifests)


def _mask_document(text: str) -> str | None:
    import yaml  # only renders with Secrets need it

    # libyaml's safe loader and dumper when PyYAML was built with it: ten times faster
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        body = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
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
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return f"\n{comments}{yaml.dump(body, Dumper=dumper, sort_keys=False)}"


def has_masked_secrets(manifests: str) -> bool:
    """A cached render whose Secrets were masked (useless where the values are needed)."""
    return bool(_SECRET_KIND.search(manifests)) and (
        MASKED_DATA in manifests or MASKED_STRING in manifests
    )
