"""Values files that can be read only once: `-f -`, `-f /dev/stdin`, and process substitution
(`-f <(sops -d secrets.yaml)`, a /dev/fd/N pipe), which Helm accepts.

helmkit reads each of them once and gives every later reader (its own parser, the content hash
of the render cache, each helm process) a regular copy. The copy may hold decrypted secrets: it
lives in an owner-only directory, in memory (/dev/shm) when the machine has it, and is removed
when the command ends. Its name is random per run, so a cache key (path and content) never
matches another run's stdin by accident.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from helmkit.core.values.yaml_source import MAX_BYTES
from helmkit.errors import InputFileError

STDIN = "-"


def is_stream(path: Path) -> bool:
    """`-`, or a path that exists but is no regular file (a pipe, a terminal, /dev/stdin)."""
    if str(path) == STDIN:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # absent: the usual "does not exist" message applies
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _read_once(path: Path) -> bytes:
    try:
        if str(path) == STDIN:
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise InputFileError(
            str(path), f"more than {MAX_BYTES // (1024 * 1024)} MiB: not a values file"
        )
    return data


def _private_dir() -> Path:
    shm = Path("/dev/shm")  # noqa: S108 - mkdtemp makes an owner-only directory in it
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    directory = Path(tempfile.mkdtemp(prefix="helmkit-values-", dir=base))  # mode 0700
    atexit.register(shutil.rmtree, directory, True)
    return directory


def materialise(paths: Sequence[Path]) -> tuple[Path, ...]:
    """The paths with every stream replaced by a private regular copy of its content (the
    same stream named twice is read once and both get the same copy). Everything is read
    before the copies are written: a run stopped while a stream is read leaves nothing."""
    contents: dict[str, bytes] = {}
    for path in paths:
        if is_stream(path) and str(path) not in contents:
            contents[str(path)] = _read_once(path)
    if not contents:
        return tuple(paths)
    directory = _private_dir()
    copies: dict[str, Path] = {}
    for position, (name, data) in enumerate(contents.items()):
        label = "stdin" if name == STDIN else name.strip("/").replace("/", "-")
        copy = directory / f"{position}-{label}.yaml"
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        copies[name] = copy
    return tuple(copies.get(str(path), path) for path in paths)
