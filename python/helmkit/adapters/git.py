"""The git reads helmkit needs: the base of a version-bump check and the commit a release is made
from. Read-only calls, argv lists, never a shell; a missing or hung git is a failed call, never a
traceback."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitBase:
    ref: str  # what was compared with, e.g. origin/main or the merge-base commit
    how: str  # a sentence for messages


def _git(repo: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except FileNotFoundError:
        return subprocess.CompletedProcess(["git"], 127, "", "git is not installed")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(["git"], 1, "", str(exc))


def toplevel(path: Path) -> Path | None:
    proc = _git(path, "rev-parse", "--show-toplevel")
    return Path(proc.stdout.strip()) if proc.returncode == 0 else None


def current_branch(repo: Path) -> str:
    proc = _git(repo, "rev-parse", "--abbrev-ref", "HEAD")
    return proc.stdout.strip() if proc.returncode == 0 else ""


def find_base(repo: Path, remote: str, target_branch: str) -> GitBase | None:
    """`remote/target` like ct does; else the merge-base with the local target branch when on
    another branch. None when there is nothing to compare with (on the target branch itself
    without its remote, or no such branch)."""
    remote_ref = f"{remote}/{target_branch}"
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{remote_ref}^{{commit}}").returncode == 0:
        merge = _git(repo, "merge-base", remote_ref, "HEAD")
        if merge.returncode == 0:
            return GitBase(merge.stdout.strip(), f"merge-base with {remote_ref}")
    if current_branch(repo) == target_branch:
        return None
    merge = _git(repo, "merge-base", target_branch, "HEAD")
    if merge.returncode == 0:
        return GitBase(
            merge.stdout.strip(),
            f"merge-base with local branch {target_branch} (no {remote_ref} in this clone)",
        )
    return None


def changed_since(repo: Path, base: str, path: Path) -> bool:
    """Committed or uncommitted changes under path since base (untracked files included)."""
    rel = str(path.resolve().relative_to(repo.resolve()))
    if _git(repo, "diff", "--quiet", base, "--", rel).returncode != 0:
        return True
    untracked = _git(repo, "ls-files", "--others", "--exclude-standard", "--", rel)
    return bool(untracked.stdout.strip())


def show(repo: Path, ref: str, path: Path) -> str | None:
    rel = str(path.resolve().relative_to(repo.resolve()))
    proc = _git(repo, "show", f"{ref}:{rel}")
    return proc.stdout if proc.returncode == 0 else None


def head_commit(repo: Path) -> str:
    """Full sha of HEAD, `-dirty` appended when tracked files changed; "" outside a git repo."""
    head = _git(repo, "rev-parse", "HEAD", timeout=10)
    sha = head.stdout.strip() if head.returncode == 0 else ""
    if not sha:
        return ""
    status = _git(repo, "status", "--porcelain", "--untracked-files=no", timeout=10)
    dirty = status.returncode == 0 and status.stdout.strip()
    return f"{sha}-dirty" if dirty else sha
