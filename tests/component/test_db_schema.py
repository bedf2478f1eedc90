"""The schema Job's SQL and runner, taken from the rendered chart, against a real PostgreSQL.

Runs the Job's own script (db-schema.sh from the rendered ConfigMap, schema mode `bundled`) twice,
with rows written in between: 9 tables, 23 composite indexes, working updated_at triggers, sample
data when asked, and nothing written between the runs lost or changed. test_app_contract.py
compares the result with the app's models.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from component_chart import configmap_data, container_env, find_prefixed, render, run_script
from component_data import (
    BUNDLED,
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

SAMPLE_ACTIVITY = "prog2_tp1_colas"


def test_rendered_sql_never_drops_or_rewrites() -> None:
    for set_values in ((), (BUNDLED, "postgresql.schema.sampleData=true")):
        data = configmap_data(render(*set_values), SCHEMA_CONFIGMAP)
        for name, text in data.items():
            if not name.endswith(".sql"):
                continue
            code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
            forbidden = re.findall(
                r"\b(DROP|TRUNCATE|DELETE|ALTER|UPDATE\s+\w+\s+SET)\b", code, re.IGNORECASE
            )
            assert forbidden == [], f"{name} contains {forbidden}"
            assert re.search(r"^\s*BEGIN;", code, re.MULTILINE), f"{name} is not one transaction"


def test_sample_data_only_when_asked() -> None:
    assert "02-sample-data.sql" not in configmap_data(render(BUNDLED), SCHEMA_CONFIGMAP)
    asked = configmap_data(render(BUNDLED, "postgresql.schema.sampleData=true"), SCHEMA_CONFIGMAP)
    assert "02-sample-data.sql" in asked


def test_each_mode_ships_its_sql() -> None:
    assert sorted(configmap_data(render(), SCHEMA_CONFIGMAP)) == ["00-database.sql", "db-schema.sh"]
    assert sorted(configmap_data(render(BUNDLED), SCHEMA_CONFIGMAP)) == [
        "00-database.sql", "01-schema.sql", "db-schema.sh",
    ]  # fmt: skip
    command = render("postgresql.schema.mode=command")
    assert not [d for d in command if d["metadata"]["name"] == SCHEMA_CONFIGMAP]


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
    first = apply_schema(postgres, database, schema_dir(tmp_path / "plain", BUNDLED))
    assert "schema applied" in first

    tables = {r[0] for r in query(postgres, database,
              "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}  # fmt: skip
    assert tables == TABLES
    assert query(postgres, database, "SELECT count(*) FROM activities") == [(0,)]

    insert_one_row_per_table(postgres, database)
    before = table_snapshot(postgres, database)
    assert all(len(rows) == 1 for rows in before.values()), before

    # Second run: the chart rendered with sample data, as after `helm upgrade --set ...`.
    sample = ("postgresql.schema.sampleData=true", BUNDLED)
    apply_schema(postgres, database, schema_dir(tmp_path / "sample", *sample))
    after = table_snapshot(postgres, database)
    sample_activity = [r for r in after["activities"] if r["activity_id"] == SAMPLE_ACTIVITY]
    assert len(sample_activity) == 1
    assert sample_activity[0]["difficulty"] == "INTERMEDIO"
    sample_sessions = [r for r in after["sessions"] if r["activity_id"] == SAMPLE_ACTIVITY]
    assert [(r["student_id"], r["mode"], r["status"]) for r in sample_sessions] == [
        ("student_demo", "TUTOR", "active")
    ]
    kept = {
        table: [r for r in rows if r not in sample_activity and r not in sample_sessions]
        for table, rows in after.items()
    }
    assert kept == before, "rows written between the two runs changed"

    # A third run (sample data again) inserts nothing twice.
    apply_schema(postgres, database, schema_dir(tmp_path / "again", *sample))
    assert table_snapshot(postgres, database) == after


def test_the_contracts_composite_indexes(postgres: PostgresServer, tmp_path: Path) -> None:
    database = postgres.create_database("schema_indexes")
    apply_schema(postgres, database, schema_dir(tmp_path, BUNDLED))
    rows = query(
        postgres, database,
        """SELECT c.relname, t.relname, i.indnatts FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND NOT i.indisprimary AND NOT i.indisunique
             AND i.indnatts > 1""",
    )  # fmt: skip
    indexes = {name: (table, columns) for name, table, columns in rows}
    assert len(indexes) == 23, sorted(indexes)  # the seed's 16 and 7 of the other tables
    assert set(indexes) >= SEED_INDEXES
    assert all(columns >= 2 for _, columns in indexes.values()), indexes
    assert {table for table, _ in indexes.values()} <= TABLES


def test_updated_at_trigger_on_every_table(postgres: PostgresServer, tmp_path: Path) -> None:
    database = postgres.create_database("schema_triggers")
    apply_schema(postgres, database, schema_dir(tmp_path, BUNDLED))
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
