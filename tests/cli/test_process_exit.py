"""The `helmkit` executable's exit (helmkit.cli.process): it skips the interpreter's teardown,
but keeps everything a normal exit does that a user can see: the status, flushed output, the
exit handlers, and threads that still work."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helmkit import __version__
from helmkit.cli.process import exit_status


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (130, 130)])
def test_exit_status_of_numbers(code: object, status: int) -> None:
    assert exit_status(code) == status


def test_exit_status_of_a_message_prints_it_and_is_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status("no chart here") == 1
    assert capsys.readouterr().err == "no chart here\n"


def test_output_is_flushed_and_exit_handlers_run() -> None:
    proc = run_python(
        "import atexit, sys\n"
        "from helmkit.cli import process\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "sys.stdout.write('buffered, no newline')\n"
        "sys.argv = ['helmkit', '--version']\n"
        "process.run()\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("buffered, no newline")
    assert f"helmkit, version {__version__}" in proc.stdout
    assert proc.stdout.rstrip().endswith("handler ran")


def test_a_usage_error_keeps_its_status_and_message() -> None:
    proc = run_python(
        "import sys\nfrom helmkit.cli import process\n"
        "sys.argv = ['helmkit', 'no-such-verb']\nprocess.run()\n"
    )
    assert proc.returncode == 2
    assert "No such command 'no-such-verb'" in proc.stderr


def test_a_working_thread_is_waited_for() -> None:
    proc = run_python(
        "import sys, threading, time\n"
        "from helmkit.cli import process\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print('thread finished', flush=True)\n"
        "threading.Thread(target=late).start()\n"
        "sys.argv = ['helmkit', '--version']\n"
        "process.run()\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert "thread finished" in proc.stdout
