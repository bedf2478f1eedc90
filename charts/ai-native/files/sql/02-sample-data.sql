-- Sample data (schema mode `bundled`, postgresql.schema.sampleData=true), as the seed's init
-- script offered: one activity and one session of a demo student on it. Values are written as
-- the app writes them (text ids, the activity's code in sessions.activity_id, upper-case mode).
-- Fixed ids and ON CONFLICT DO NOTHING make it idempotent: a re-run inserts nothing and never
-- overwrites rows a user has changed since.

BEGIN;

INSERT INTO activities (id, activity_id, title, description, instructions, evaluation_criteria,
                        teacher_id, policies, subject, difficulty, estimated_duration_minutes,
                        tags, status)
VALUES (
    '00000000-0000-4000-8000-000000000001',
    'prog2_tp1_colas',
    'Trabajo Práctico 1: Colas Circulares',
    'Implementar una cola circular con arreglo de tamaño fijo.',
    'Explicá tu diseño antes de escribir código. El tutor da pistas, nunca soluciones completas.',
    '[]',
    'teacher_001',
    '{"max_help_level": "MEDIO", "block_complete_solutions": true, "require_justification": true}',
    'Programación II',
    'INTERMEDIO',
    120,
    '["colas", "estructuras de datos"]',
    'active'
)
ON CONFLICT DO NOTHING;

INSERT INTO sessions (id, student_id, activity_id, mode, status)
VALUES (
    '00000000-0000-4000-8000-000000000002',
    'student_demo',
    'prog2_tp1_colas',
    'TUTOR',
    'active'
)
ON CONFLICT DO NOTHING;

COMMIT;
