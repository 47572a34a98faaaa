-- A second maintained summary for the funder's report, and tighter autovacuum for participants.

-- Confirmed minutes per region, month, participant and form. The funder's report
-- (report::period_figures) needs, for each participant of a region and period, their confirmed
-- minutes in the period per form: summing the entries read every confirmed entry of the
-- region's participants (about 150,000 at Flanders scale, 1.7 s, most of it a scan of
-- hour_entries); this reads the region's rows of the period from the primary key alone.
-- Invariant, kept by the triggers below: a row holds the sum of the participant's confirmed
-- entries worked in that month whose placement has that form *now*, under the participant's
-- region *now*. Derived data, hence no foreign keys (participants are never deleted; purge
-- anonymises them); rows that drop to zero stay.
CREATE TABLE participant_monthly_hours (
    region_id          uuid NOT NULL,
    -- The first day of the month.
    month              date NOT NULL,
    participant_id     uuid NOT NULL,
    kind               placement_kind NOT NULL,
    confirmed_minutes  bigint NOT NULL DEFAULT 0,
    CONSTRAINT participant_monthly_hours_pkey
        PRIMARY KEY (region_id, month, participant_id, kind) INCLUDE (confirmed_minutes)
);

-- Adds the confirmed entries of a statement and takes away the ones it replaced or removed, like
-- report_hour_entries_changed (20261124170000_reports.sql) does for the region's summary:
-- statement-level, keys written in order.
CREATE FUNCTION participant_hours_entries_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO participant_monthly_hours AS s
            (region_id, month, participant_id, kind, confirmed_minutes)
        SELECT p.region_id, date_trunc('month', d.worked_on)::date, d.participant_id, pl.kind,
               sum(d.minutes)
        FROM new_entries d
        JOIN participants p ON p.id = d.participant_id
        JOIN placements pl ON pl.id = d.placement_id
        WHERE d.status = 'bevestigd'
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT participant_monthly_hours_pkey DO UPDATE
            SET confirmed_minutes = s.confirmed_minutes + EXCLUDED.confirmed_minutes;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO participant_monthly_hours AS s
            (region_id, month, participant_id, kind, confirmed_minutes)
        SELECT p.region_id, date_trunc('month', d.worked_on)::date, d.participant_id, pl.kind,
               sum(d.minutes)
        FROM (
            SELECT participant_id, placement_id, worked_on, minutes::bigint AS minutes
            FROM new_entries WHERE status = 'bevestigd'
            UNION ALL
            SELECT participant_id, placement_id, worked_on, -minutes::bigint
            FROM old_entries WHERE status = 'bevestigd'
        ) d
        JOIN participants p ON p.id = d.participant_id
        JOIN placements pl ON pl.id = d.placement_id
        GROUP BY 1, 2, 3, 4
        HAVING sum(d.minutes) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT participant_monthly_hours_pkey DO UPDATE
            SET confirmed_minutes = s.confirmed_minutes + EXCLUDED.confirmed_minutes;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO participant_monthly_hours AS s
            (region_id, month, participant_id, kind, confirmed_minutes)
        SELECT p.region_id, date_trunc('month', d.worked_on)::date, d.participant_id, pl.kind,
               -sum(d.minutes)
        FROM old_entries d
        JOIN participants p ON p.id = d.participant_id
        JOIN placements pl ON pl.id = d.placement_id
        WHERE d.status = 'bevestigd'
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT participant_monthly_hours_pkey DO UPDATE
            SET confirmed_minutes = s.confirmed_minutes + EXCLUDED.confirmed_minutes;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER participant_hours_insert AFTER INSERT ON hour_entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION participant_hours_entries_changed();
CREATE TRIGGER participant_hours_update AFTER UPDATE ON hour_entries
    REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION participant_hours_entries_changed();
CREATE TRIGGER participant_hours_delete AFTER DELETE ON hour_entries
    REFERENCING OLD TABLE AS old_entries
    FOR EACH STATEMENT EXECUTE FUNCTION participant_hours_entries_changed();

-- A placement whose form is corrected moves its confirmed hours to the other form.
CREATE FUNCTION participant_hours_placement_kind_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participant_monthly_hours AS s
        (region_id, month, participant_id, kind, confirmed_minutes)
    SELECT p.region_id, date_trunc('month', e.worked_on)::date, e.participant_id, k.kind,
           sum(k.sign * e.minutes)
    FROM hour_entries e
    JOIN participants p ON p.id = e.participant_id
    CROSS JOIN (VALUES (OLD.kind, -1), (NEW.kind, 1)) AS k (kind, sign)
    WHERE e.placement_id = NEW.id AND e.status = 'bevestigd'
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT participant_monthly_hours_pkey DO UPDATE
        SET confirmed_minutes = s.confirmed_minutes + EXCLUDED.confirmed_minutes;
    RETURN NULL;
END;
$$;

CREATE TRIGGER participant_hours_placement_kind_changed
    AFTER UPDATE OF kind ON placements
    FOR EACH ROW
    WHEN (OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION participant_hours_placement_kind_changed();

-- A participant who moves to another region takes their rows along. Rare: finding them reads
-- the old region's rows (no index on the participant alone, which every write would pay for).
CREATE FUNCTION participant_hours_participant_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participant_monthly_hours AS s
        (region_id, month, participant_id, kind, confirmed_minutes)
    SELECT NEW.region_id, month, participant_id, kind, confirmed_minutes
    FROM participant_monthly_hours
    WHERE region_id = OLD.region_id AND participant_id = NEW.id AND confirmed_minutes <> 0
    ORDER BY month, kind
    ON CONFLICT ON CONSTRAINT participant_monthly_hours_pkey DO UPDATE
        SET confirmed_minutes = s.confirmed_minutes + EXCLUDED.confirmed_minutes;
    DELETE FROM participant_monthly_hours
    WHERE region_id = OLD.region_id AND participant_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER participant_hours_participant_moved
    AFTER UPDATE OF region_id ON participants
    FOR EACH ROW
    WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id)
    EXECUTE FUNCTION participant_hours_participant_moved();

-- Entries that exist before this migration.
INSERT INTO participant_monthly_hours (region_id, month, participant_id, kind, confirmed_minutes)
SELECT p.region_id, date_trunc('month', e.worked_on)::date, e.participant_id, pl.kind,
       sum(e.minutes)
FROM hour_entries e
JOIN participants p ON p.id = e.participant_id
JOIN placements pl ON pl.id = e.placement_id
WHERE e.status = 'bevestigd'
GROUP BY 1, 2, 3, 4;

-- The funder's report counts the region's participants of the period from this index alone
-- (report::period_figures): the columns it reads beside the ones the dashboard's counts read.
DROP INDEX participants_region_report_idx;
CREATE INDEX participants_region_report_idx
    ON participants (region_id, status)
    INCLUDE (municipality_id, start_date, target_end_date, birth_date, confirmed_minutes);

-- Every hour entry updates its participant's totals (trigger hour_entries_totals), and an
-- index-only scan (the name search, the dashboard's counts) visits the table for every page
-- changed since the last vacuum. The default waits for a fifth of the table (60,000 changed
-- rows at Flanders scale, a busy day's work); a hundredth keeps the visibility map close.
ALTER TABLE participants SET (autovacuum_vacuum_scale_factor = 0.01,
                              autovacuum_analyze_scale_factor = 0.02);
