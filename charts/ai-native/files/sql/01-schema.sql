-- The ai-native database schema: 9 tables, 16 composite indexes, an updated_at trigger on every
-- table. Run by the db-schema Job on every install and upgrade, against the bundled or an
-- external PostgreSQL (13 or newer: gen_random_uuid() is built in since 13).
--
-- Idempotent and additive by design, so running it any number of times never loses data:
--   * only CREATE ... IF NOT EXISTS, CREATE OR REPLACE FUNCTION, and triggers created when
--     missing; never DROP, TRUNCATE, ALTER ... TYPE or any other rewrite;
--   * one transaction: a failure leaves the database exactly as it was;
--   * an advisory lock serialises two Jobs that overlap (two quick upgrades), because concurrent
--     CREATE TABLE IF NOT EXISTS of the same table can fail on the catalog's unique index.
-- A later schema change is a new additive statement here (ADD COLUMN IF NOT EXISTS ...).
--
-- Design:
--   * activities are the exercises teachers publish; sessions are one student working on one
--     activity; everything the tutor records hangs off a session.
--   * student_id is the identity provider's opaque id (text), not a foreign key: students live
--     in the identity system, student_profiles holds what the platform learns about them.
--   * ids are uuid (gen_random_uuid()); flexible, evolving payloads are jsonb.
--   * foreign keys use the default NO ACTION: deleting a session that still has traces,
--     risks or evaluations fails instead of silently cascading learning records away.

BEGIN;

SELECT pg_advisory_xact_lock(hashtext('ai-native:db-schema'));

