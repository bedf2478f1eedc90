"""Data helpers for the component tests: the schema from the rendered chart, rows, snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import app_models
from component_chart import configmap_data, render, run_script, write_files
from component_servers import SUPERUSER, PostgresServer

SCHEMA_CONFIGMAP = "ai-native-db-schema"
BUNDLED = "postgresql.schema.mode=bundled"
TABLES = set(app_models.CONTRACT_TABLES)
# The seed's 16 composite indexes (app-contract.md: sessions, traces, risks, evaluations,
# sequences), written out here rather than taken from the models, as a cross-check.
SEED_INDEXES = {
    "idx_session_student_activity", "idx_status_created", "idx_student_status",
    "idx_trace_session_interaction", "idx_trace_student_created", "idx_student_activity_state",
    "idx_session_level", "idx_student_resolved", "idx_level_created",
    "idx_student_activity_dimension", "idx_risk_session_type", "idx_eval_student_activity",
    "idx_competency_score", "idx_eval_student_created", "idx_trace_seq_student_activity",
    "idx_student_start",
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


def engine(postgres: PostgresServer, database: str) -> Any:
    """A SQLAlchemy engine on `database`, as the backend builds one from DATABASE_URL."""
    import sqlalchemy

    url = sqlalchemy.engine.URL.create(
        "postgresql+psycopg", username=SUPERUSER, password=postgres.password,
        host="127.0.0.1", port=postgres.port, database=database,
    )  # fmt: skip
    return sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)


def contract_rows(tag: str, when: datetime | None = None) -> list[Any]:
    """One row per table of the contract (and the user the session belongs to), with values as
    the app writes them: text uuid ids, upper-case enumerations, json payloads, the activity's
    code in activity_id. `tag` keeps the unique keys of several calls apart; `when` sets
    created_at/updated_at (else the models' defaults, now)."""
    m = app_models
    student, code = f"student-{tag}", f"{tag}-activity"
    user = m.User(username=f"user-{tag}")
    user.id = m.new_id()
    session = m.Session(
        student_id=student, activity_id=code, mode="TUTOR", simulator_type="IT_SUPPORT",
        user_id=user.id, status="active",
    )  # fmt: skip
    session.id = m.new_id()
    trace = m.CognitiveTrace(
        session_id=session.id, student_id=student, activity_id=code,
        interaction_type="STUDENT_PROMPT", content="¿Cómo empiezo la cola circular?",
        context={"lang": "es", "attempt": 1}, cognitive_state="EXPLORACION",
        alternatives_considered=["array", "linked list"], ai_involvement=0.25,
    )  # fmt: skip
    trace.id = m.new_id()
    rows = [
        user,
        m.Activity(
            activity_id=code,
            title="Colas circulares",
            instructions="Explicá tu diseño.",
            teacher_id="teacher_001",
            policies={"max_help_level": "MEDIO"},
            evaluation_criteria=[{"criterion": "diseño", "weight": 0.5}],
            subject="Prog II",
            difficulty="INTERMEDIO",
            tags=["colas"],
            status="active",
        ),
        session,
        trace,
        m.Risk(
            session_id=session.id,
            student_id=student,
            activity_id=code,
            risk_type="COGNITIVE_DELEGATION",
            risk_level="HIGH",
            dimension="COGNITIVE",
            description="Copies AI answers",
            evidence=["trace"],
            trace_ids=[trace.id],
        ),
        m.Evaluation(
            session_id=session.id,
            student_id=student,
            activity_id=code,
            overall_competency_level="INTERMEDIO",
            overall_score=71.5,
            dimensions=[{"name": "problem_decomposition", "score": 7}],
            reasoning_analysis={"coherence": "HIGH"},
        ),
        m.TraceSequence(
            session_id=session.id,
            student_id=student,
            activity_id=code,
            reasoning_path=[{"step": 1}],
            strategy_changes=2,
            trace_ids=[trace.id],
        ),
        m.StudentProfile(
            student_id=student,
            name="Demo",
            risk_trends={"HIGH": 1},
            competency_evolution=[{"level": "INTERMEDIO"}],
        ),
        m.InterviewSession(
            session_id=session.id,
            student_id=student,
            interview_type="CONCEPTUAL",
            difficulty_level="MEDIUM",
            questions_asked=[{"q": "¿Qué es FIFO?"}],
        ),
        m.IncidentSimulation(
            session_id=session.id,
            student_id=student,
            incident_type="API_ERROR",
            severity="HIGH",
            incident_description="500s on /api/v1/sessions",
            simulated_metrics={"error_rate": 0.3},
        ),
    ]
    if when is not None:
        for row in rows:
            row.created_at = row.updated_at = when
    return rows


def insert_rows(postgres: PostgresServer, database: str, rows: list[Any]) -> None:
    """Writes `rows` through the ORM, as the app does: create_all first (as on its start: it
    adds what is missing, here at least `users`), then the rows in their order (the user before
    the session that references it)."""
    from sqlalchemy.orm import Session

    db = engine(postgres, database)
    app_models.metadata.create_all(db)
    with Session(db, expire_on_commit=False) as orm:
        for row in rows:  # one flush each: without relationships the ORM does not order by FK
            orm.add(row)
            orm.flush()
        orm.commit()


def insert_one_row_per_table(postgres: PostgresServer, database: str, tag: str = "between") -> None:
    """One row in every table (a user's writes, through the app's models), with timestamps a
    day in the past; `tag` keeps the unique keys of several calls apart."""
    yesterday = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
    insert_rows(postgres, database, contract_rows(tag, yesterday))
