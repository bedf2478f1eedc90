"""The Grafana dashboard: off by default; when on, a ConfigMap with the label the Grafana sidecar
watches (configurable) whose JSON parses, has unique panel ids, panels on the grid without
overlap, every panel and query on the `datasource` variable, only defined variables, and only
metrics a known exporter emits (the same table the alert tests use)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_env import CHART, HELMS, NAMESPACE, RELEASE, helm_binary
from exporter_metrics import EXPORTER_METRICS, used_metrics

SOURCE = CHART / "files" / "dashboards" / "ai-native.json"
GRAFANA_BUILTINS = {"__rate_interval", "__interval", "__range", "__name"}
_VARIABLE = re.compile(r"\$\{?(\w+)")


def _render(helm: str, tmp_path: Path, values: dict[str, Any]) -> list[dict[str, Any]]:
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    argv = [str(helm_binary(helm)), "template", RELEASE, str(CHART), "--namespace", NAMESPACE,
            "-f", str(path)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    return [d for d in yaml.safe_load_all(proc.stdout) if d]


def _configmaps(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objects
            if o["kind"] == "ConfigMap" and o["metadata"]["name"].endswith("-dashboard")]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    objects = _render("helm4", tmp_path_factory.mktemp("dash"),
                      {"metrics": {"grafanaDashboard": {"enabled": True}}})
    (configmap,) = _configmaps(objects)
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    ((key, text),) = configmap["data"].items()
    assert key == f"{NAMESPACE}-ai-native.json"
    parsed = json.loads(text)
    assert isinstance(parsed, dict)
    return parsed


def test_off_by_default(tmp_path: Path) -> None:
    assert _configmaps(_render("helm4", tmp_path, {})) == []


@pytest.mark.parametrize("helm", HELMS)
def test_sidecar_label_namespace_and_annotations_are_configurable(
    helm: str, tmp_path: Path
) -> None:
    values = {"metrics": {"grafanaDashboard": {
        "enabled": True, "labels": {"grafana_dashboard": "ai"}, "namespace": "monitoring",
        "annotations": {"grafana_folder": "Platform"}}}}
    (configmap,) = _configmaps(_render(helm, tmp_path, values))
    meta = configmap["metadata"]
    assert meta["labels"]["grafana_dashboard"] == "ai"
    assert meta["namespace"] == "monitoring"
    assert meta["annotations"] == {"grafana_folder": "Platform"}


def test_the_release_names_replace_every_placeholder(dashboard: dict[str, Any]) -> None:
    text = json.dumps(dashboard)
    assert "__AI_NATIVE_UID__" not in text and "__AI_NATIVE_PLATFORM__" not in text
    assert dashboard["title"] == f"ai-native ({NAMESPACE})"
    assert re.fullmatch(r"ai-native-[0-9a-f]{8}", dashboard["uid"])
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["namespace"]["current"]["value"] == NAMESPACE
    assert variables["platform"]["query"] == "ai-native"


def _panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found += panel.get("panels", [])
    return found


def test_panel_ids_are_unique_and_the_grid_has_no_overlap(dashboard: dict[str, Any]) -> None:
    panels = _panels(dashboard)
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {sorted(ids)}"
    cells: dict[tuple[int, int], int] = {}
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["w"] > 0 and pos["x"] + pos["w"] <= 24, panel["title"]
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps panel {cells[(x, y)]}"
                cells[(x, y)] = panel["id"]


def test_panels_use_the_datasource_variable_and_defined_variables(
    dashboard: dict[str, Any]
) -> None:
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    defined = set(variables) | GRAFANA_BUILTINS
    queries = [p for p in _panels(dashboard) if p["type"] != "row"]
    assert len(queries) >= 12
    for panel in queries:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"], panel["title"]
            missing = set(_VARIABLE.findall(target["expr"])) - defined
            assert not missing, f"{panel['title']}: undefined variables {missing}"
            unknown = used_metrics(target["expr"]) - set(EXPORTER_METRICS)
            assert not unknown, f"{panel['title']}: metrics no known exporter emits: {unknown}"


def test_the_dashboard_shows_what_the_issue_asks(dashboard: dict[str, Any]) -> None:
    exprs = " ".join(t["expr"] for p in _panels(dashboard) for t in p.get("targets", []))
    for metric in ("http_requests_total", "http_request_duration_seconds_bucket",
                   "kube_horizontalpodautoscaler_status_current_replicas",
                   "kube_deployment_status_replicas_available", "pg_up",
                   "pg_stat_activity_count", "redis_up", "redis_memory_used_bytes",
                   "redis_evicted_keys_total"):
        assert metric in exprs, metric
    assert 'status=~"5.."' in exprs  # errors
    assert "histogram_quantile(0.95" in exprs  # latency


def test_the_source_file_is_valid_json() -> None:
    """The chart reads files/ as it is: a stray comma would only show in Grafana."""
    assert json.loads(SOURCE.read_text())["schemaVersion"] >= 36
