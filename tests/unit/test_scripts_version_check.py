"""scripts/lib.sh version_check: the bootstrap's version checks must never fail at random.

`CMD | grep -q X` under `set -o pipefail` fails whenever grep exits at the first match while CMD
is still writing (CMD dies of SIGPIPE); that made 8 of 40 bootstraps fail. version_check captures
the output first; these tests run it many times against a command that keeps writing after the
match, and scan scripts/ so the pattern does not come back.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIB = REPO / "scripts" / "lib.sh"
# Prints the match first, then enough to overflow a pipe buffer after grep would have quit.
NOISY = "echo 'etcd Version: 3.6.16'; seq 1 200000"


def _version_check(tmp_path: Path, expected: str, command: str) -> subprocess.CompletedProcess[str]:
    script = f'. "{LIB}"; version_check "{expected}" bash -c "{command}"; echo checked'
    return subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "AI_NATIVE_CACHE": str(tmp_path), "HOME": str(tmp_path)},
        check=False,
    )


def test_version_check_passes_every_time_on_a_noisy_command(tmp_path: Path) -> None:
    results = [_version_check(tmp_path, "etcd Version: 3.6.16", NOISY) for _ in range(40)]
    failures = [r for r in results if r.returncode != 0 or "checked" not in r.stdout]
    assert not failures, f"{len(failures)} of 40 checks failed: {failures[0].stderr}"


def test_version_check_fails_naming_the_wanted_version(tmp_path: Path) -> None:
    result = _version_check(tmp_path, "etcd Version: 9.9.9", NOISY)
    assert result.returncode == 1
    assert "checked" not in result.stdout
    assert "want etcd Version: 9.9.9" in result.stderr


def test_version_check_fails_when_the_command_fails(tmp_path: Path) -> None:
    result = _version_check(tmp_path, "anything", "echo anything; exit 3")
    assert result.returncode == 1
    assert "exited non-zero" in result.stderr


def test_no_script_pipes_into_an_early_exiting_reader() -> None:
    # grep -q, head and friends exit early; under pipefail the writer's SIGPIPE fails the script.
    early_exit = re.compile(r"\|\s*(grep\s+(-\w*q|--quiet)|head\b|sed\s+-n\s+['\"]?1?q)")
    scripts = [p for p in (REPO / "scripts").rglob("*.sh")] + [REPO / ".ci" / "run"]
    offenders = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in scripts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if not line.lstrip().startswith("#") and early_exit.search(line)
    ]
    assert not offenders, "pipelines that fail at random under pipefail:\n" + "\n".join(offenders)
