"""Generated docs and schemas are fresh (`helmkit docs --check`), and chart-testing's `ct lint`
passes with ct.yaml under Helm 4 and Helm 3."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from chart_env import BIN, HELMS, REPO, helm_binary

from helmkit.errors import CheckFailed
from helmkit.ops import docs


def test_generated_docs_and_schemas_are_fresh() -> None:
    checked = docs.run(REPO, check=True)
    assert "charts/ai-native/values.schema.json" in checked
    assert "charts/ai-native/README.md" in checked


def test_a_stale_table_is_reported(tmp_path: Path) -> None:
    for part in ("charts", "schemas"):
        shutil.copytree(REPO / part, tmp_path / part)
    values = tmp_path / "charts/ai-native/values.yaml"
    values.write_text(values.read_text().replace(
        "# -- JWT_ALGORITHM of the backend.", "# -- The JWT algorithm."))
    with pytest.raises(CheckFailed, match="charts/ai-native/README.md"):
        docs.run(tmp_path, check=True)
    docs.run(tmp_path, check=False)
    assert docs.run(tmp_path, check=True)


@pytest.mark.parametrize("helm", HELMS)
def test_ct_lint(helm: str, tmp_path: Path) -> None:
    ct = BIN / "ct"
    if not os.access(ct, os.X_OK):
        pytest.fail(f"{ct} is missing: run `bash scripts/build-peers.sh`")
    venv_bin = REPO / ".venv" / "bin"
    for tool in ("yamllint", "yamale"):
        if not os.access(venv_bin / tool, os.X_OK):
            pytest.fail(f"{tool} is missing from the venv: run `.venv/bin/pip install -e .[dev]`")
    # ct runs `helm dependency build`, which rewrites charts/ in place: work on a copy so
    # renders running in parallel never see a half-moved chart.
    work = tmp_path / "repo"
    shutil.copytree(REPO / "charts" / "ai-native", work / "charts" / "ai-native")
    shutil.copytree(REPO / ".ct", work / ".ct")
    shutil.copy(REPO / "ct.yaml", work / "ct.yaml")
    # ct runs whatever `helm` is first on PATH
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "helm").symlink_to(helm_binary(helm))
    env = {**os.environ, "PATH": f"{shim}:{venv_bin}:{os.environ.get('PATH', '')}"}
    proc = subprocess.run([str(ct), "lint", "--config", "ct.yaml"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "All charts linted successfully" in output
    assert output.count("Linting chart with values file") == len(
        list((REPO / "charts/ai-native/ci").glob("*-values.yaml")))
    lock = "charts/ai-native/Chart.lock"
    assert (work / lock).read_text() == (REPO / lock).read_text(), "Chart.lock is out of date"


def test_cli_check_exit_codes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from helmkit.cli.main import cli

    fresh = CliRunner().invoke(cli, ["docs", "--check", "--root", str(REPO)])
    assert fresh.exit_code == 0, fresh.output
    assert "up to date" in fresh.output
    for part in ("charts", "schemas"):
        shutil.copytree(REPO / part, tmp_path / part)
    (tmp_path / "charts/ai-native/values.schema.json").write_text("{}\n")
    stale = CliRunner().invoke(cli, ["docs", "--check", "--root", str(tmp_path)])
    assert stale.exit_code == 1
    assert "charts/ai-native/values.schema.json" in stale.output
