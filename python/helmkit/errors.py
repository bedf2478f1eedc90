"""One root error type. Subclasses carry what the user needs to act: file, key path, command.

The CLI maps `UsageError` and `EnvironmentProblem` to exit code 2 and `CheckFailed` to 1; any
other `HelmkitError` is 2. Messages never contain secret values.
"""

from __future__ import annotations


class HelmkitError(Exception):
    """Root of every error helmkit raises on purpose; its message is meant for a person."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(HelmkitError):
    """Bad flag, unknown environment or scenario, bad input file."""


class EnvironmentProblem(HelmkitError):
    """A tool is missing or too old, the cluster is unreachable, a prerequisite is absent."""


class InputFileError(UsageError):
    """A file that cannot be read or parsed; names the file and, when known, the line."""

    def __init__(self, path: str, problem: str, *, line: int | None = None, hint: str = "") -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}", hint=hint)
        self.path = path
        self.line = line


class CheckFailed(HelmkitError):
    """Findings or failed checks: the command ran fine and the answer is 'no'."""

    exit_code = 1


class HelmError(HelmkitError):
    """helm exited non-zero; carries the argv (never values) and a trimmed stderr."""

    def __init__(self, argv: list[str], returncode: int, stderr: str, *, hint: str = "") -> None:
        shown = " ".join(argv)
        super().__init__(f"`{shown}` failed (exit {returncode}):\n{stderr.strip()}", hint=hint)
        self.argv = argv
        self.returncode = returncode
        self.stderr = stderr


class ReleasePendingError(HelmError):
    """Another operation is in progress on the release (pending-install/upgrade/rollback)."""


class ReleaseNotFoundError(HelmError):
    """The release does not exist in the namespace."""


class HelmTimeout(HelmError):
    """helm did not return in time and was stopped (it usually waits on an API server)."""

    def __init__(self, argv: list[str], timeout_s: float, setting: str) -> None:
        super().__init__(
            argv,
            -1,
            f"no answer within {timeout_s:.0f}s: helm was stopped",
            hint=f"check that the cluster answers; set {setting} (e.g. 10m) to wait longer",
        )
        self.timeout_s = timeout_s
