"""The schema Job's SQL and runner, taken from the rendered chart, against a real PostgreSQL.

Runs the Job's own script (db-schema.sh from the rendered ConfigMap) twice, with rows written in
between: 9 tables, 16 composite indexes, working updated_at triggers, sample data when asked, and
nothing written between the runs lost or changed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from component_chart import configmap_data, container_env, find_prefixed, render, run_script
from component_data import (
    SCHEMA_CONFIGMAP,
    SEED_INDEXES,
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

SAMPLE_ACTIVITY = "sample-recursion-intro"


def test_rendered_sql_never_drops_or_rewrites() -> None:
    for set_values in ((), ("postgresql.schema.sampleData=true",)):
        data = configmap_data(render(*set_values), SCHEMA_CONFIGMAP)
        for name, text in data.items():
            if not name.endswith(".sql"):
                continue
            code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
            forbidden = re.findall(r"\b(DROP|TRUNCATE|DELETE|ALTER\s+TABLE)\b", code, re.IGNORECASE)
            assert forbidden == [], f"{name} contains {forbidden}"
            assert re.search(r"^\s*BEGIN;", code, re.MULTILINE), f"{name} is not one transaction"


def test_sample_data_only_when_asked() -> None:
    assert "02-sample-data.sql" not in configmap_data(render(), SCHEMA_CONFIGMAP)
    asked = configmap_data(render("postgresql.schema.sampleData=true"), SCHEMA_CONFIGMAP)
    assert "02-sample-data.sql" in asked


def test_job_runs_the_configmap_script_against_the_bundled_service() -> None:
    job = find_prefixed(render(), "Job", "ai-native-db-schema-")
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["command"] == ["sh", "/opt/db-schema/db-schema.sh"]
    env = container_env(pod, "db-schema")
    assert env["SQL_DIR"] == "/opt/db-schema"
    assert env["PGHOST"] == "ai-native-postgresql"
    assert env["PGPASSWORD"] == {
        "secretKeyRef": {"name": "ai-native-secrets", "key": "POSTGRES_PASSWORD"}
    }
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[mounts["/opt/db-schema"]]["configMap"]["name"] == SCHEMA_CONFIGMAP
    assert "helm.sh/hook" not in (job["metadata"].get("annotations") or {})


def test_job_uses_the_external_database_and_its_secret() -> None:
    manifests = render(
        "postgresql.enabled=false",
        "externalDatabase.host=db.example.internal",
        "externalDatabase.port=6432",
        "externalDatabase.database=lms",
        "externalDatabase.username=lms_owner",
        "externalDatabase.existingSecret=lms-db",
        "externalDatabase.passwordKey=pw",
    )
    job = find_prefixed(manifests, "Job", "ai-native-db-schema-")
    env = container_env(job["spec"]["template"]["spec"], "db-schema")
    assert (env["PGHOST"], env["PGPORT"], env["PGDATABASE"], env["PGUSER"]) == (
        "db.example.internal", "6432", "lms", "lms_owner",
    )  # fmt: skip
    assert env["PGPASSWORD"] == {"secretKeyRef": {"name": "lms-db", "key": "pw"}}
    assert not [
        d for d in manifests if d["kind"] == "StatefulSet" and "postgresql" in d["metadata"]["name"]
    ]


def test_schema_twice_keeps_rows_and_adds_sample_data(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    database = postgres.create_database("schema_twice")
    first = apply_schema(postgres, database, schema_dir(tmp_path / "plain"))
    assert "schema applied" in first

    tables = {r[0] for r in query(postgres, database,
              "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}  # fmt: skip
    assert tables == TABLES
    assert query(postgres, database, "SELECT count(*) FROM activities") == [(0,)]

    insert_one_row_per_table(postgres, database)
    before = table_snapshot(postgres, database)
    assert all(len(rows) == 1 for rows in before.values()), before

    # Second run: the chart rendered with sample data, as after `helm upgrade --set ...`.
    apply_schema(
        postgres, database, schema_dir(tmp_path / "sample", "postgresql.schema.sampleData=true")
    )
    after = table_snapshot(postgres, database)
    sample_activity = [r for r in after["activities"] if r["code"] == SAMPLE_ACTIVITY]
    assert len(sample_activity) == 1
    sample_sessions = [r for r in after["sessions"] if r["activity_id"] == sample_activity[0]["id"]]
    assert len(sample_sessions) == 1
    kept = {
        table: [r for r in rows if r not in sample_activity and r not in sample_sessions]
        for table, rows in after.items()
    }
    assert kept == before, "rows written between the two runs changed"

    # A third run (sample data again) inserts nothing twice.
    apply_schema(
        postgres, database, schema_dir(tmp_path / "again", "postgresql.schema.sampleData=true")
    )
    assert table_snapshot(postgres, database) == after


def test_sixteen_composite_indexes(postgres: PostgresServer, tmp_path: Path) -> None:
    database = postgres.create_database("schema_indexes")
    apply_schema(postgres, database, schema_dir(tmp_path))
    rows = query(
        postgres, database,
        """SELECT c.relname, t.relname, i.indnatts FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND NOT i.indisprimary AND NOT i.indisunique""",
    )  # fmt: skip
    indexes = {name: (table, columns) for name, table, columns in rows}
    assert len(indexes) == 16, sorted(indexes)
    assert set(indexes) >= SEED_INDEXES
    assert all(columns >= 2 for _, columns in indexes.values()), indexes
    assert {table for table, _ in indexes.values()} <= TABLES


def test_updated_at_trigger_on_every_table(postgres: PostgresServer, tmp_path: Path) -> None:
    database = postgres.create_database("schema_triggers")
    apply_schema(postgres, database, schema_dir(tmp_path))
    insert_one_row_per_table(postgres, database)
    # The rows were written with updated_at a day ago; touching a column must move it to now().
    for table in sorted(TABLES):
        ((old, created),) = query(postgres, database, f"SELECT updated_at, created_at FROM {table}")
        execute(
            postgres,
            database,
            f"UPDATE {table} SET student_id = student_id"
            if table != "activities"
            else "UPDATE activities SET title = title || ' (edited)'",
        )
        ((new, created_after),) = query(
            postgres, database, f"SELECT updated_at, created_at FROM {table}"
        )
        assert new > old, f"{table}: updated_at did not change on UPDATE"
        assert created_after == created, f"{table}: created_at changed on UPDATE"


def test_runner_gives_up_after_its_bounded_wait(tmp_path: Path) -> None:
    from component_servers import free_port, require_program

    require_program("pg_isready")
    files = schema_dir(tmp_path)
    env = {
        "PGHOST": "127.0.0.1", "PGPORT": str(free_port()), "PGUSER": "nobody",
        "PGDATABASE": "nothing", "SQL_DIR": str(files),
        "WAIT_TIMEOUT_SECONDS": "2", "WAIT_INTERVAL_SECONDS": "1",
    }  # fmt: skip
    proc = run_script(files / "db-schema.sh", env=env, check=False)
    assert proc.returncode == 1
    assert "not ready after 2s" in proc.stdout
