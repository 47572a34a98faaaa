-- Reports: a maintained monthly summary of confirmed hours for the coordinator's dashboard,
-- indexes for the working lists, and the mark of an anonymised participant.

-- Confirmed minutes per region, month, municipality (the participant's), organisation and form.
-- The dashboard and the funder's figures read these few thousand rows per region instead of
-- summing millions of hour entries. Invariant, kept by the triggers below: a row holds the sum
-- of the confirmed entries worked in that month whose participant lies in that region and
-- municipality *now* and whose placement has that form *now*. Derived data, hence no foreign
-- keys; rows that drop to zero stay (harmless, and reused by the next confirmation).
CREATE TABLE report_monthly_hours (
    region_id          uuid NOT NULL,
    -- The first day of the month.
    month              date NOT NULL,
    municipality_id    uuid NOT NULL,
    organisation_id    uuid NOT NULL,
    kind               placement_kind NOT NULL,
    confirmed_minutes  bigint NOT NULL DEFAULT 0,
    confirmed_entries  integer NOT NULL DEFAULT 0,
    -- Serves every dashboard query (report::hours_by_*): one region, a range of months, the
    -- optional filters, and the totals from the index alone.
    CONSTRAINT report_monthly_hours_pkey
        PRIMARY KEY (region_id, month, municipality_id, organisation_id, kind)
        INCLUDE (confirmed_minutes, confirmed_entries)
);

-- Adds the confirmed entries of a statement (new rows) and takes away the ones it replaced or
-- removed (old rows). Statement-level, so a bulk confirmation costs one upsert per key, and
-- the keys are written in order, so concurrent writers lock summary rows in the same order.
CREATE FUNCTION report_hour_entries_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_monthly_hours AS r
            (region_id, month, municipality_id, organisation_id, kind, confirmed_minutes, confirmed_entries)
        SELECT p.region_id, date_trunc('month', d.worked_on)::date, p.municipality_id,
               d.organisation_id, pl.kind, sum(d.minutes), count(*)
        FROM new_entries d
        JOIN participants p ON p.id = d.participant_id
        JOIN placements pl ON pl.id = d.placement_id
        WHERE d.status = 'bevestigd'
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT report_monthly_hours_pkey DO UPDATE
            SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
                confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO report_monthly_hours AS r
            (region_id, month, municipality_id, organisation_id, kind, confirmed_minutes, confirmed_entries)
        SELECT p.region_id, date_trunc('month', d.worked_on)::date, p.municipality_id,
               d.organisation_id, pl.kind, sum(d.minutes), sum(d.entries)
        FROM (
            SELECT participant_id, placement_id, organisation_id, worked_on, minutes::bigint AS minutes, 1 AS entries
            FROM new_entries WHERE status = 'bevestigd'
            UNION ALL
            SELECT participant_id, placement_id, organisation_id, worked_on, -minutes::bigint, -1
            FROM old_entries WHERE status = 'bevestigd'
        ) d
        JOIN participants p ON p.id = d.participant_id
        JOIN placements pl ON pl.id = d.placement_id
        GROUP BY 1, 2, 3, 4, 5
        HAVING sum(d.minutes) <> 0 OR sum(d.entries) <> 0
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT report_monthly_hours_pkey DO UPDATE
            SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
                confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO report_monthly_hours AS r
            (region_id, month, municipality_id, organisation_id, kind, confirmed_minutes, confirmed_entries)
        SELECT p.region_id, date_trunc('month', d.worked_on)::date, p.municipality_id,
               d.organisation_id, pl.kind, -sum(d.minutes), -count(*)
        FROM old_entries d
        JOIN participants p ON p.id = d.participant_id
        JOIN placements pl ON pl.id = d.placement_id
        WHERE d.status = 'bevestigd'
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT report_monthly_hours_pkey DO UPDATE
            SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
                confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    END IF;
    RETURN NULL;
END;
$$;

-- PostgreSQL allows transition tables only on single-event triggers: one trigger per event.
CREATE TRIGGER report_hours_insert AFTER INSERT ON hour_entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION report_hour_entries_changed();
CREATE TRIGGER report_hours_update AFTER UPDATE ON hour_entries
    REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION report_hour_entries_changed();
CREATE TRIGGER report_hours_delete AFTER DELETE ON hour_entries
    REFERENCING OLD TABLE AS old_entries
    FOR EACH STATEMENT EXECUTE FUNCTION report_hour_entries_changed();

-- A participant who moves to another municipality (or region) takes their confirmed hours along.
CREATE FUNCTION report_participant_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_monthly_hours AS r
        (region_id, month, municipality_id, organisation_id, kind, confirmed_minutes, confirmed_entries)
    SELECT k.region_id, date_trunc('month', e.worked_on)::date, k.municipality_id,
           e.organisation_id, pl.kind, sum(k.sign * e.minutes), sum(k.sign)
    FROM hour_entries e
    JOIN placements pl ON pl.id = e.placement_id
    CROSS JOIN (VALUES (OLD.region_id, OLD.municipality_id, -1),
                       (NEW.region_id, NEW.municipality_id, 1)) AS k (region_id, municipality_id, sign)
    WHERE e.participant_id = NEW.id AND e.status = 'bevestigd'
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_monthly_hours_pkey DO UPDATE
        SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
            confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    RETURN NULL;
END;
$$;

CREATE TRIGGER report_participant_moved
    AFTER UPDATE OF region_id, municipality_id ON participants
    FOR EACH ROW
    WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id
          OR OLD.municipality_id IS DISTINCT FROM NEW.municipality_id)
    EXECUTE FUNCTION report_participant_moved();

