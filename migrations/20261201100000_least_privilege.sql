-- Least privilege (ASVS 1.2.1, 7.3.3). Two roles: the owner, whoever runs these migrations
-- (`veertig migrate`), keeps every right on the schema; the application serves as
-- `veertig_app`, which reads and writes rows but changes no schema, and only adds to and reads
-- the audit log and the access log. A trigger refuses changes to those logs for the owner too,
-- except the one change `veertig purge` needs, made through a narrowly granted function.
-- (Function bodies are strings, not SQL-standard bodies: PostgreSQL 13 is still supported.)

-- The runtime role, by a fixed name so every deployment gets the same grants. The private
-- cluster and the test harness create it beforehand (with LOGIN); on a server of your own
-- create it once as the README shows, or let a migrating role with CREATEROLE make it here.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'veertig_app') THEN
        CREATE ROLE veertig_app NOLOGIN;
    END IF;
EXCEPTION
    -- Another process migrating another database of the same server made it meanwhile.
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role veertig_app does not exist and % may not create it', current_user
            USING HINT = 'Create it once as a superuser: CREATE ROLE veertig_app NOLOGIN; (README, "Database roles")';
END
$$;

-- Before PostgreSQL 15 every role may create objects in `public`: the runtime role may not.
-- (From 15 on this is the default; a migrating role that does not own `public` gets a warning.)
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

GRANT USAGE ON SCHEMA public, tower_sessions TO veertig_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, tower_sessions TO veertig_app;
-- Identity columns draw from sequences: nextval needs USAGE.
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public, tower_sessions TO veertig_app;
-- The logs only grow.
REVOKE UPDATE, DELETE ON audit_log, access_log FROM veertig_app;
-- sqlx's own bookkeeping (absent when scripts/sqlx-prepare applies the files with psql): the
-- runtime role reads it to tell whether the database is up to date, and never writes it.
DO $$
BEGIN
    IF to_regclass('_sqlx_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM veertig_app;
    END IF;
END
$$;

-- Tables and sequences later migrations create (as this same owner) get the same rights, so a
-- new table works at once. A new append-only table must REVOKE UPDATE, DELETE like the logs.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO veertig_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO veertig_app;

-- The name an anonymised participant gets: the start of their id, so people who handle the
-- numbers can still tell two records apart.
CREATE FUNCTION anonymous_participant_name(participant uuid) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT 'Geanonimiseerd ' || left(replace(participant::text, '-', ''), 8) $$;

-- The birth date of an audit row, moved to 1 January of its year (age bands stay). Dates are
-- stored as "1990-05-17" or, by older code, as [year, day of year]; anything else goes.
CREATE FUNCTION audit_scrubbed_birth_date(field jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
AS $$ SELECT coalesce(
        to_jsonb(lpad(substring(
            CASE jsonb_typeof(field)
                WHEN 'string' THEN field #>> '{}'
                WHEN 'array' THEN CASE WHEN jsonb_typeof(field -> 0) = 'number' THEN field ->> 0 END
            END
            FROM '^\+?0*([1-9][0-9]{0,3})(-|$)'), 4, '0') || '-01-01'),
        'null'::jsonb) $$;

-- An audit row's JSON (before or after) with the personal fields emptied: the name replaced
-- by `anonymous`, the birth date moved to 1 January. Fields a row does not have are not added;
-- anything that is not an object stays as it is.
CREATE FUNCTION audit_scrubbed(value jsonb, anonymous text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN jsonb_typeof(value) = 'object' THEN coalesce((
        SELECT jsonb_object_agg(key, CASE
            WHEN key IN ('full_name', 'participant_name') THEN to_jsonb(anonymous)
            WHEN key IN ('phone', 'email', 'notes', 'languages', 'external_dossier',
                         'status_note', 'bestand') THEN '""'::jsonb
            WHEN key = 'available_days' THEN '0'::jsonb
            WHEN key = 'birth_date' THEN audit_scrubbed_birth_date(field)
            ELSE field
        END)
        FROM jsonb_each(value) AS e (key, field)), '{}'::jsonb)
    ELSE value END $$;

-- The audit log refuses every UPDATE and DELETE, whoever asks, with one exception: emptying
-- the personal fields of an anonymised participant's row exactly as `audit_scrubbed` does, and
-- nothing else of the row.
CREATE FUNCTION audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND to_jsonb(NEW) - 'before' - 'after' = to_jsonb(OLD) - 'before' - 'after'
       AND EXISTS (SELECT 1 FROM participants p
                   WHERE p.id = OLD.participant_id AND p.anonymised_at IS NOT NULL)
       AND NEW.before IS NOT DISTINCT FROM
           audit_scrubbed(OLD.before, anonymous_participant_name(OLD.participant_id))
       AND NEW.after IS NOT DISTINCT FROM
           audit_scrubbed(OLD.after, anonymous_participant_name(OLD.participant_id))
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % refused: the log only grows', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION log_append_only() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the log only grows', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION log_append_only();
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION log_append_only();

-- What `veertig purge` changes in the audit log, for the runtime role that has no UPDATE on
-- it: the rows of the given participants that are anonymised already get their personal
-- fields emptied. Runs with the owner's rights (SECURITY DEFINER) on a fixed search path, so a
-- temporary table of the caller cannot stand in for ours. Returns the number of rows changed.
CREATE FUNCTION scrub_anonymised_audit(participant_ids uuid[]) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
AS $$
    WITH scrubbed AS (
        UPDATE audit_log a
           SET before = audit_scrubbed(a.before, anonymous_participant_name(p.id)),
               after = audit_scrubbed(a.after, anonymous_participant_name(p.id))
          FROM participants p
         WHERE p.id = a.participant_id AND p.id = ANY (participant_ids)
           AND p.anonymised_at IS NOT NULL
           AND (a.before IS DISTINCT FROM audit_scrubbed(a.before, anonymous_participant_name(p.id))
                OR a.after IS DISTINCT FROM audit_scrubbed(a.after, anonymous_participant_name(p.id)))
        RETURNING 1
    )
    SELECT count(*) FROM scrubbed
$$;
REVOKE ALL ON FUNCTION scrub_anonymised_audit(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION scrub_anonymised_audit(uuid[]) TO veertig_app;
