"""Running the real helmkit CLI in a subprocess (a uniquely named module: several test folders
have a conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cli_support import helm_path


def helmkit(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    helm: str = "helm4",
    stdin: str | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "helmkit", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "HELMKIT_HELM": helm_path(helm), **(env or {})},
        timeout=timeout,
        check=False,
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
