"""helmkit reads values files as the real Helm 4 and Helm 3 do (go-yaml v2's scalars, then
sigs.k8s.io/yaml's conversion to JSON), not as YAML 1.1 (PyYAML) would.

The fixture chart prints `.Values` as JSON; helm's merged values for a values file full of the
forms where the two YAML dialects differ (`y`, `yes`, `on`, `12:30`, `0o17`, `017`, `1e3`,
dates, `~`, non-text keys...) are compared with helmkit's. Forms Helm refuses (`.inf`, `.nan`, a
null key) are refused by helmkit too, with the file, line and key path.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_support import REPO, helm_path
from test_helm_parity import CHART, helm_values, helmkit_values

from helmkit.core.values.yaml_source import load_yaml_file
from helmkit.errors import InputFileError
from helmkit.ops.lint_steps import load_data_only

FORMS = str(REPO / "tests" / "fixtures" / "parity" / "yaml-forms-values.yaml")
REFUSED = {
    "infinity": "limit: .inf\n",
    "negative infinity": "nested:\n  limit: -.Inf\n",
    "nan": "ratio: .nan\n",
    "null key": "labels:\n  ~: x\n",
    "null word key": "null: 1\n",
}


def as_numbers(value: Any) -> Any:
    """Helm holds every number as a float64 after the JSON round trip: compare them so."""
    if isinstance(value, dict):
        return {k: as_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_numbers(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
def test_values_file_forms_match_helm(helm: str) -> None:
    expected = helm_values(helm_path(helm), ["-f", FORMS])
    actual = helmkit_values(["-f", FORMS], helm)
    assert expected is not None and actual is not None
    assert as_numbers(actual) == as_numbers(expected)
    # the forms that differ from YAML 1.1 are really in the file (a test that can fail)
    assert expected["true"] is True and "y" not in expected, "y: y is a boolean key and value"
    assert expected["sexa"] == "12:30" and expected["date"] == "2024-01-01"
    assert expected["oct_o"] == 15 and expected["e3"] == 1000


def test_fast_and_indexed_loads_agree() -> None:
    """lint's data-only load and the line-indexed load read the file the same way."""
    assert load_data_only(FORMS).data == load_yaml_file(FORMS).data


@pytest.mark.parametrize("helm", ["helm4", "helm3"])
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_forms_helm_refuses_are_refused(helm: str, name: str, tmp_path: Path) -> None:
    path = tmp_path / "refused-values.yaml"
    path.write_text(REFUSED[name])
    proc = subprocess.run(
        [helm_path(helm), "template", "r", str(CHART), "-f", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0, f"{helm} accepted {REFUSED[name]!r}"
    with pytest.raises(InputFileError) as err:
        load_yaml_file(str(path))
    assert err.value.path == str(path)
    assert err.value.line is not None
    with pytest.raises(InputFileError):
        load_data_only(str(path))


def test_helmkit_cli_reports_a_refused_form_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "inf-values.yaml"
    path.write_text("backend:\n  replicas: .inf\n")
    proc = subprocess.run(
        [str(REPO / ".venv" / "bin" / "helmkit"), "lint", "--env", "staging", "-f", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{path}:2: backend.replicas: inf is not a JSON number" in proc.stderr + proc.stdout
