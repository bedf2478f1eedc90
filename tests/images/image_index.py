"""The index of built images: `index.json` maps each image reference to its archive (stdlib only).

Usage: image_index.py INDEX_JSON ARCHIVE REF [REF...]
Records that ARCHIVE (a docker-archive built by pack_image.py) provides the references REF...,
dropping every older reference of the same repositories (an earlier build of that image). The
file is replaced atomically; an unreadable index is rebuilt from this entry rather than trusted.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def repository(reference: str) -> str:
    """`localhost/ai-native/pause:abc` -> `localhost/ai-native/pause` (a port's colon stays)."""
    name, _, tag = reference.rpartition(":")
    return name if name and "/" not in tag else reference


def read_index(path: Path) -> dict[str, str]:
    """The index, or an empty one when it is missing or not a mapping of strings (no cache)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        return {}
    return data


def updated(index: dict[str, str], archive: str, references: list[str]) -> dict[str, str]:
    """index with references -> archive, and older references of the same repositories dropped."""
    repositories = {repository(ref) for ref in references}
    kept = {ref: path for ref, path in index.items() if repository(ref) not in repositories}
    kept.update(dict.fromkeys(references, archive))
    return dict(sorted(kept.items()))


def write_index(path: Path, index: dict[str, str]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-")
    os.fchmod(fd, 0o644)
    with os.fdopen(fd, "w") as handle:
        json.dump(index, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: image_index.py INDEX_JSON ARCHIVE REF [REF...]", file=sys.stderr)
        return 2
    index_path, archive, *references = argv
    path = Path(index_path)
    write_index(path, updated(read_index(path), archive, references))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
