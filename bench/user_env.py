"""The environment a benchmark gives the programs it times."""

from __future__ import annotations

import os


def user_env() -> dict[str, str]:
    """This process's environment as on a user's machine: bytecode caches are written (this
    sandbox disables them, and then every timed helmkit run would compile its modules again)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
