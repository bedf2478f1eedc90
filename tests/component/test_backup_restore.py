"""Backups and the documented restore, against a real PostgreSQL.

The backup and restore scripts come from the rendered chart (ConfigMap ai-native-db-backup), the
retention from the rendered CronJob, and the restore commands from docs/backup-restore.md: every
`kubectl ... exec ai-native-db-restore -- CMD` line of its restore sections runs here as CMD.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from component_chart import (
    REPO_ROOT,
    configmap_data,
    container_env,
    find,
    find_prefixed,
    render,
    run_script,
)
from component_chart import write_files as materialise
from component_data import (
    BUNDLED,
    TABLES,
    apply_schema,
    execute,
    insert_one_row_per_table,
    query,
    schema_dir,
    table_snapshot,
)
from component_servers import PostgresServer

pytestmark = [pytest.mark.component, pytest.mark.xdist_group("postgresql")]

DOC = REPO_ROOT / "docs" / "backup-restore.md"
BACKUP_VALUES = ("postgresql.backup.enabled=true", "postgresql.backup.retention=3")
EXEC_PREFIX = re.compile(r'^kubectl -n "\$NS" exec ai-native-db-restore -- (?P<cmd>.+)$', re.M)
SCRIPTS_MOUNT = "/opt/db-backup/"
LIVE_DB = "ai_native"  # the doc's database name, so its commands run as written


def doc_commands(heading: str) -> list[list[str]]:
    """The restore pod's commands of one `### heading` section of the doc, in order."""
    text = DOC.read_text()
    marker = f"\n### {heading}\n"
    assert marker in text, f"{DOC}: no section '### {heading}'"
    section = re.split(r"\n##+ ", text.split(marker, 1)[1], maxsplit=1)[0]
    commands = [shlex.split(m["cmd"]) for m in EXEC_PREFIX.finditer(section)]
    assert commands, f"{DOC}: section '{heading}' has no restore pod command"
    return commands


def run_doc_commands(heading: str, scripts: Path, env: dict[str, str]) -> None:
    for argv in doc_commands(heading):
        local = [str(scripts / a.removeprefix(SCRIPTS_MOUNT)) if a.startswith(SCRIPTS_MOUNT)
                 else a for a in argv]  # fmt: skip
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", **env}
        proc = subprocess.run(local, env=full_env, capture_output=True, text=True, check=False)
        assert (
            proc.returncode == 0
        ), f"doc command `{shlex.join(argv)}` exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"


def rendered_backup() -> tuple[dict[str, str], dict[str, Any]]:
    """The scripts ConfigMap data and the CronJob's container env, as rendered."""
    manifests = render(*BACKUP_VALUES)
    cronjob = find(manifests, "CronJob", "ai-native-db-backup")
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return configmap_data(manifests, "ai-native-db-backup"), container_env(pod, "db-backup")


def mounts(container: dict[str, Any]) -> dict[str, str]:
    return {m["name"]: m["mountPath"] for m in container["volumeMounts"]}


def volumes(pod: dict[str, Any]) -> dict[str, Any]:
    return {v["name"]: {k: x for k, x in v.items() if k != "name"} for v in pod["volumes"]}


def dumps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob(f"{LIVE_DB}-*.dump"))


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, _ = rendered_backup()
    return materialise(data, tmp_path_factory.mktemp("db-backup-scripts"))


