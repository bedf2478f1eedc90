"""The chart's database against the application's contract, on a real PostgreSQL.

The app's models (tests/contract/app_models.py, written from docs/app-contract.md) run
SQLAlchemy `create_all` and write and read one row per table after each schema mode's Job:
- `bundled`: the chart's SQL (applied twice) must be the models' schema, column for column and
  index for index, compared through the catalog with what create_all builds in an empty database;
- `app`: the Job's SQL must leave the database empty, for the ORM to fill;
- `command`: the hook Job's command, with the rendered ConfigMap and Secret as its env, reaches
  the database and builds the same tables (a stand-in migration: tests/contract/create_tables.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import app_models
import pytest
from component_chart import configmap_data, find, render, run_script
from component_data import (
    BUNDLED,
    SCHEMA_CONFIGMAP,
    SEED_INDEXES,
    TABLES,
    apply_schema,
    contract_rows,
    engine,
    execute,
    insert_rows,
    query,
    schema_dir,
)
from component_servers import SUPERUSER, PostgresServer

pytestmark = [pytest.mark.component, pytest.mark.xdist_group("postgresql")]

COLUMNS = """
    SELECT table_name, column_name,
           format_type(a.atttypid, a.atttypmod), c.is_nullable, c.column_default
    FROM information_schema.columns c
    JOIN pg_attribute a ON a.attrelid = quote_ident(c.table_name)::regclass
                       AND a.attname = c.column_name
    WHERE c.table_schema = 'public'
"""
INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
FOREIGN_KEYS = """
    SELECT con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid)
    FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
    WHERE n.nspname = 'public' AND con.contype IN ('f', 'c', 'u')
"""


def catalog(postgres: PostgresServer, database: str) -> dict[str, Any]:
    """Columns (type, nullability), indexes (definition) and constraints of the public schema."""
    columns = {(t, c): (ty, n) for t, c, ty, n, _ in query(postgres, database, COLUMNS)}
    defaults = {(t, c): d for t, c, _, _, d in query(postgres, database, COLUMNS)}
    indexes = {(t, i): d for t, i, d in query(postgres, database, INDEXES)}
    constraints = {(t, n): d for t, n, d in query(postgres, database, FOREIGN_KEYS)}
    return {
        "columns": columns,
        "defaults": defaults,
        "indexes": indexes,
        "constraints": constraints,
    }


def only_contract_tables(found: dict[Any, Any]) -> dict[Any, Any]:
    return {key: value for key, value in found.items() if key[0] in TABLES}


# Database defaults 01-schema.sql gives the models' callable app-side defaults (by function name).
CALLABLE_DEFAULTS = {
    "utcnow": "(now() AT TIME ZONE 'utc'::text)",
    "new_id": None,  # ids are the app's, never the database's
    "list": "'[]'::json",
    "dict": "'{}'::json",
}


def expected_default(column: Any) -> str | None:
    """The database default 01-schema.sql gives a column: the models' app-side default."""
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return CALLABLE_DEFAULTS[default.arg.__name__]
    value = default.arg
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return f"'{value}'::character varying"


def test_bundled_schema_is_the_models_schema(postgres: PostgresServer, tmp_path: Path) -> None:
    bundled = postgres.create_database("contract_bundled")
    files = schema_dir(tmp_path, BUNDLED)
    apply_schema(postgres, bundled, files)
    apply_schema(postgres, bundled, files)  # idempotent: the second run changes nothing
    from_chart = catalog(postgres, bundled)

    orm = postgres.create_database("contract_orm")
    app_models.metadata.create_all(engine(postgres, orm))
    from_models = catalog(postgres, orm)

    assert from_chart["columns"] == only_contract_tables(from_models["columns"])
    assert from_chart["indexes"] == only_contract_tables(from_models["indexes"])
    # The one difference, on purpose: no foreign key to the app's own `users` table.
    missing = set(only_contract_tables(from_models["constraints"])) - set(from_chart["constraints"])
    assert missing == {("sessions", "sessions_user_id_fkey")}
    assert from_chart["constraints"] == {
        key: value
        for key, value in only_contract_tables(from_models["constraints"]).items()
        if key not in missing
    }
    # Defaults: the app's own, so rows written by hand look like the app's.
    for table in app_models.metadata.sorted_tables:
        if table.name not in TABLES:
            continue
        for column in table.columns:
            found = from_chart["defaults"][(table.name, column.name)]
            assert found == expected_default(column), f"{table.name}.{column.name}: {found}"


