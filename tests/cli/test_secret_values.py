"""A value under a secret key never shows in a message or a report, and the render cache
keeps no Secret values, in files only their owner can read."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cli_support import REPO
from helmkit_run import helmkit, no_traceback

from helmkit.core.values import secret_keys

SECRET = "987654321987"


@pytest.mark.parametrize("output_format", ["text", "json", "junit"])
def test_a_schema_message_never_quotes_a_secret(output_format: str) -> None:
    proc = helmkit(
        "lint",
        "--no-cache",
        "--env",
        "staging",
        "--format",
        output_format,
        "--set",
        f"secrets.jwtSecretKey={SECRET}",
        cwd=REPO,
    )
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "secrets.jwtSecretKey" in proc.stdout  # the key is named...
    assert SECRET not in proc.stdout + proc.stderr  # ...never its value


def test_helm_output_hides_values_of_secret_keys() -> None:
    argv = [
        "template",
        "r",
        "c",
        "--set",
        "db.password=hunter22,x=1",
        "--set-json",
        'tok={"token":"abc123"}',
    ]
    hidden = secret_keys.hide_all(
        "password hunter22 and abc123 and 1", secret_keys.secret_set_values(argv)
    )
    assert "hunter22" not in hidden and "abc123" not in hidden


def _secret_value(manifests: str) -> str:
    marker = "API_TOKEN: "
    line = next(line for line in manifests.splitlines() if marker in line)
    return line.split(marker, 1)[1].strip().strip('"')


def test_render_cache_masks_secrets_and_is_private(project: Path) -> None:
    assert helmkit("lint", cwd=project).returncode == 0
    cache = project / ".helmkit-cache"
    renders = cache / "renders"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(renders.stat().st_mode) == 0o700
    entries = [p for p in renders.iterdir() if p.is_file()]
    assert entries
    for path in entries:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    cached = [p.read_text() for p in renders.glob("*.yaml") if "kind: Secret" in p.read_text()]
    assert cached, "no cached render with the demo's Secret"
    for text in cached:
        assert _secret_value(text) == secret_keys.MASKED_DATA
    # the memo of parsed documents keeps no Secret either
    memos = [p.read_text() for p in renders.glob("*.json")]
    assert memos
    assert not any('"kind": "Secret"' in text for text in memos)
    rendered = helmkit("render", "staging", cwd=project)
    assert rendered.returncode == 0
    real = _secret_value(rendered.stdout)
    assert real != secret_keys.MASKED_DATA  # render still shows the real Secret
    for path in entries:
        assert real not in path.read_text(errors="replace")
