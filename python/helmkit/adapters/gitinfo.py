"""The git commit a release is made from (read-only git calls, argv lists, never a shell)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(repo: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def head_commit(repo: Path) -> str:
    """Full sha of HEAD, `-dirty` appended when tracked files changed; "" outside a git repo."""
    sha = _git(repo, "rev-parse", "HEAD")
    if not sha:
        return ""
    dirty = _git(repo, "status", "--porcelain", "--untracked-files=no")
    return f"{sha}-dirty" if dirty else sha
