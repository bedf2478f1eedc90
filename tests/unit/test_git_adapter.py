"""The one git adapter, against a real git repository in a temporary directory."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helmkit.adapters import git


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.email", "dev@example.invalid"],
        ["config", "user.name", "dev"],
    ):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    (repo / "Chart.yaml").write_text("version: 0.1.0\n")
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", "first"], check=True)
    return repo


def _sha(repo: Path) -> str:
    argv = ["git", "-C", str(repo), "rev-parse", "HEAD"]
    return subprocess.run(argv, capture_output=True, check=True, text=True).stdout.strip()


def test_head_commit_is_the_full_sha_and_says_dirty(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert git.head_commit(repo) == _sha(repo)
    (repo / "Chart.yaml").write_text("version: 0.2.0\n")
    assert git.head_commit(repo) == f"{_sha(repo)}-dirty"


def test_untracked_files_do_not_make_a_release_dirty(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "notes.txt").write_text("scratch\n")
    assert git.head_commit(repo) == _sha(repo)


def test_outside_a_repository_there_is_no_commit(tmp_path: Path) -> None:
    assert git.head_commit(tmp_path) == ""
    assert git.toplevel(tmp_path) is None


def test_base_is_the_merge_base_with_the_local_target_branch(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    first = _sha(repo)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-b", "topic"], check=True)
    (repo / "Chart.yaml").write_text("version: 0.2.0\n")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "bump"], check=True)
    base = git.find_base(repo, "origin", "main")
    assert base is not None
    assert base.ref == first
    assert "local branch main" in base.how
    assert git.changed_since(repo, base.ref, repo / "Chart.yaml")
    assert git.show(repo, base.ref, repo / "Chart.yaml") == "version: 0.1.0\n"
