"""The chart's Jobs are named after a hash of their own spec, never the revision: a changed Job
gets a new name (its pod template is immutable, so Helm must create, not patch, it), and an
unchanged one keeps its name (no-op upgrades and Helm 3 rollbacks over a leftover Job work)."""

from __future__ import annotations

from typing import Any

import pytest
from chart_env import HELMS, HelmRuns, template_args

BACKUP_ON = ("--set", "postgresql.backup.enabled=true")


def job_names(objects: list[dict[str, Any]]) -> dict[str, str]:
    """Job family (name without its hash) -> full name."""
    names = [o["metadata"]["name"] for o in objects if o["kind"] == "Job"]
    return {name.rsplit("-", 1)[0]: name for name in names}


@pytest.mark.parametrize("helm", HELMS)
def test_job_names_depend_on_the_job_spec_only(helm_runs: HelmRuns, helm: str) -> None:
    base = job_names(helm_runs.run(helm, template_args((), *BACKUP_ON)).objects())
    assert set(base) == {"ai-native-db-schema", "ai-native-db-backup-volume"}, base

    other_backend = template_args((), *BACKUP_ON, "--set", "backend.image.tag=9.9.9")
    assert job_names(helm_runs.run(helm, other_backend).objects()) == base

    sample_data = template_args(
        (), *BACKUP_ON, "--set", "postgresql.schema.mode=bundled",
        "--set", "postgresql.schema.sampleData=true",
    )
    changed = job_names(helm_runs.run(helm, sample_data).objects())
    assert changed["ai-native-db-schema"] != base["ai-native-db-schema"]
    assert changed["ai-native-db-backup-volume"] == base["ai-native-db-backup-volume"]

    new_image = template_args((), *BACKUP_ON, "--set", "postgresql.image.tag=17.7-bookworm")
    moved = job_names(helm_runs.run(helm, new_image).objects())
    assert moved["ai-native-db-schema"] != base["ai-native-db-schema"]
    assert moved["ai-native-db-backup-volume"] != base["ai-native-db-backup-volume"]
