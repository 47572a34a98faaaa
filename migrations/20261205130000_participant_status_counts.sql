-- Participants per region, status and trajectory months, for the coördinator's dashboard.
--
-- The dashboard counts, per status, the region's participants whose trajectory (start date to
-- target end date) overlaps the period; without a filter that walked all of the region's
-- participants (15,000 index entries at Flanders scale) on every view. Periods are whole
-- months, so "start_date <= the period's last day and target_end_date >= its first day" is
-- "start month <= the last month and end month >= the first month": counts per region,
-- status, start month and end month answer it exactly, in a few hundred rows per region.
--
-- Invariant, kept by the triggers below in the same transaction as the change: a row holds how
-- many participants have that region, status, month of start_date and month of
-- target_end_date now. The key changes only when a participant is registered, changes status,
-- moves to another region, or has a date changed (a pause that ends moves the target end
-- date): rare, unlike the confirmations that update a participant's totals, for which the
-- triggers do not fire (UPDATE OF these columns, WHEN one of them changed). Derived data, no
-- foreign keys; rows that drop to zero stay.
CREATE TABLE participant_status_counts (
    region_id     uuid NOT NULL,
    status        participant_status NOT NULL,
    -- The first day of the month of start_date, and of target_end_date.
    start_month   date NOT NULL,
    end_month     date NOT NULL,
    participants  integer NOT NULL DEFAULT 0,
    -- report::dashboard: one region, every row, counted from the index alone.
    CONSTRAINT participant_status_counts_pkey
        PRIMARY KEY (region_id, status, start_month, end_month) INCLUDE (participants)
);

-- Takes the old row's key away and adds the new one's, in one upsert in key order (so two
-- transactions lock shared rows in the same order).
CREATE FUNCTION participant_status_counts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    gone participants;
    came participants;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN gone := OLD; END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN came := NEW; END IF;
    INSERT INTO participant_status_counts AS c
        (region_id, status, start_month, end_month, participants)
    SELECT d.region_id, d.status, d.start_month, d.end_month, sum(d.n)
    FROM (VALUES (gone.region_id, gone.status, date_trunc('month', gone.start_date)::date,
                  date_trunc('month', gone.target_end_date)::date, -1),
                 (came.region_id, came.status, date_trunc('month', came.start_date)::date,
                  date_trunc('month', came.target_end_date)::date, 1))
        AS d (region_id, status, start_month, end_month, n)
    WHERE d.region_id IS NOT NULL
    GROUP BY 1, 2, 3, 4
    HAVING sum(d.n) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT participant_status_counts_pkey DO UPDATE
        SET participants = c.participants + EXCLUDED.participants;
    RETURN NULL;
END;
$$;

CREATE TRIGGER participant_status_counts_insert AFTER INSERT ON participants
    FOR EACH ROW EXECUTE FUNCTION participant_status_counts_changed();
CREATE TRIGGER participant_status_counts_update
    AFTER UPDATE OF region_id, status, start_date, target_end_date ON participants
    FOR EACH ROW
    WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id
          OR OLD.status IS DISTINCT FROM NEW.status
          OR date_trunc('month', OLD.start_date) IS DISTINCT FROM date_trunc('month', NEW.start_date)
          OR date_trunc('month', OLD.target_end_date)
             IS DISTINCT FROM date_trunc('month', NEW.target_end_date))
    EXECUTE FUNCTION participant_status_counts_changed();
CREATE TRIGGER participant_status_counts_delete AFTER DELETE ON participants
    FOR EACH ROW EXECUTE FUNCTION participant_status_counts_changed();

-- Participants that exist before this migration.
INSERT INTO participant_status_counts (region_id, status, start_month, end_month, participants)
SELECT region_id, status, date_trunc('month', start_date)::date,
       date_trunc('month', target_end_date)::date, count(*)
FROM participants
GROUP BY 1, 2, 3, 4;