def test_bundled_schema_keeps_the_contracts_literal_facts(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    """A few facts copied from the contract's table by hand, not from the models: the models
    and the SQL could share a mistake."""
    database = postgres.create_database("contract_facts")
    apply_schema(postgres, database, schema_dir(tmp_path, BUNDLED))
    found = catalog(postgres, database)
    columns = found["columns"]
    assert columns[("sessions", "id")] == ("character varying(36)", "NO")
    assert columns[("sessions", "activity_id")] == ("character varying(100)", "NO")
    assert columns[("sessions", "mode")] == ("character varying(50)", "NO")
    assert columns[("sessions", "status")] == ("character varying(20)", "YES")
    assert columns[("sessions", "created_at")] == ("timestamp without time zone", "NO")
    assert columns[("activities", "policies")] == ("json", "NO")
    assert columns[("activities", "instructions")] == ("text", "NO")
    assert columns[("cognitive_traces", "ai_involvement")] == ("double precision", "YES")
    assert columns[("cognitive_traces", "cognitive_intent")] == ("character varying(200)", "YES")
    assert columns[("risks", "resolved")] == ("boolean", "YES")
    assert columns[("evaluations", "overall_score")] == ("double precision", "NO")
    assert columns[("incident_simulations", "activity_id")] == ("character varying(100)", "YES")
    assert not [c for c in columns.values() if c[0] in ("uuid", "jsonb")]
    assert found["defaults"][("interview_sessions", "difficulty_level")] == (
        "'MEDIUM'::character varying"
    )
    assert not [k for k, d in found["constraints"].items() if d.startswith("CHECK")]
    indexes = found["indexes"]
    assert indexes[("cognitive_traces", "idx_student_activity_state")].endswith(
        "USING btree (student_id, activity_id, cognitive_state)"
    )
    assert indexes[("activities", "ix_activities_activity_id")].startswith("CREATE UNIQUE INDEX")
    composite = {name for (_, name), d in indexes.items() if "," in d.split("(", 1)[1]}
    assert composite >= SEED_INDEXES and len(composite) == 23
    single = {name for (_, name) in indexes if name.startswith("ix_")}
    assert len(single) == 19
    foreign = {table for (table, _), d in found["constraints"].items() if "FOREIGN" in d}
    assert foreign == {
        "cognitive_traces",
        "risks",
        "evaluations",
        "interview_sessions",
        "incident_simulations",
    }  # fmt: skip  (trace_sequences.session_id is no foreign key in the app either)


def read_back(postgres: PostgresServer, database: str, rows: list[Any]) -> None:
    """Every row written through the models reads back with the same values."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    with Session(engine(postgres, database)) as orm:
        for row in rows:
            model = type(row)
            stored = orm.get(model, row.id)
            assert stored is not None, f"{model.__tablename__} row {row.id} missing"
            for attr in inspect(model).column_attrs:
                key = attr.key
                assert getattr(stored, key) == getattr(row, key), f"{model.__tablename__}.{key}"


def write_and_read(postgres: PostgresServer, database: str, tag: str) -> None:
    rows = contract_rows(tag)
    insert_rows(postgres, database, rows)
    read_back(postgres, database, rows)
    # As stored: text ids, upper-case enumerations, json payloads.
    ((mode, kind, ids),) = query(
        postgres, database,
        "SELECT s.mode, pg_typeof(a.policies)::text, pg_typeof(s.id)::text FROM sessions s "
        "JOIN activities a ON a.activity_id = s.activity_id WHERE s.student_id = %s",
        f"student-{tag}",
    )  # fmt: skip
    assert (mode, kind, ids) == ("TUTOR", "json", "character varying")
    ((severity, metrics),) = query(
        postgres, database,
        "SELECT severity, simulated_metrics->>'error_rate' FROM incident_simulations "
        "WHERE student_id = %s",
        f"student-{tag}",
    )  # fmt: skip
    assert (severity, metrics) == ("HIGH", "0.3")


def test_bundled_schema_then_the_apps_create_all_writes_and_reads(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    database = postgres.create_database("contract_bundled_rows")
    files = schema_dir(tmp_path, BUNDLED)
    apply_schema(postgres, database, files)
    apply_schema(postgres, database, files)
    write_and_read(postgres, database, "bundled")  # create_all adds only `users`
    tables = {r[0] for r in query(postgres, database, "SELECT tablename FROM pg_tables "
                                  "WHERE schemaname = 'public'")}  # fmt: skip
    assert tables == TABLES | {"users"}
    # The trigger agrees with the app: updated_at moves on UPDATE.
    ((before,),) = query(postgres, database, "SELECT updated_at FROM risks")
    execute(postgres, database, "UPDATE risks SET resolved = true")
    ((after,),) = query(postgres, database, "SELECT updated_at FROM risks")
    assert after > before


def test_app_mode_leaves_an_empty_database_for_create_all(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    database = postgres.create_database("contract_app")
    files = schema_dir(tmp_path)  # the default mode
    assert sorted(p.name for p in files.iterdir()) == ["00-database.sql", "db-schema.sh"]
    assert "schema applied" in apply_schema(postgres, database, files)
    apply_schema(postgres, database, files)
    objects = query(
        postgres, database,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' UNION ALL SELECT p.proname FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'",
    )  # fmt: skip
    assert objects == []
    write_and_read(postgres, database, "app")
    tables = {r[0] for r in query(postgres, database, "SELECT tablename FROM pg_tables "
                                  "WHERE schemaname = 'public'")}  # fmt: skip
    assert tables == TABLES | {"users"}


def test_app_mode_creates_a_missing_database(postgres: PostgresServer, tmp_path: Path) -> None:
    files = schema_dir(tmp_path)
    out = apply_schema(postgres, "contract_created_by_job", files)
    assert "does not exist; creating it" in out
    assert query(postgres, "contract_created_by_job", "SELECT current_database()") == [
        ("contract_created_by_job",)
    ]


def test_app_mode_names_the_grant_a_role_lacks(postgres: PostgresServer, tmp_path: Path) -> None:
    """PostgreSQL 15+: a role that neither owns the database nor was granted CREATE on public
    cannot create the app's tables; the Job says which GRANT the owner must run."""
    database = postgres.create_database("contract_grants")
    execute(postgres, "postgres", "DROP ROLE IF EXISTS contract_app_role")
    execute(postgres, "postgres", "CREATE ROLE contract_app_role LOGIN PASSWORD 'app-role-pw'")
    execute(postgres, database, "REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    files = schema_dir(tmp_path)
    env = {
        **postgres.env(database),
        "PGUSER": "contract_app_role",
        "PGPASSWORD": "app-role-pw",
        "SQL_DIR": str(files),
        "WAIT_TIMEOUT_SECONDS": "30",
    }
    refused = run_script(files / "db-schema.sh", env=env, check=False)
    assert refused.returncode != 0
    assert "may not create tables in schema public" in refused.stderr
    assert "GRANT USAGE, CREATE ON SCHEMA public TO contract_app_role" in refused.stderr
    execute(postgres, database, "GRANT USAGE, CREATE ON SCHEMA public TO contract_app_role")
    assert run_script(files / "db-schema.sh", env=env).returncode == 0


def test_bundled_refuses_tables_of_another_schema(postgres: PostgresServer, tmp_path: Path) -> None:
    """Tables left by the chart's earlier invented schema (uuid ids) are named, not kept
    silently for the app to fail on."""
    database = postgres.create_database("contract_old_schema")
    execute(postgres, database, "CREATE TABLE sessions (id uuid PRIMARY KEY, student_id text)")
    files = schema_dir(tmp_path, BUNDLED)
    env = {**postgres.env(database), "SQL_DIR": str(files), "WAIT_TIMEOUT_SECONDS": "30"}
    refused = run_script(files / "db-schema.sh", env=env, check=False)
    assert refused.returncode != 0
    assert "sessions.id is uuid" in refused.stderr
    assert query(postgres, database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[
        0
    ] == (1,)


def test_command_mode_runs_the_command_with_the_apps_config_and_secret(
    postgres: PostgresServer,
) -> None:
    """The hook Job as the cluster would run it: its command, with the env of the rendered app
    ConfigMap and Secret (DATABASE_URL built by the chart, password percent-encoded), against a
    real server. The command is the stand-in migration (create_all of the app's models)."""
    import base64
    import subprocess
    import sys

    database = postgres.create_database("contract_command")
    script = Path(app_models.__file__).with_name("create_tables.py")
    manifests = render(
        "postgresql.schema.mode=command",
        f"postgresql.schema.command={{{sys.executable},{script}}}",
        "postgresql.enabled=false",
        "externalDatabase.host=127.0.0.1",
        f"externalDatabase.port={postgres.port}",
        f"externalDatabase.database={database}",
        f"externalDatabase.username={SUPERUSER}",
        f"externalDatabase.password={postgres.password}",
    )
    job = find(manifests, "Job", "ai-native-db-migrate")
    container = job["spec"]["template"]["spec"]["containers"][0]
    env: dict[str, str] = {}
    for source in container["envFrom"]:
        if "configMapRef" in source:
            env.update(find(manifests, "ConfigMap", source["configMapRef"]["name"])["data"])
        else:
            secret = find(manifests, "Secret", source["secretRef"]["name"])["data"]
            env.update({k: base64.b64decode(v).decode() for k, v in secret.items()})
    assert "env" not in container  # nothing beyond the ConfigMap and Secret here
    proc = subprocess.run(
        container["command"], env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    tables = {r[0] for r in query(postgres, database, "SELECT tablename FROM pg_tables "
                                  "WHERE schemaname = 'public'")}  # fmt: skip
    assert tables == TABLES | {"users"}
    write_and_read(postgres, database, "command")


def test_command_mode_renders_no_sql() -> None:
    manifests = render("postgresql.schema.mode=command")
    assert not [d for d in manifests if d["metadata"]["name"] == SCHEMA_CONFIGMAP]
    assert configmap_data(render(), SCHEMA_CONFIGMAP)  # the default mode has its ConfigMap