@pytest.fixture(scope="module")
def populated(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The live database `ai_native` with the chart's schema and rows in every table."""
    database = postgres.create_database(LIVE_DB)
    apply_schema(postgres, database, schema_dir(tmp_path_factory.mktemp("schema"), BUNDLED))
    for tag in ("alpha", "beta", "gamma"):
        insert_one_row_per_table(postgres, database, tag)
    return database


def test_backup_keeps_the_last_n_and_restores_as_documented(
    postgres: PostgresServer, populated: str, scripts: Path, tmp_path: Path
) -> None:
    _, cron_env = rendered_backup()
    retention = int(cron_env["BACKUP_RETENTION"])
    assert retention == 3
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "notes.txt").write_text("not a dump: retention must leave it alone\n")
    env = {
        **postgres.env(populated),
        "BACKUP_DIR": str(backups),
        "BACKUP_RETENTION": str(retention),
    }

    written: list[str] = []
    for run in range(retention + 2):
        # A row per run, so every dump differs and "latest" really is the last state.
        execute(
            postgres,
            populated,
            "INSERT INTO student_profiles (id, student_id) VALUES (gen_random_uuid()::text, %s)",
            f"run-{run}",
        )
        out = run_script(scripts / "db-backup.sh", env=env).stdout
        written.append(re.findall(rf"wrote ({LIVE_DB}-\S+\.dump)", out)[0])
        assert dumps(backups) == sorted(written[-retention:])
    assert (backups / "notes.txt").exists()
    assert not list(backups.glob(".*partial"))
    at_backup = table_snapshot(postgres, populated)
    assert all(rows for rows in at_backup.values()), "every table must hold rows for this test"

    restore_env = {**env, "HOME": str(tmp_path)}
    run_doc_commands("Restore into a fresh database", scripts, restore_env)
    assert table_snapshot(postgres, "ai_native_verify") == at_backup

    # Without --replace a restore refuses a database that has tables (the live one).
    refused = run_script(scripts / "db-restore.sh", "latest", env=restore_env, check=False)
    assert refused.returncode == 1
    assert "--replace" in refused.stderr

    # Disaster: rows lost and changed after the backup; the documented replace brings them back.
    execute(postgres, populated, "DELETE FROM incident_simulations")
    execute(postgres, populated, "UPDATE activities SET title = 'corrupted'")
    execute(
        postgres,
        populated,
        "INSERT INTO student_profiles (id, student_id) VALUES (gen_random_uuid()::text, %s)",
        "after-backup",
    )
    assert table_snapshot(postgres, populated) != at_backup
    run_doc_commands("Replace the live database", scripts, restore_env)
    restored = table_snapshot(postgres, populated)
    assert restored == at_backup
    counts = {t: query(postgres, populated, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    assert counts == {t: len(rows) for t, rows in at_backup.items()}


def test_failed_backup_leaves_no_dump(
    postgres: PostgresServer, populated: str, scripts: Path, tmp_path: Path
) -> None:
    env = {**postgres.env(populated), "PGPASSWORD": "wrong-password", "BACKUP_DIR": str(tmp_path)}
    proc = run_script(scripts / "db-backup.sh", env=env, check=False)
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []


def test_restore_pod_in_the_doc_matches_the_cronjob() -> None:
    """The doc's restore pod must reach the same database, volume and scripts as the CronJob."""
    text = DOC.read_text()
    manifest = yaml.safe_load(text.split("<<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0])
    cronjob = find(render(*BACKUP_VALUES), "CronJob", "ai-native-db-backup")
    template = cronjob["spec"]["jobTemplate"]["spec"]["template"]
    pod, doc_pod = template["spec"], manifest["spec"]
    job_c, doc_c = pod["containers"][0], doc_pod["containers"][0]

    assert doc_c["image"] == job_c["image"]
    job_env, doc_env = container_env(pod, "db-backup"), container_env(doc_pod, "db-restore")
    for name in ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "BACKUP_DIR", "HOME"):
        assert doc_env[name] == job_env[name], name
    for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance"):
        assert manifest["metadata"]["labels"][key] == template["metadata"]["labels"][key]
    assert doc_c["resources"] == job_c["resources"]
    assert mounts(doc_c) == mounts(job_c)
    assert volumes(doc_pod) == volumes(pod)
    for key in ("runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup", "seccompProfile"):
        assert doc_pod["securityContext"][key] == pod["securityContext"][key], key
    for key in (
        "allowPrivilegeEscalation",
        "readOnlyRootFilesystem",
        "runAsNonRoot",
        "capabilities",
    ):
        assert doc_c["securityContext"][key] == job_c["securityContext"][key], key


def test_backup_volume_gets_a_consumer_at_install() -> None:
    """`helm --wait` waits for PVCs to bind; a WaitForFirstConsumer volume binds only when a pod
    mounts it, so a plain (non-hook) Job mounts the chart's backup PVC at install."""
    manifests = render(*BACKUP_VALUES)
    claim = find(manifests, "PersistentVolumeClaim", "ai-native-db-backup")
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    job = find_prefixed(manifests, "Job", "ai-native-db-backup-volume-")
    assert "helm.sh/hook" not in (job["metadata"].get("annotations") or {})
    pod_volumes = volumes(job["spec"]["template"]["spec"])
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod_volumes.values()]
    assert claims == ["ai-native-db-backup"]
    own_claim = render(*BACKUP_VALUES, "postgresql.backup.persistence.existingClaim=mine")
    assert not [d for d in own_claim if d["kind"] == "PersistentVolumeClaim"]
    assert not [
        d for d in own_claim if d["metadata"]["name"].startswith("ai-native-db-backup-volume")
    ]
