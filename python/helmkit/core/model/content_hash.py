"""Content hashes for the render cache: the same chart files, values, flags and tool versions
give the same key, whatever the file times are."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

_SKIP_DIRS = {".git", "__pycache__", ".helmkit-cache"}


def hash_tree(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or _SKIP_DIRS.intersection(path.relative_to(root).parts):
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def hash_files(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def combine(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def hash_named(root: Path, names: Iterable[str]) -> str:
    """Only the files with these names under root (e.g. values files, not templates)."""
    wanted = set(names)
    return hash_files(sorted(p for p in root.rglob("*") if p.name in wanted and p.is_file()))
