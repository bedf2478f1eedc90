"""The application's ORM schema as the contract describes it (docs: app-contract.md).

SQLAlchemy models of the nine tables of the seed (P1.3) plus a minimal `users` table, the target
of sessions.user_id. They stand in for the backend's own models: the component tests run
`create_all` of this metadata against the schema the chart builds, and the stand-in backend image
creates its tables from it. Classic declarative `Column(...)` style, so the same file works on
SQLAlchemy 1.4 (Debian's package) and 2.0.

Facts kept exactly: column names, types (varchar lengths, text, json not jsonb, float, integer,
boolean, timestamp without time zone), nullability, the app-side defaults (Python `default=`, as
the app sets them; the app declares no server defaults and no CHECK constraints), foreign keys,
the `index=True` columns (SQLAlchemy names them ix_<table>_<column>) and the composite indexes
with the contract's names.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base

Base: Any = declarative_base()
metadata: MetaData = Base.metadata

# The nine tables the seed's schema (P1.3) defines; `users` belongs to the app alone.
CONTRACT_TABLES = (
    "sessions",
    "activities",
    "cognitive_traces",
    "risks",
    "evaluations",
    "trace_sequences",
    "student_profiles",
    "interview_sessions",
    "incident_simulations",
)


def new_id() -> str:
    """A UUID as text: the app generates its ids, the database never does."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Naive UTC, as the app stores it (timestamp without time zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Base):  # type: ignore[misc]
    """The app's base: text uuid id, created_at and updated_at set by the app."""

    __abstract__ = True

    id = Column(String(36), primary_key=True, default=new_id)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class User(BaseModel):
    """Minimal: the real app's users table has more columns; only its key matters here."""

    __tablename__ = "users"

    username = Column(String(100), nullable=False, unique=True)


class Session(BaseModel):
    __tablename__ = "sessions"

    student_id = Column(String(100), nullable=False, index=True)
    activity_id = Column(String(100), nullable=False, index=True)
    mode = Column(String(50), nullable=False, default="TUTOR")
    simulator_type = Column(String(50), nullable=True, index=True)
    user_id = Column(String(100), ForeignKey("users.id"), nullable=True, index=True)
    start_time = Column(DateTime, nullable=False, default=utcnow)
    end_time = Column(DateTime, nullable=True)
    status = Column(String(20), default="active")

    __table_args__ = (
        Index("idx_session_student_activity", "student_id", "activity_id"),
        Index("idx_status_created", "status", "created_at"),
        Index("idx_student_status", "student_id", "status"),
    )


class Activity(BaseModel):
    __tablename__ = "activities"

    activity_id = Column(String(100), nullable=False, unique=True, index=True)
    title = Column(String(200), nullable=False)
    description = Column(Text, nullable=True)
    instructions = Column(Text, nullable=False)
    evaluation_criteria = Column(JSON, default=list)
    teacher_id = Column(String(100), nullable=False, index=True)
    policies = Column(JSON, nullable=False, default=dict)
    subject = Column(String(100), nullable=True)
    difficulty = Column(String(20), nullable=True)
    estimated_duration_minutes = Column(Integer, nullable=True)
    tags = Column(JSON, default=list)
    status = Column(String(20), default="draft")
    published_at = Column(DateTime, nullable=True)

    __table_args__ = (
        Index("idx_activity_teacher_status", "teacher_id", "status"),
        Index("idx_activity_status_created", "status", "created_at"),
        Index("idx_activity_subject_status", "subject", "status"),
    )


class CognitiveTrace(BaseModel):
    __tablename__ = "cognitive_traces"

    session_id = Column(String(36), ForeignKey("sessions.id"), nullable=False, index=True)
    student_id = Column(String(100), nullable=False, index=True)
    activity_id = Column(String(100), nullable=False)
    trace_level = Column(String(20), default="n4_cognitivo")
    interaction_type = Column(String(50), nullable=False)
    content = Column(Text, nullable=False)
    context = Column(JSON, default=dict)
    trace_metadata = Column(JSON, default=dict)
    cognitive_state = Column(String(50), nullable=True)
    cognitive_intent = Column(String(200), nullable=True)
    decision_justification = Column(Text, nullable=True)
    alternatives_considered = Column(JSON, default=list)
    strategy_type = Column(String(100), nullable=True)
    ai_involvement = Column(Float, default=0.0)
    parent_trace_id = Column(String(36), nullable=True)
    agent_id = Column(String(100), nullable=True)

    __table_args__ = (
        Index("idx_trace_session_interaction", "session_id", "interaction_type"),
        Index("idx_trace_student_created", "student_id", "created_at"),
        Index("idx_student_activity_state", "student_id", "activity_id", "cognitive_state"),
        Index("idx_session_level", "session_id", "trace_level"),
    )


