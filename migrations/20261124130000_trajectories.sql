-- Trajectories: inburgeraars, their placements at partner organisations and the hours they log.

-- Trigram indexes make "name contains what was typed" fast on 300,000 participants.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Partner organisations: where they are and who to talk to.
ALTER TABLE organisations
    ADD COLUMN municipality_id uuid REFERENCES municipalities (id),
    ADD COLUMN address         text NOT NULL DEFAULT '',
    ADD COLUMN phone           text NOT NULL DEFAULT '',
    ADD COLUMN email           text NOT NULL DEFAULT '',
    ADD COLUMN description     text NOT NULL DEFAULT '',
    -- lower case, accents and marks removed (domain::search::search_key), for search.
    ADD COLUMN search_name     text NOT NULL DEFAULT '',
    ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now();
-- Serves the organisation list: search within a region.
CREATE INDEX organisations_search_idx ON organisations USING gin (search_name gin_trgm_ops);
CREATE INDEX organisations_region_name_idx ON organisations (region_id, search_name);

-- Contact persons are partner users; they may exist without a usable password (they confirm
-- through personal links) and have a phone number.
ALTER TABLE users ADD COLUMN phone text NOT NULL DEFAULT '';

CREATE TYPE participant_status AS ENUM ('actief', 'afgerond', 'stopgezet', 'vrijgesteld');
CREATE TYPE dutch_level AS ENUM ('A0', 'A1', 'A2', 'B1', 'B2');
CREATE TYPE obligation AS ENUM ('verplicht', 'vrijwillig');

CREATE TABLE participants (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    region_id          uuid NOT NULL REFERENCES regions (id),
    municipality_id    uuid NOT NULL REFERENCES municipalities (id),
    coach_id           uuid REFERENCES users (id),
    full_name          text NOT NULL CHECK (length(btrim(full_name)) > 0),
    search_name        text NOT NULL,
    birth_date         date NOT NULL,
    dutch_level        dutch_level NOT NULL,
    languages          text NOT NULL DEFAULT '',
    phone              text NOT NULL DEFAULT '',
    email              text NOT NULL DEFAULT '',
    -- Links the participant to the Flemish case-management system; no national register number.
    external_dossier   text NOT NULL DEFAULT '',
    obligation         obligation NOT NULL DEFAULT 'verplicht',
    status             participant_status NOT NULL DEFAULT 'actief',
    -- Code from the fixed list of stop or exemption reasons (domain::participant).
    status_reason      text,
    status_note        text NOT NULL DEFAULT '',
    start_date         date NOT NULL,
    target_end_date    date NOT NULL CHECK (target_end_date >= start_date),
    notes              text NOT NULL DEFAULT '',
    -- Maintained by the hour_entries trigger below, so lists never sum entries.
    confirmed_minutes  integer NOT NULL DEFAULT 0,
    pending_minutes    integer NOT NULL DEFAULT 0,
    last_confirmed_on  date,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT participants_reason_with_status
        CHECK ((status IN ('stopgezet', 'vrijgesteld')) = (status_reason IS NOT NULL))
);
-- Participant search by name (any part, any script).
CREATE INDEX participants_search_idx ON participants USING gin (search_name gin_trgm_ops);
-- Region lists, ordered by name, filtered by status or municipality.
CREATE INDEX participants_region_name_idx ON participants (region_id, search_name, id);
CREATE INDEX participants_region_status_idx ON participants (region_id, status, search_name);
CREATE INDEX participants_municipality_idx ON participants (municipality_id, search_name);
-- "Mijn caseload" and the coach filter.
CREATE INDEX participants_coach_idx ON participants (coach_id, status, search_name);

CREATE TYPE placement_kind AS ENUM ('buddy', 'stage', 'vrijwilligerswerk', 'taalstage');
CREATE TYPE placement_status AS ENUM ('gepland', 'lopend', 'afgerond', 'geannuleerd');

