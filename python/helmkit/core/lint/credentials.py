"""Does a string look like a credential? Current key formats, passwords in connection URLs and
config files, and names that say they hold a secret. Pure; shared by the env and ConfigMap
rules. Never returns the value itself: findings name the key, not the secret."""

from __future__ import annotations

import re

# a value that only refers to something else is not a credential: `$(VAR)`, `${VAR}`,
# Helm/Go templates left in a file, `<placeholder>`, `***`, `__TOKEN__`, and the placeholders
# start-up scripts replace (redis-ha writes `requirepass replace-default-auth`)
_REFERENCE = r"(?:\$\(|\$\{|\{\{|<|\*{3}|__|(?i:replace[-_]|placeholder|redacted))"
_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    (
        "an OpenAI-style API key",
        re.compile(r"\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}"),
    ),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "an AWS secret access key",
        re.compile(r"aws_?secret_?access_?key\W{1,4}[A-Za-z0-9/+]{40}\b", re.I),
    ),
    (
        "a GitHub token",
        re.compile(r"\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{30,}|\bgithub_pat_\w{30,}"),
    ),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    (
        "a password in a connection URL",
        re.compile(rf"[a-z][a-z0-9+.-]*://[^/\s:@]+:(?!{_REFERENCE})[^/\s@]+@", re.I),
    ),
    (
        "a Redis `requirepass` password",
        re.compile(rf"(?m)^\s*requirepass\s+(?![\"']?{_REFERENCE})[\"']?\S+"),
    ),
)
_SECRET_NAME = re.compile(
    r"(pass(word|wd)?|secret([_-]?(access[_-]?)?key)?|token|api[_-]?key|private[_-]?key"
    r"|credentials?)$",
    re.I,
)
_HARMLESS_VALUE = re.compile(rf"^(?:{_REFERENCE}.*|/.*|true|false|yes|no|)$", re.I)


def credential_format(value: str) -> str:
    """Which known credential format `value` holds ("" when none)."""
    for label, pattern in _FORMATS:
        if pattern.search(value):
            return label
    return ""


def secret_looking(name: str, value: str) -> str:
    """Why a name=value pair looks like a credential ("" when it does not)."""
    found = credential_format(value)
    if found:
        return f"its value holds {found}"
    if _SECRET_NAME.search(name) and not _HARMLESS_VALUE.match(value.strip()):
        return "its name says it holds a secret"
    return ""
