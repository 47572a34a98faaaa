-- A second maintained summary for the funder's report, and tighter autovacuum for participants.

-- Confirmed minutes per participant, month and form. The funder's report
-- (report::period_participants) needs, for each participant of a region and period, their
-- confirmed minutes in the period per form: summing the entries read every confirmed entry of
-- the region's participants (about 150,000 at Flanders scale, 1.7 s, most of it a scan of
-- hour_entries); this reads a few rows per participant from the primary key alone.
-- Invariant, kept by the trigger below: a row holds the sum of the participant's confirmed
-- entries worked in that month whose placement has that form *now*. Keyed by participant, so a
-- participant who moves takes their rows along without a trigger. Derived data, hence no
-- foreign keys (participants are never deleted; purge anonymises them); rows that drop to zero
-- stay.
CREATE TABLE participant_monthly_hours (
    participant_id     uuid NOT NULL,
    -- The first day of the month.
    month              date NOT NULL,
    kind               placement_kind NOT NULL,
    confirmed_minutes  bigint NOT NULL DEFAULT 0,
    CONSTRAINT participant_monthly_hours_pkey
        PRIMARY KEY (participant_id, month, kind) INCLUDE (confirmed_minutes)
);

-- Adds the confirmed entries of a statement and takes away the ones it replaced or removed, like
-- report_hour_entries_changed (20261124170000_reports.sql) does for the region's summary:
-- statement-level, keys written in order.
CREATE FUNCTION participant_hours_entries_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO participant_monthly_hours AS s (participant_id, month, kind, confirmed_minutes)
        SELECT d.participant_id, date_trunc('month', d.worked_on)::date, pl.kind, sum(d.minutes)
        FROM new_entries d
        JOIN placements pl ON pl.id = d.placement_id
        WHERE d.status = 'bevestigd'
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT participant_monthly_hours_pkey DO UPDATE
            SET confirmed_minutes = s.confirmed_minutes + EXCLUDED.confirmed_minutes;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO participant_monthly_hours AS s (participant_id, month, kind, confirmed_minutes)
        SELECT d.participant_id, date_trunc('month', d.worked_on)::date, pl.kind, sum(d.minutes)
        FROM (
            SELECT participant_id, placement_id, worked_on, minutes::bigint AS minutes
            FROM new_entries WHERE status = 'bevestigd'
            UNION ALL
            SELECT participant_id, placement_id, worked_on, -minutes::bigint
            FROM old_entries WHERE status = 'bevestigd'
        ) d
        JOIN placements pl ON pl.id = d.placement_id
        GROUP BY 1, 2, 3
        HAVING sum(d.minutes) <> 0
        ORDER BY 1, 2, 3
        ON CONFLICT ON CONSTRAINT participant_monthly_hours_pkey DO UPDATE
            SET confirmed_minutes = s.confirmed_minutes + EXCLUDED.confirmed_minutes;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO participant_monthly_hours AS s (participant_id, month, kind, confirmed_minutes)
        SELECT d.participant_id, date_trunc('month', d.worked_on)::date, pl.kind, -sum(d.minutes)
        FROM old_entries d
        JOIN placements pl ON pl.id = d.placement_id
        WHERE d.status = 'bevestigd'
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
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
    INSERT INTO participant_monthly_hours AS s (participant_id, month, kind, confirmed_minutes)
    SELECT e.participant_id, date_trunc('month', e.worked_on)::date, k.kind,
           sum(k.sign * e.minutes)
    FROM hour_entries e
    CROSS JOIN (VALUES (OLD.kind, -1), (NEW.kind, 1)) AS k (kind, sign)
    WHERE e.placement_id = NEW.id AND e.status = 'bevestigd'
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
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

-- Entries that exist before this migration.
INSERT INTO participant_monthly_hours (participant_id, month, kind, confirmed_minutes)
SELECT e.participant_id, date_trunc('month', e.worked_on)::date, pl.kind, sum(e.minutes)
FROM hour_entries e
JOIN placements pl ON pl.id = e.placement_id
WHERE e.status = 'bevestigd'
GROUP BY 1, 2, 3;

-- Every hour entry updates its participant's totals (trigger hour_entries_totals), and an
-- index-only scan (the name search, the dashboard's counts) visits the table for every page
-- changed since the last vacuum. The default waits for a fifth of the table (60,000 changed
-- rows at Flanders scale, a busy day's work); a hundredth keeps the visibility map close.
ALTER TABLE participants SET (autovacuum_vacuum_scale_factor = 0.01,
                              autovacuum_analyze_scale_factor = 0.02);
