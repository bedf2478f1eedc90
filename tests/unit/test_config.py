"""helmkit.yaml loading: schema errors with file, line and key path; unknown environments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helmkit.core import config as cfg
from helmkit.errors import InputFileError, UsageError

REPO = Path(__file__).resolve().parents[2]
GOOD = """\
chart: chart
environments:
  staging:
    release: demo
    namespace: demo-staging
    values: [values/staging.yaml]
waivers:
  - {rule: probes, kind: Deployment, name: worker, reason: "a queue worker has no port"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "helmkit.yaml"
    path.write_text(text)
    return path


def test_loads_and_resolves_paths(tmp_path: Path) -> None:
    config = cfg.load_config(write(tmp_path, GOOD))
    assert config.chart == tmp_path / "chart"
    assert config.kube_versions == cfg.DEFAULT_KUBE_VERSIONS
    env = config.environment("staging")
    assert (env.release, env.namespace, env.values) == (
        "demo",
        "demo-staging",
        (tmp_path / "values/staging.yaml",),
    )
    assert config.waivers[0]["rule"] == "probes"


def test_schema_error_names_file_line_and_key_path(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("namespace: demo-staging", "namespace: Demo_Staging"))
    with pytest.raises(InputFileError) as err:
        cfg.load_config(path)
    assert err.value.line == 5
    assert f"{path}:5: environments.staging.namespace" in str(err.value)


def test_waiver_needs_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace(', reason: "a queue worker has no port"', ""))
    with pytest.raises(InputFileError, match="waivers"):
        cfg.load_config(path)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as err:
        cfg.load_config(write(tmp_path, "chart: [\nenvironments: {}\n"))
    assert err.value.line is not None
    assert "invalid YAML" in str(err.value)


def test_unknown_environment_lists_the_known(tmp_path: Path) -> None:
    config = cfg.load_config(write(tmp_path, GOOD))
    with pytest.raises(UsageError, match=r"unknown environment 'prod' \(known in .*: staging\)"):
        config.environment("prod")


def test_find_config_walks_up_or_explains(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert cfg.find_config(tmp_path / "a" / "b") == tmp_path / "helmkit.yaml"
    with pytest.raises(UsageError, match="no helmkit.yaml found"):
        cfg.find_config(Path("/"))


def test_package_schema_is_the_repository_schema() -> None:
    # the package data file links to schemas/helmkit.schema.json: it cannot go stale
    assert cfg.config_schema() == json.loads((REPO / "schemas/helmkit.schema.json").read_text())


def test_repository_helmkit_yaml_is_valid() -> None:
    config = cfg.load_config(REPO / "helmkit.yaml")
    assert set(config.environments) >= {"local", "staging", "production"}