class Risk(BaseModel):
    __tablename__ = "risks"

    session_id = Column(String(36), ForeignKey("sessions.id"), nullable=False, index=True)
    student_id = Column(String(100), nullable=False, index=True)
    activity_id = Column(String(100), nullable=False)
    risk_type = Column(String(100), nullable=False)
    risk_level = Column(String(20), nullable=False)
    dimension = Column(String(50), nullable=False)
    description = Column(Text, nullable=False)
    impact = Column(Text, nullable=True)
    evidence = Column(JSON, default=list)
    trace_ids = Column(JSON, default=list)
    root_cause = Column(Text, nullable=True)
    impact_assessment = Column(Text, nullable=True)
    recommendations = Column(JSON, default=list)
    pedagogical_intervention = Column(Text, nullable=True)
    resolved = Column(Boolean, default=False)
    resolution_notes = Column(Text, nullable=True)
    detected_by = Column(String(50), default="AR-IA")

    __table_args__ = (
        Index("idx_student_resolved", "student_id", "resolved"),
        Index("idx_level_created", "risk_level", "created_at"),
        Index("idx_student_activity_dimension", "student_id", "activity_id", "dimension"),
        Index("idx_risk_session_type", "session_id", "risk_type"),
    )


class Evaluation(BaseModel):
    __tablename__ = "evaluations"

    session_id = Column(String(36), ForeignKey("sessions.id"), nullable=False, index=True)
    student_id = Column(String(100), nullable=False, index=True)
    activity_id = Column(String(100), nullable=False)
    overall_competency_level = Column(String(50), nullable=False)
    overall_score = Column(Float, nullable=False)
    dimensions = Column(JSON, default=list)
    key_strengths = Column(JSON, default=list)
    improvement_areas = Column(JSON, default=list)
    recommendations = Column(JSON, default=list)
    reasoning_analysis = Column(JSON, nullable=True)
    git_analysis = Column(JSON, nullable=True)
    ai_dependency_score = Column(Float, default=0.0)
    ai_dependency_metrics = Column(JSON, nullable=True)

    __table_args__ = (
        Index("idx_eval_student_activity", "student_id", "activity_id"),
        Index("idx_competency_score", "overall_competency_level", "overall_score"),
        Index("idx_eval_student_created", "student_id", "created_at"),
    )


class TraceSequence(BaseModel):
    __tablename__ = "trace_sequences"

    session_id = Column(String(36), nullable=False, index=True)  # no FK in the app either
    student_id = Column(String(100), nullable=False, index=True)
    activity_id = Column(String(100), nullable=False)
    start_time = Column(DateTime, nullable=False, default=utcnow)
    end_time = Column(DateTime, nullable=True)
    reasoning_path = Column(JSON, default=list)
    strategy_changes = Column(Integer, default=0)
    ai_dependency_score = Column(Float, default=0.0)
    trace_ids = Column(JSON, default=list)

    __table_args__ = (
        Index("idx_trace_seq_student_activity", "student_id", "activity_id"),
        Index("idx_student_start", "student_id", "start_time"),
    )


class StudentProfile(BaseModel):
    __tablename__ = "student_profiles"

    student_id = Column(String(100), nullable=False, unique=True, index=True)
    name = Column(String(200), nullable=True)
    email = Column(String(200), nullable=True)
    total_sessions = Column(Integer, default=0)
    total_interactions = Column(Integer, default=0)
    average_ai_dependency = Column(Float, default=0.0)
    average_competency_level = Column(String(50), nullable=True)
    total_risks = Column(Integer, default=0)
    critical_risks = Column(Integer, default=0)
    risk_trends = Column(JSON, default=dict)
    competency_evolution = Column(JSON, default=list)
    last_activity_date = Column(DateTime, nullable=True)


class InterviewSession(BaseModel):
    __tablename__ = "interview_sessions"

    session_id = Column(String(36), ForeignKey("sessions.id"), nullable=False, index=True)
    student_id = Column(String(100), nullable=False, index=True)
    activity_id = Column(String(100), nullable=True)
    interview_type = Column(String(50), nullable=False)
    difficulty_level = Column(String(20), default="MEDIUM")
    questions_asked = Column(JSON, default=list)
    responses = Column(JSON, default=list)
    evaluation_score = Column(Float, nullable=True)
    evaluation_breakdown = Column(JSON, default=dict)
    feedback = Column(Text, nullable=True)
    duration_minutes = Column(Integer, nullable=True)

    __table_args__ = (
        Index("idx_interview_student_created", "student_id", "created_at"),
        Index("idx_interview_type_difficulty", "interview_type", "difficulty_level"),
    )


class IncidentSimulation(BaseModel):
    __tablename__ = "incident_simulations"

    session_id = Column(String(36), ForeignKey("sessions.id"), nullable=False, index=True)
    student_id = Column(String(100), nullable=False, index=True)
    activity_id = Column(String(100), nullable=True)
    incident_type = Column(String(50), nullable=False)
    severity = Column(String(20), default="HIGH")
    incident_description = Column(Text, nullable=False)
    simulated_logs = Column(Text, nullable=True)
    simulated_metrics = Column(JSON, default=dict)
    diagnosis_process = Column(JSON, default=list)
    solution_proposed = Column(Text, nullable=True)
    root_cause_identified = Column(Text, nullable=True)
    time_to_diagnose_minutes = Column(Integer, nullable=True)
    time_to_resolve_minutes = Column(Integer, nullable=True)
    post_mortem = Column(Text, nullable=True)
    evaluation = Column(JSON, default=dict)

    __table_args__ = (
        Index("idx_incident_student_created", "student_id", "created_at"),
        Index("idx_incident_type_severity", "incident_type", "severity"),
    )