-- Sets updated_at on every UPDATE (created_at and updated_at both default to now() on INSERT).
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- 1. Exercises published by teachers; `policies` holds the tutor's rules for the activity
--    (help level allowed, whether code may be given, ...).
CREATE TABLE IF NOT EXISTS activities (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code          text NOT NULL UNIQUE,
    title         text NOT NULL,
    description   text,
    instructions  text,
    subject       text,
    difficulty    text NOT NULL DEFAULT 'intermediate'
                  CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    policies      jsonb NOT NULL DEFAULT '{}'::jsonb,
    teacher_id    text,
    status        text NOT NULL DEFAULT 'active'
                  CHECK (status IN ('draft', 'active', 'archived')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- 2. One student working on one activity with the AI tutor.
CREATE TABLE IF NOT EXISTS sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    student_id    text NOT NULL,
    activity_id   uuid NOT NULL REFERENCES activities (id),
    mode          text NOT NULL DEFAULT 'tutor'
                  CHECK (mode IN ('tutor', 'evaluator', 'simulator', 'practice')),
    status        text NOT NULL DEFAULT 'active'
                  CHECK (status IN ('active', 'completed', 'abandoned')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz,
    metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- 3. Every interaction of a session (prompt, AI answer, code submission, ...), with the
--    cognitive level it shows and how much of it came from the AI (0 = none, 1 = all).
CREATE TABLE IF NOT EXISTS cognitive_traces (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id       uuid NOT NULL REFERENCES sessions (id),
    student_id       text NOT NULL,
    activity_id      uuid NOT NULL REFERENCES activities (id),
    trace_level      text NOT NULL DEFAULT 'N4'
                     CHECK (trace_level IN ('N1', 'N2', 'N3', 'N4')),
    interaction_type text NOT NULL,
    content          text NOT NULL DEFAULT '',
    cognitive_state  text,
    ai_involvement   numeric(4, 3) CHECK (ai_involvement BETWEEN 0 AND 1),
    context          jsonb NOT NULL DEFAULT '{}'::jsonb,
    trace_metadata   jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- 4. Risks detected in a session (over-reliance on the AI, integrity, ...), resolved by a teacher.
CREATE TABLE IF NOT EXISTS risks (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id       uuid NOT NULL REFERENCES sessions (id),
    student_id       text NOT NULL,
    activity_id      uuid NOT NULL REFERENCES activities (id),
    risk_type        text NOT NULL,
    risk_level       text NOT NULL
                     CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
    dimension        text,
    description      text NOT NULL DEFAULT '',
    evidence         jsonb NOT NULL DEFAULT '[]'::jsonb,
    recommendations  jsonb NOT NULL DEFAULT '[]'::jsonb,
    resolved         boolean NOT NULL DEFAULT false,
    resolved_at      timestamptz,
    resolution_notes text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- 5. The evaluator's assessment of a session (per-dimension scores in `dimensions`).
CREATE TABLE IF NOT EXISTS evaluations (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id          uuid NOT NULL REFERENCES sessions (id),
    student_id          text NOT NULL,
    activity_id         uuid NOT NULL REFERENCES activities (id),
    overall_score       numeric(5, 2) CHECK (overall_score BETWEEN 0 AND 100),
    competency_level    text,
    dimensions          jsonb NOT NULL DEFAULT '{}'::jsonb,
    reasoning_analysis  jsonb NOT NULL DEFAULT '{}'::jsonb,
    ai_dependency_score numeric(4, 3) CHECK (ai_dependency_score BETWEEN 0 AND 1),
    summary             text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- 6. Ordered groups of traces that form one line of reasoning inside a session.
CREATE TABLE IF NOT EXISTS trace_sequences (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id          uuid NOT NULL REFERENCES sessions (id),
    student_id          text NOT NULL,
    activity_id         uuid NOT NULL REFERENCES activities (id),
    trace_ids           uuid[] NOT NULL DEFAULT '{}',
    reasoning_path      jsonb NOT NULL DEFAULT '[]'::jsonb,
    strategy_changes    integer NOT NULL DEFAULT 0 CHECK (strategy_changes >= 0),
    ai_dependency_score numeric(4, 3) CHECK (ai_dependency_score BETWEEN 0 AND 1),
    start_time          timestamptz NOT NULL DEFAULT now(),
    end_time            timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- 7. What the platform has learnt about a student, one row per student.
CREATE TABLE IF NOT EXISTS student_profiles (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    student_id            text NOT NULL UNIQUE,
    display_name          text,
    email                 text,
    cohort                text,
    competency_levels     jsonb NOT NULL DEFAULT '{}'::jsonb,
    cognitive_preferences jsonb NOT NULL DEFAULT '{}'::jsonb,
    risk_profile          jsonb NOT NULL DEFAULT '{}'::jsonb,
    total_sessions        integer NOT NULL DEFAULT 0 CHECK (total_sessions >= 0),
    total_interactions    integer NOT NULL DEFAULT 0 CHECK (total_interactions >= 0),
    last_activity_at      timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- 8. Simulated technical interviews (Sprint 6).
CREATE TABLE IF NOT EXISTS interview_sessions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    student_id     text NOT NULL,
    session_id     uuid REFERENCES sessions (id),
    activity_id    uuid REFERENCES activities (id),
    interview_type text NOT NULL,
    difficulty     text NOT NULL DEFAULT 'intermediate'
                   CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    questions      jsonb NOT NULL DEFAULT '[]'::jsonb,
    responses      jsonb NOT NULL DEFAULT '[]'::jsonb,
    evaluation     jsonb NOT NULL DEFAULT '{}'::jsonb,
    overall_score  numeric(5, 2) CHECK (overall_score BETWEEN 0 AND 100),
    status         text NOT NULL DEFAULT 'in_progress'
                   CHECK (status IN ('in_progress', 'completed', 'abandoned')),
    started_at     timestamptz NOT NULL DEFAULT now(),
    completed_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- 9. Simulated production incidents the student diagnoses (Sprint 6).
CREATE TABLE IF NOT EXISTS incident_simulations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    student_id        text NOT NULL,
    session_id        uuid REFERENCES sessions (id),
    activity_id       uuid REFERENCES activities (id),
    incident_type     text NOT NULL,
    severity          text NOT NULL DEFAULT 'medium'
                      CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    scenario          jsonb NOT NULL DEFAULT '{}'::jsonb,
    diagnosis_process jsonb NOT NULL DEFAULT '[]'::jsonb,
    solution_proposed text,
    root_cause        text,
    post_mortem       text,
    evaluation        jsonb NOT NULL DEFAULT '{}'::jsonb,
    overall_score     numeric(5, 2) CHECK (overall_score BETWEEN 0 AND 100),
    status            text NOT NULL DEFAULT 'in_progress'
                      CHECK (status IN ('in_progress', 'completed', 'abandoned')),
    started_at        timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- 16 composite indexes. The first nine are the seed's (P1.3); the rest serve the other queries
-- the tables answer. Each comment names the query it serves.

-- A student's sessions, newest first (student dashboard).
CREATE INDEX IF NOT EXISTS idx_sessions_student ON sessions (student_id, started_at DESC);
-- An activity's sessions, newest first (teacher dashboard).
CREATE INDEX IF NOT EXISTS idx_sessions_activity ON sessions (activity_id, started_at DESC);
-- "Has this student a session on this activity?" (resume instead of starting a new one).
CREATE INDEX IF NOT EXISTS idx_student_activity ON sessions (student_id, activity_id);
-- A session's traces in order (replay, N4 analysis).
CREATE INDEX IF NOT EXISTS idx_traces_session ON cognitive_traces (session_id, created_at);
-- A session's traces of one kind (e.g. only the student's prompts).
CREATE INDEX IF NOT EXISTS idx_session_type ON cognitive_traces (session_id, interaction_type);
-- A student's risks, newest first.
CREATE INDEX IF NOT EXISTS idx_risks_student ON risks (student_id, created_at DESC);
-- A student's open (unresolved) risks.
CREATE INDEX IF NOT EXISTS idx_student_resolved ON risks (student_id, resolved);
-- A student's evaluations, newest first.
CREATE INDEX IF NOT EXISTS idx_evaluations_student ON evaluations (student_id, created_at DESC);
-- A student's evaluations of one activity (progress over attempts).
CREATE INDEX IF NOT EXISTS idx_student_activity_eval ON evaluations (student_id, activity_id);

-- Active / abandoned sessions by age (cleanup of stale sessions, live dashboards).
CREATE INDEX IF NOT EXISTS idx_sessions_status_started ON sessions (status, started_at);
-- A student's traces on one activity across sessions (learning trajectory).
CREATE INDEX IF NOT EXISTS idx_traces_student_activity
    ON cognitive_traces (student_id, activity_id, created_at);
-- A session's risks by level (session report); also backs the risks -> sessions foreign key.
CREATE INDEX IF NOT EXISTS idx_risks_session_level ON risks (session_id, risk_level);
-- A session's evaluations (session report); also backs the evaluations -> sessions foreign key.
CREATE INDEX IF NOT EXISTS idx_evaluations_session ON evaluations (session_id, created_at);
-- A session's reasoning sequences in order.
CREATE INDEX IF NOT EXISTS idx_sequences_session ON trace_sequences (session_id, start_time);
-- A student's interviews of one type, newest first.
CREATE INDEX IF NOT EXISTS idx_interviews_student_type
    ON interview_sessions (student_id, interview_type, started_at DESC);
-- A student's incident simulations of one type, newest first.
CREATE INDEX IF NOT EXISTS idx_incidents_student_type
    ON incident_simulations (student_id, incident_type, started_at DESC);

-- An updated_at trigger on every table, created only when missing (CREATE OR REPLACE TRIGGER
-- needs PostgreSQL 14; this works on any version an external database may run).
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY[
        'activities', 'sessions', 'cognitive_traces', 'risks', 'evaluations',
        'trace_sequences', 'student_profiles', 'interview_sessions', 'incident_simulations'
    ] LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_trigger
            WHERE tgrelid = format('%I', tbl)::regclass
              AND tgname = 'trg_' || tbl || '_updated_at'
              AND NOT tgisinternal
        ) THEN
            EXECUTE format(
                'CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION set_updated_at()',
                'trg_' || tbl || '_updated_at', tbl
            );
        END IF;
    END LOOP;
END;
$$;

COMMIT;
