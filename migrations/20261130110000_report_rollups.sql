-- Two rollups of report_monthly_hours for the coordinator's dashboard, written together with it.
--
-- report_monthly_hours keeps a row per region, month, municipality, organisation and form:
-- about 35,000 rows per region and year at Flanders scale, all of which the dashboard's hour
-- totals read and group four ways (10 ms a view). Without a municipality or organisation
-- filter the dashboard needs only the totals per organisation and form, and per municipality
-- and form, per month: a few thousand rows. Invariant: each rollup row holds the sum of the
-- report_monthly_hours rows with its key. Derived data, no foreign keys; rows that drop to zero
-- stay.
CREATE TABLE report_organisation_hours (
    region_id          uuid NOT NULL,
    month              date NOT NULL,
    organisation_id    uuid NOT NULL,
    kind               placement_kind NOT NULL,
    confirmed_minutes  bigint NOT NULL DEFAULT 0,
    confirmed_entries  integer NOT NULL DEFAULT 0,
    -- report::hour_totals: one region, a range of months, totals from the index alone.
    CONSTRAINT report_organisation_hours_pkey
        PRIMARY KEY (region_id, month, organisation_id, kind)
        INCLUDE (confirmed_minutes, confirmed_entries)
);

CREATE TABLE report_municipality_hours (
    region_id          uuid NOT NULL,
    month              date NOT NULL,
    municipality_id    uuid NOT NULL,
    kind               placement_kind NOT NULL,
    confirmed_minutes  bigint NOT NULL DEFAULT 0,
    confirmed_entries  integer NOT NULL DEFAULT 0,
    CONSTRAINT report_municipality_hours_pkey
        PRIMARY KEY (region_id, month, municipality_id, kind)
        INCLUDE (confirmed_minutes, confirmed_entries)
);

-- A change to the confirmed hours: what to add to (or, negative, take from) one key of
-- report_monthly_hours.
CREATE TYPE report_delta AS (
    region_id        uuid,
    month            date,
    municipality_id  uuid,
    organisation_id  uuid,
    kind             placement_kind,
    minutes          bigint,
    entries          bigint
);

