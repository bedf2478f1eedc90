"""Data helpers for the component tests: the schema from the rendered chart, rows, snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from component_chart import configmap_data, render, run_script, write_files
from component_servers import PostgresServer

SCHEMA_CONFIGMAP = "ai-native-db-schema"
TABLES = {
    "sessions", "activities", "cognitive_traces", "risks", "evaluations", "trace_sequences",
    "student_profiles", "interview_sessions", "incident_simulations",
}  # fmt: skip
SEED_INDEXES = {
    "idx_sessions_student", "idx_sessions_activity", "idx_student_activity", "idx_traces_session",
    "idx_session_type", "idx_risks_student", "idx_student_resolved", "idx_evaluations_student",
    "idx_student_activity_eval",
}  # fmt: skip


def schema_dir(tmp_path: Path, *set_values: str) -> Path:
    """The rendered schema ConfigMap materialised like the Job's volume mount."""
    data = configmap_data(render(*set_values), SCHEMA_CONFIGMAP)
    return write_files(data, tmp_path / "db-schema")


def apply_schema(postgres: PostgresServer, database: str, files: Path) -> str:
    env = {**postgres.env(database), "SQL_DIR": str(files), "WAIT_TIMEOUT_SECONDS": "30"}
    return run_script(files / "db-schema.sh", env=env).stdout


def query(postgres: PostgresServer, database: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(postgres.conninfo(database)) as conn:
        return list(conn.execute(sql, params).fetchall())


def execute(postgres: PostgresServer, database: str, sql: str, *params: Any) -> None:
    import psycopg

    with psycopg.connect(postgres.conninfo(database)) as conn:
        conn.execute(sql, params)


def table_snapshot(postgres: PostgresServer, database: str) -> dict[str, list[Any]]:
    """Every row of every table as jsonb, ordered by id: compares whole contents."""
    return {
        table: [
            r[0]
            for r in query(postgres, database, f"SELECT to_jsonb(t) FROM {table} t ORDER BY id")
        ]
        for table in sorted(TABLES)
    }


def insert_one_row_per_table(postgres: PostgresServer, database: str, tag: str = "between") -> None:
    """One row in every table (a user's writes), with timestamps a day in the past; `tag` keeps
    the unique keys of several calls apart."""
    old = "now() - interval '1 day'"
    execute(
        postgres, database,
        f"""
        WITH a AS (INSERT INTO activities (code, title, created_at, updated_at)
                   VALUES ('{tag}-runs', 'Written between runs', {old}, {old}) RETURNING id),
             s AS (INSERT INTO sessions (student_id, activity_id, created_at, updated_at)
                   SELECT 'student-{tag}', id, {old}, {old} FROM a RETURNING id, activity_id),
             t AS (INSERT INTO cognitive_traces (session_id, student_id, activity_id,
                                                 interaction_type, content, ai_involvement,
                                                 created_at, updated_at)
                   SELECT id, 'student-{tag}', activity_id, 'student_prompt',
                          'How do I start?', 0.25, {old}, {old}
                   FROM s RETURNING id, session_id, activity_id),
             r AS (INSERT INTO risks (session_id, student_id, activity_id, risk_type, risk_level,
                                      created_at, updated_at)
                   SELECT id, 'student-{tag}', activity_id, 'ai_dependency', 'medium',
                          {old}, {old} FROM s),
             e AS (INSERT INTO evaluations (session_id, student_id, activity_id, overall_score,
                                            created_at, updated_at)
                   SELECT id, 'student-{tag}', activity_id, 71.5, {old}, {old} FROM s),
             q AS (INSERT INTO trace_sequences (session_id, student_id, activity_id, trace_ids,
                                                created_at, updated_at)
                   SELECT session_id, 'student-{tag}', activity_id, ARRAY[id], {old}, {old}
                   FROM t),
             p AS (INSERT INTO student_profiles (student_id, cohort, created_at, updated_at)
                   VALUES ('student-{tag}', '2025-A', {old}, {old})),
             i AS (INSERT INTO interview_sessions (student_id, session_id, interview_type,
                                                   created_at, updated_at)
                   SELECT 'student-{tag}', id, 'conceptual', {old}, {old} FROM s)
        INSERT INTO incident_simulations (student_id, session_id, incident_type, created_at,
                                          updated_at)
        SELECT 'student-{tag}', id, 'api_error', {old}, {old} FROM s
        """,
    )  # fmt: skip
