"""global.nodeSelector / global.tolerations: every pod of the release (Deployments, StatefulSets,
Jobs, the backup CronJob, the helm test pod) gets them unless its component sets its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from chart_env import HelmRuns, template_args

PIN = {"pool": "real"}
TOLERATION = {"key": "pool", "operator": "Equal", "value": "real", "effect": "NoSchedule"}
OWN = {"pool": "backend-only"}


def pod_specs(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    for obj in objects:
        kind, name = obj["kind"], obj["metadata"]["name"]
        if kind in ("Deployment", "StatefulSet", "Job"):
            specs[f"{kind}/{name}"] = obj["spec"]["template"]["spec"]
        elif kind == "CronJob":
            specs[f"{kind}/{name}"] = obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        elif kind == "Pod":
            specs[f"{kind}/{name}"] = obj["spec"]
    return specs


def test_global_placement_reaches_every_pod_and_a_components_own_wins(
    helm_runs: HelmRuns, tmp_path: Path
) -> None:
    values = {
        "global": {"nodeSelector": PIN, "tolerations": [TOLERATION]},
        "backend": {"nodeSelector": OWN},
        "postgresql": {"backup": {"enabled": True}},
        "tests": {"enabled": True},
    }
    path = tmp_path / "pin.yaml"
    path.write_text(yaml.safe_dump(values))
    specs = pod_specs(helm_runs.run("helm4", template_args([path])).objects())
    kinds = {key.split("/")[0] for key in specs}
    assert kinds == {"Deployment", "StatefulSet", "Job", "CronJob", "Pod"}, sorted(specs)
    for key, spec in specs.items():
        want = OWN if key == "Deployment/ai-native-backend" else PIN
        assert spec.get("nodeSelector") == want, key
        assert spec.get("tolerations") == [TOLERATION], key


def test_no_placement_by_default(helm_runs: HelmRuns, tmp_path: Path) -> None:
    path = tmp_path / "none.yaml"
    path.write_text(yaml.safe_dump({"postgresql": {"backup": {"enabled": True}}}))
    specs = pod_specs(helm_runs.run("helm4", template_args([path])).objects())
    assert specs
    assert all("nodeSelector" not in s and "tolerations" not in s for s in specs.values())