-- Applies the changes of one statement to report_monthly_hours and both rollups: each table's
-- keys written in one sorted upsert, the tables always in this order, so that concurrent
-- writers lock summary rows in the same order. (Statement triggers on report_monthly_hours
-- would split its INSERT ... ON CONFLICT into an update pass and an insert pass, each sorted
-- on its own, and two writers could then lock the shared municipality rows crosswise.)
-- `changes` holds each key once.
CREATE FUNCTION report_apply(changes report_delta[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO report_monthly_hours AS r
        (region_id, month, municipality_id, organisation_id, kind, confirmed_minutes, confirmed_entries)
    SELECT c.region_id, c.month, c.municipality_id, c.organisation_id, c.kind, c.minutes, c.entries
    FROM unnest(changes) AS c
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_monthly_hours_pkey DO UPDATE
        SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
            confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    INSERT INTO report_organisation_hours AS r
        (region_id, month, organisation_id, kind, confirmed_minutes, confirmed_entries)
    SELECT c.region_id, c.month, c.organisation_id, c.kind, sum(c.minutes), sum(c.entries)
    FROM unnest(changes) AS c
    GROUP BY 1, 2, 3, 4
    HAVING sum(c.minutes) <> 0 OR sum(c.entries) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT report_organisation_hours_pkey DO UPDATE
        SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
            confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    INSERT INTO report_municipality_hours AS r
        (region_id, month, municipality_id, kind, confirmed_minutes, confirmed_entries)
    SELECT c.region_id, c.month, c.municipality_id, c.kind, sum(c.minutes), sum(c.entries)
    FROM unnest(changes) AS c
    GROUP BY 1, 2, 3, 4
    HAVING sum(c.minutes) <> 0 OR sum(c.entries) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT report_municipality_hours_pkey DO UPDATE
        SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
            confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
$$;

-- The three writers of 20261124170000_reports.sql, now through report_apply: the same changes
-- as before, computed the same way.
CREATE OR REPLACE FUNCTION report_hour_entries_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM report_apply(array_agg(ROW(t.*)::report_delta))
        FROM (SELECT p.region_id, date_trunc('month', d.worked_on)::date, p.municipality_id,
                     d.organisation_id, pl.kind, sum(d.minutes)::bigint, count(*)
              FROM new_entries d
              JOIN participants p ON p.id = d.participant_id
              JOIN placements pl ON pl.id = d.placement_id
              WHERE d.status = 'bevestigd'
              GROUP BY 1, 2, 3, 4, 5) t;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM report_apply(array_agg(ROW(t.*)::report_delta))
        FROM (SELECT p.region_id, date_trunc('month', d.worked_on)::date, p.municipality_id,
                     d.organisation_id, pl.kind, sum(d.minutes)::bigint, sum(d.entries)::bigint
              FROM (
                  SELECT participant_id, placement_id, organisation_id, worked_on,
                         minutes::bigint AS minutes, 1 AS entries
                  FROM new_entries WHERE status = 'bevestigd'
                  UNION ALL
                  SELECT participant_id, placement_id, organisation_id, worked_on, -minutes::bigint, -1
                  FROM old_entries WHERE status = 'bevestigd'
              ) d
              JOIN participants p ON p.id = d.participant_id
              JOIN placements pl ON pl.id = d.placement_id
              GROUP BY 1, 2, 3, 4, 5
              HAVING sum(d.minutes) <> 0 OR sum(d.entries) <> 0) t;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM report_apply(array_agg(ROW(t.*)::report_delta))
        FROM (SELECT p.region_id, date_trunc('month', d.worked_on)::date, p.municipality_id,
                     d.organisation_id, pl.kind, -sum(d.minutes)::bigint, -count(*)
              FROM old_entries d
              JOIN participants p ON p.id = d.participant_id
              JOIN placements pl ON pl.id = d.placement_id
              WHERE d.status = 'bevestigd'
              GROUP BY 1, 2, 3, 4, 5) t;
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION report_participant_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_apply(array_agg(ROW(t.*)::report_delta))
    FROM (SELECT k.region_id, date_trunc('month', e.worked_on)::date, k.municipality_id,
                 e.organisation_id, pl.kind, sum(k.sign * e.minutes)::bigint, sum(k.sign)::bigint
          FROM hour_entries e
          JOIN placements pl ON pl.id = e.placement_id
          CROSS JOIN (VALUES (OLD.region_id, OLD.municipality_id, -1),
                             (NEW.region_id, NEW.municipality_id, 1))
              AS k (region_id, municipality_id, sign)
          WHERE e.participant_id = NEW.id AND e.status = 'bevestigd'
          GROUP BY 1, 2, 3, 4, 5) t;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION report_placement_kind_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_apply(array_agg(ROW(t.*)::report_delta))
    FROM (SELECT p.region_id, date_trunc('month', e.worked_on)::date, p.municipality_id,
                 e.organisation_id, k.kind, sum(k.sign * e.minutes)::bigint, sum(k.sign)::bigint
          FROM hour_entries e
          JOIN participants p ON p.id = e.participant_id
          CROSS JOIN (VALUES (OLD.kind, -1), (NEW.kind, 1)) AS k (kind, sign)
          WHERE e.placement_id = NEW.id AND e.status = 'bevestigd'
          GROUP BY 1, 2, 3, 4, 5) t;
    RETURN NULL;
END;
$$;

-- Rows that exist before this migration.
INSERT INTO report_organisation_hours
    (region_id, month, organisation_id, kind, confirmed_minutes, confirmed_entries)
SELECT region_id, month, organisation_id, kind, sum(confirmed_minutes), sum(confirmed_entries)
FROM report_monthly_hours
GROUP BY 1, 2, 3, 4;
INSERT INTO report_municipality_hours
    (region_id, month, municipality_id, kind, confirmed_minutes, confirmed_entries)
SELECT region_id, month, municipality_id, kind, sum(confirmed_minutes), sum(confirmed_entries)
FROM report_monthly_hours
GROUP BY 1, 2, 3, 4;
