-- Least privilege (issue 10). Three roles:
--   the owner, whoever applies these migrations: owns the schema, and nothing else uses it;
--   concordat_app, the worker's and the web service's: reads the log and appends only through
--     append_events, which runs with the owner's rights; it owns nothing, so it can alter,
--     disable or drop nothing;
--   concordat_auditor: reads, with a statement timeout and a connection limit.
-- The roles are created here when the owner may create roles. A managed PostgreSQL often refuses
-- that: its operator creates them first (deploy/README.md), and this grants to them.

DO $$
DECLARE
    may_create boolean := (SELECT rolsuper OR rolcreaterole FROM pg_roles
                            WHERE rolname = current_user);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'concordat_app') THEN
        IF NOT may_create THEN
            RAISE EXCEPTION 'role concordat_app does not exist, and % may not create roles',
                current_user
                USING HINT = 'create it first: CREATE ROLE concordat_app LOGIN PASSWORD ''...''';
        END IF;
        CREATE ROLE concordat_app LOGIN;
    END IF;
    -- The auditor may not hold connections or statements long enough to stall the service.
    -- Altering a role the operator created needs rights over it, which the owner may lack.
    BEGIN
        ALTER ROLE concordat_auditor CONNECTION LIMIT 5;
        ALTER ROLE concordat_auditor SET statement_timeout = '5min';
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'concordat_auditor keeps its limits: % may not alter it (deploy/README.md)',
            current_user;
    END;
END;
$$;

ALTER FUNCTION append_events(text, bigint, uuid[], text[], integer[], jsonb[], jsonb[],
                             timestamptz[], bytea[], bytea[])
    SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp;
GRANT EXECUTE ON FUNCTION append_events(text, bigint, uuid[], text[], integer[], jsonb[], jsonb[],
                                        timestamptz[], bytea[], bytea[]) TO concordat_app;
GRANT USAGE ON SCHEMA public TO concordat_app, concordat_auditor;
-- schema_migrations: the worker checks the schema is current before it starts.
GRANT SELECT ON events, schema_migrations TO concordat_app;
-- Tables of later migrations are readable by both as they are created.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO concordat_app,
    concordat_auditor;

-- A session with session_replication_role = replica (as logical replication applies changes)
-- skips ordinary triggers; these fire in every session.
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_truncate;

-- Anyone who can take the append lock (append_events) and keep it stalls every write, and the
-- advisory lock functions are granted to PUBLIC. Only their owner, a superuser, may revoke them;
-- elsewhere the operator does (deploy/README.md). The owner is a superuser where this runs, so
-- append_events keeps its lock. The unlock functions stay: they release only the caller's own
-- locks, and connection pools call pg_advisory_unlock_all() when a connection is returned.
DO $$
DECLARE
    f regprocedure;
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
                  WHERE p.pronamespace = 'pg_catalog'::regnamespace
                    AND p.proname LIKE 'pg\_%advisory\_%lock%'
                    AND p.proname NOT LIKE '%unlock%'
        LOOP
            EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        END LOOP;
    ELSE
        RAISE NOTICE 'advisory locks stay open to every role: % is no superuser (deploy/README.md)',
            current_user;
    END IF;
END;
$$;