CREATE TABLE placements (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id     uuid NOT NULL REFERENCES participants (id),
    organisation_id    uuid NOT NULL REFERENCES organisations (id),
    kind               placement_kind NOT NULL,
    status             placement_status NOT NULL DEFAULT 'gepland',
    starts_on          date NOT NULL,
    ends_on            date NOT NULL,
    planned_minutes    integer NOT NULL CHECK (planned_minutes > 0),
    -- The contact at the organisation: one of its partner users, or just a name.
    contact_user_id    uuid REFERENCES users (id),
    contact_name       text NOT NULL DEFAULT '',
    contact_email      text NOT NULL DEFAULT '',
    contact_phone      text NOT NULL DEFAULT '',
    description        text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT placements_period CHECK (ends_on >= starts_on)
);
CREATE INDEX placements_participant_idx ON placements (participant_id, starts_on);
-- The partner's placements, and "an organisation with placements cannot be deleted".
CREATE INDEX placements_organisation_idx ON placements (organisation_id, status);

CREATE TYPE entry_status AS ENUM ('ingediend', 'bevestigd', 'afgewezen');

CREATE TABLE hour_entries (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id       uuid NOT NULL REFERENCES placements (id),
    -- Copied from the placement: the 12-hours-a-day rule, totals and partner scoping use them.
    participant_id     uuid NOT NULL REFERENCES participants (id),
    organisation_id    uuid NOT NULL REFERENCES organisations (id),
    worked_on          date NOT NULL,
    minutes            integer NOT NULL CHECK (minutes > 0 AND minutes <= 720),
    description        text NOT NULL DEFAULT '',
    status             entry_status NOT NULL DEFAULT 'ingediend',
    created_by         uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    decided_by         uuid REFERENCES users (id),
    decided_at         timestamptz,
    rejection_reason   text,
    -- Bumped at every change: a confirmation of an older version is refused.
    version            integer NOT NULL DEFAULT 1,
    CONSTRAINT hour_entries_reason_with_rejection
        CHECK ((status = 'afgewezen') = (rejection_reason IS NOT NULL))
);
-- The 12-hours-a-day rule and the participant's entry list.
CREATE INDEX hour_entries_participant_day_idx ON hour_entries (participant_id, worked_on);
CREATE INDEX hour_entries_placement_idx ON hour_entries (placement_id, worked_on);
-- Pending entries of an organisation (the partner's work list).
CREATE INDEX hour_entries_pending_idx ON hour_entries (organisation_id, created_at)
    WHERE status = 'ingediend';

-- Keeps participants.confirmed_minutes, pending_minutes and last_confirmed_on equal to their
-- entries. Recomputed per participant (a few dozen rows on an index) rather than adjusted, so
-- it cannot drift whatever the change.
CREATE FUNCTION refresh_participant_totals(p_participant uuid) RETURNS void
LANGUAGE sql AS $$
    UPDATE participants p SET
        confirmed_minutes = t.confirmed,
        pending_minutes   = t.pending,
        last_confirmed_on = t.last_confirmed
    FROM (
        SELECT coalesce(sum(minutes) FILTER (WHERE status = 'bevestigd'), 0)::integer AS confirmed,
               coalesce(sum(minutes) FILTER (WHERE status = 'ingediend'), 0)::integer AS pending,
               max(worked_on) FILTER (WHERE status = 'bevestigd') AS last_confirmed
        FROM hour_entries WHERE participant_id = p_participant
    ) t
    WHERE p.id = p_participant;
$$;

CREATE FUNCTION hour_entries_refresh_totals() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM refresh_participant_totals(OLD.participant_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.participant_id <> OLD.participant_id) THEN
        PERFORM refresh_participant_totals(NEW.participant_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER hour_entries_totals
    AFTER INSERT OR UPDATE OR DELETE ON hour_entries
    FOR EACH ROW EXECUTE FUNCTION hour_entries_refresh_totals();

-- The participant page shows the history of the participant and everything under it.
ALTER TABLE audit_log ADD COLUMN participant_id uuid;
CREATE INDEX audit_log_participant_idx ON audit_log (participant_id, at) WHERE participant_id IS NOT NULL;
