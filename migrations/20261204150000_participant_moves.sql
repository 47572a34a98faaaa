-- Issue 21 part 4: an inburgeraar who moves to another region keeps their trajectory and hours;
-- a coördinator of the new region (or the beheerder) takes them over with a reason. The old
-- region keeps its figures for the time before the move: every confirmed hour counts for the
-- region (and municipality) where the participant lived on the day it was worked.
CREATE TABLE participant_moves (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id        uuid NOT NULL REFERENCES participants (id),
    from_region_id        uuid NOT NULL REFERENCES regions (id),
    from_municipality_id  uuid NOT NULL REFERENCES municipalities (id),
    to_region_id          uuid NOT NULL REFERENCES regions (id),
    to_municipality_id    uuid NOT NULL REFERENCES municipalities (id),
    -- The first day in the new region: hours of that day count there.
    moved_on              date NOT NULL,
    reason                text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    moved_by              uuid REFERENCES users (id),
    recorded_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT participant_moves_to_another_region CHECK (from_region_id <> to_region_id),
    CONSTRAINT participant_moves_one_a_day UNIQUE (participant_id, moved_on)
);

-- "Where did they live on this day": the first move after the day, per participant.
CREATE INDEX participant_moves_participant_idx ON participant_moves (participant_id, moved_on);

-- The region a participant lived in on `day`: the region of the first move after that day, if
-- any, else where they live now. Inlined by the planner (one SELECT, STABLE); without moves it
-- costs the triggers one probe of an empty index range.
CREATE FUNCTION participant_region_on(participant uuid, region_now uuid, day date) RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT m.from_region_id FROM participant_moves m
                     WHERE m.participant_id = participant AND m.moved_on > day
                     ORDER BY m.moved_on LIMIT 1), region_now)
$$;

CREATE FUNCTION participant_municipality_on(participant uuid, municipality_now uuid, day date)
RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT m.from_municipality_id FROM participant_moves m
                     WHERE m.participant_id = participant AND m.moved_on > day
                     ORDER BY m.moved_on LIMIT 1), municipality_now)
$$;

-- The writers of the region summaries (20261130110000_report_rollups.sql) with the place of the
-- day worked instead of the place now.
CREATE OR REPLACE FUNCTION report_hour_entries_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM report_apply(array_agg(ROW(t.*)::report_delta))
        FROM (SELECT participant_region_on(p.id, p.region_id, d.worked_on),
                     date_trunc('month', d.worked_on)::date,
                     participant_municipality_on(p.id, p.municipality_id, d.worked_on),
                     d.organisation_id, pl.kind, sum(d.minutes)::bigint, count(*)
              FROM new_entries d
              JOIN participants p ON p.id = d.participant_id
              JOIN placements pl ON pl.id = d.placement_id
              WHERE d.status = 'bevestigd'
              GROUP BY 1, 2, 3, 4, 5) t;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM report_apply(array_agg(ROW(t.*)::report_delta))
        FROM (SELECT participant_region_on(p.id, p.region_id, d.worked_on),
                     date_trunc('month', d.worked_on)::date,
                     participant_municipality_on(p.id, p.municipality_id, d.worked_on),
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
        FROM (SELECT participant_region_on(p.id, p.region_id, d.worked_on),
                     date_trunc('month', d.worked_on)::date,
                     participant_municipality_on(p.id, p.municipality_id, d.worked_on),
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

-- A change of where the participant lives now moves only the hours worked since their last
-- move: the move's row is written before the participant's region changes, so hours before it
-- already count for the place they left.
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
            AND NOT EXISTS (SELECT 1 FROM participant_moves m
                            WHERE m.participant_id = NEW.id AND m.moved_on > e.worked_on)
          GROUP BY 1, 2, 3, 4, 5) t;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION report_placement_kind_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_apply(array_agg(ROW(t.*)::report_delta))
    FROM (SELECT participant_region_on(p.id, p.region_id, e.worked_on),
                 date_trunc('month', e.worked_on)::date,
                 participant_municipality_on(p.id, p.municipality_id, e.worked_on),
                 e.organisation_id, k.kind, sum(k.sign * e.minutes)::bigint, sum(k.sign)::bigint
          FROM hour_entries e
          JOIN participants p ON p.id = e.participant_id
          CROSS JOIN (VALUES (OLD.kind, -1), (NEW.kind, 1)) AS k (kind, sign)
          WHERE e.placement_id = NEW.id AND e.status = 'bevestigd'
          GROUP BY 1, 2, 3, 4, 5) t;
    RETURN NULL;
END;
$$;

-- The funder's per-participant summary (20261130100000_participant_monthly_hours.sql), the same
-- way: the region of the day worked.
CREATE OR REPLACE FUNCTION participant_hours_entries_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO participant_monthly_hours AS s
            (region_id, month, participant_id, kind, confirmed_minutes)
        SELECT participant_region_on(p.id, p.region_id, d.worked_on),
               date_trunc('month', d.worked_on)::date, d.participant_id, pl.kind, sum(d.minutes)
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
        SELECT participant_region_on(p.id, p.region_id, d.worked_on),
               date_trunc('month', d.worked_on)::date, d.participant_id, pl.kind, sum(d.minutes)
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
        SELECT participant_region_on(p.id, p.region_id, d.worked_on),
               date_trunc('month', d.worked_on)::date, d.participant_id, pl.kind, -sum(d.minutes)
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

CREATE OR REPLACE FUNCTION participant_hours_placement_kind_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participant_monthly_hours AS s
        (region_id, month, participant_id, kind, confirmed_minutes)
    SELECT participant_region_on(p.id, p.region_id, e.worked_on),
           date_trunc('month', e.worked_on)::date, e.participant_id, k.kind,
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

-- A new region now takes along only the hours since the last move (see report_participant_moved).
CREATE OR REPLACE FUNCTION participant_hours_participant_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO participant_monthly_hours AS s
        (region_id, month, participant_id, kind, confirmed_minutes)
    SELECT k.region_id, date_trunc('month', e.worked_on)::date, e.participant_id, pl.kind,
           sum(k.sign * e.minutes)
    FROM hour_entries e
    JOIN placements pl ON pl.id = e.placement_id
    CROSS JOIN (VALUES (OLD.region_id, -1), (NEW.region_id, 1)) AS k (region_id, sign)
    WHERE e.participant_id = NEW.id AND e.status = 'bevestigd'
      AND NOT EXISTS (SELECT 1 FROM participant_moves m
                      WHERE m.participant_id = NEW.id AND m.moved_on > e.worked_on)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT participant_monthly_hours_pkey DO UPDATE
        SET confirmed_minutes = s.confirmed_minutes + EXCLUDED.confirmed_minutes;
    RETURN NULL;
END;
$$;

-- The access log shows who took a participant over from another region (the one time staff
-- reach a participant outside their region).
ALTER TYPE access_kind ADD VALUE 'overname';
