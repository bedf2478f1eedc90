-- Sample data (postgresql.schema.sampleData=true): one activity and one session, enough to click
-- through the platform on a fresh install. Fixed ids and ON CONFLICT DO NOTHING make it
-- idempotent: a re-run inserts nothing and never overwrites rows a user has changed since.

BEGIN;

INSERT INTO activities (id, code, title, description, instructions, subject, difficulty, policies,
                        teacher_id, status)
VALUES (
    '00000000-0000-4000-8000-000000000001',
    'sample-recursion-intro',
    'Introduction to recursion',
    'Write a recursive function that computes the factorial of n.',
    'Explain your base case before writing code. The tutor gives hints, never full solutions.',
    'programming-1',
    'beginner',
    '{"max_help_level": "medium", "block_complete_solutions": true, "require_justification": true}',
    'teacher-demo-001',
    'active'
)
ON CONFLICT DO NOTHING;

INSERT INTO sessions (id, student_id, activity_id, mode, status, metadata)
VALUES (
    '00000000-0000-4000-8000-000000000002',
    'student-demo-001',
    '00000000-0000-4000-8000-000000000001',
    'tutor',
    'active',
    '{"source": "sample-data"}'
)
ON CONFLICT DO NOTHING;

COMMIT;
