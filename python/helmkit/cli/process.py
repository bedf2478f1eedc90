"""The `helmkit` executable: `main()` in a process that ends without tearing the interpreter down.

A run leaves tens of thousands of parsed objects and compiled validators behind. Freeing them one
by one at exit costs about a tenth of a second, and the operating system reclaims the memory at
once anyway. bench/bench_offline.py measures `helmkit test` through this entry point against
plain `main()` (`exit_trick`); in-process callers (tests) use `main()`, which raises SystemExit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn

from helmkit.cli.main import main


def run() -> NoReturn:
    try:
        main()
    except SystemExit as exc:
        exit_now(exit_status(exc.code))
    exit_now(0)


def exit_status(code: object) -> int:
    """The status Python gives `sys.exit(code)`: None is 0, a message is printed and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def exit_now(status: int) -> NoReturn:
    """Run the exit handlers, flush, and leave without freeing memory. While another thread
    still works, the normal exit waits for it instead."""
    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    if any(not t.daemon for t in others):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`helmkit ... | head`): nothing left to keep
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)
