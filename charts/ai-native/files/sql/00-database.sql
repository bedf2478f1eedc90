-- What every schema mode but `command` needs before any table exists: the Job is connected, so
-- the database and its login role exist (db-schema.sh creates the database first when the role
-- may); this file makes sure that role may create tables in schema public, which the app's
-- create_all (schema mode `app`) or 01-schema.sql (mode `bundled`) then does.
--
-- Extensions: none. The app generates its ids as text (no uuid-ossp or pgcrypto) and stores json,
-- not jsonb; a CREATE EXTENSION here would only ask for privileges the app never uses.
-- No table is created or touched here: in mode `app` the database stays empty for the ORM.

BEGIN;

SELECT pg_advisory_xact_lock(hashtext('ai-native:db-schema'));

DO $$
BEGIN
    -- PostgreSQL 15 and newer no longer let every role create in public; the database owner
    -- (the bundled server's POSTGRES_USER) may grant it to itself. A role without the right to
    -- grant gets an error or only a warning, so the privilege is checked again afterwards.
    IF NOT (has_schema_privilege('public', 'USAGE') AND has_schema_privilege('public', 'CREATE'))
    THEN
        BEGIN
            EXECUTE format('GRANT USAGE, CREATE ON SCHEMA public TO %I', current_user);
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;
    END IF;
    IF NOT (has_schema_privilege('public', 'USAGE') AND has_schema_privilege('public', 'CREATE'))
    THEN
        RAISE EXCEPTION 'role % may not create tables in schema public of database %',
            current_user, current_database()
            USING HINT = format(
                'as the owner of database %s run: GRANT USAGE, CREATE ON SCHEMA public TO %I;',
                current_database(), current_user);
    END IF;
END;
$$;

COMMIT;