-- A placement whose form is corrected moves its confirmed hours to the other form.
CREATE FUNCTION report_placement_kind_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_monthly_hours AS r
        (region_id, month, municipality_id, organisation_id, kind, confirmed_minutes, confirmed_entries)
    SELECT p.region_id, date_trunc('month', e.worked_on)::date, p.municipality_id,
           e.organisation_id, k.kind, sum(k.sign * e.minutes), sum(k.sign)
    FROM hour_entries e
    JOIN participants p ON p.id = e.participant_id
    CROSS JOIN (VALUES (OLD.kind, -1), (NEW.kind, 1)) AS k (kind, sign)
    WHERE e.placement_id = NEW.id AND e.status = 'bevestigd'
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_monthly_hours_pkey DO UPDATE
        SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
            confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    RETURN NULL;
END;
$$;

CREATE TRIGGER report_placement_kind_changed
    AFTER UPDATE OF kind ON placements
    FOR EACH ROW
    WHEN (OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION report_placement_kind_changed();

-- Entries that exist before this migration.
INSERT INTO report_monthly_hours
    (region_id, month, municipality_id, organisation_id, kind, confirmed_minutes, confirmed_entries)
SELECT p.region_id, date_trunc('month', e.worked_on)::date, p.municipality_id,
       e.organisation_id, pl.kind, sum(e.minutes), count(*)
FROM hour_entries e
JOIN participants p ON p.id = e.participant_id
JOIN placements pl ON pl.id = e.placement_id
WHERE e.status = 'bevestigd'
GROUP BY 1, 2, 3, 4, 5;

-- Working lists of the coordinator (report::ready, report::stalled, report::deadline_near):
-- active participants of one region, each list walking its own index in its own order.
-- "Ready for a certificate": confirmed_minutes >= the region's requirement.
CREATE INDEX participants_ready_idx ON participants (region_id, confirmed_minutes)
    WHERE status = 'actief';
-- "Stalled": no confirmed hours (or, without any, no start) for 30 days.
-- The plain columns are included too: PostgreSQL reads an expression index alone (index-only
-- scan) only when the columns under the expression are in it.
CREATE INDEX participants_stalled_idx
    ON participants (region_id, (coalesce(last_confirmed_on, start_date)))
    INCLUDE (confirmed_minutes, last_confirmed_on, start_date)
    WHERE status = 'actief';
-- "Deadline within 60 days and short of the requirement".
CREATE INDEX participants_deadline_idx ON participants (region_id, target_end_date)
    INCLUDE (confirmed_minutes)
    WHERE status = 'actief';
-- Participants by status on the dashboard: counted from the index alone, filters included.
CREATE INDEX participants_region_report_idx
    ON participants (region_id, status) INCLUDE (municipality_id, start_date, target_end_date);

-- "Entries pending for more than 14 days" (report::pending_too_long): per organisation of the
-- region, its old pending entries counted and summed from the index alone. The existing
-- hour_entries_pending_idx has the same key but not the participant and minutes, so each
-- entry cost a heap visit (a backlog of 30,000 entries in one region: 220 ms, now 6 ms).
-- Pending entries are few compared to all entries: the partial index stays small.
CREATE INDEX hour_entries_pending_age_idx ON hour_entries (organisation_id, created_at)
    INCLUDE (participant_id, minutes)
    WHERE status = 'ingediend';
-- `veertig purge` (privacy::purge) reads all closed participants once: no index either.

-- Anonymised by `veertig purge` (domain::privacy): set once, so the purge is idempotent.
ALTER TABLE participants ADD COLUMN anonymised_at timestamptz;
