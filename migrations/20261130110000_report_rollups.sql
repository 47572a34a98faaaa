-- Two rollups of report_monthly_hours for the coordinator's dashboard.
--
-- report_monthly_hours keeps a row per region, month, municipality, organisation and form:
-- about 35,000 rows per region and year at Flanders scale, all of which the dashboard's hour
-- totals read and group four ways (10 ms a view). Without a municipality or organisation
-- filter the dashboard needs only the totals per organisation and form, and per municipality
-- and form, per month: a few thousand rows. Invariant, kept by the triggers below: each rollup
-- row holds the sum of the report_monthly_hours rows with its key. Derived data, no foreign
-- keys; rows that drop to zero stay.
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

-- Every change to report_monthly_hours (the entry, participant and placement triggers of
-- 20261124170000_reports.sql all write it with INSERT ... ON CONFLICT DO UPDATE, which fires
-- both statement triggers below) is added to the rollups as the difference of its rows: one
-- place keeps the rollups equal, whatever moved the hours. Keys written in order. Rows of
-- report_monthly_hours are never deleted (they drop to zero), hence no DELETE trigger.
CREATE FUNCTION report_rollups_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_organisation_hours AS r
            (region_id, month, organisation_id, kind, confirmed_minutes, confirmed_entries)
        SELECT region_id, month, organisation_id, kind, sum(confirmed_minutes), sum(confirmed_entries)
        FROM new_rows
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT report_organisation_hours_pkey DO UPDATE
            SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
                confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
        INSERT INTO report_municipality_hours AS r
            (region_id, month, municipality_id, kind, confirmed_minutes, confirmed_entries)
        SELECT region_id, month, municipality_id, kind, sum(confirmed_minutes), sum(confirmed_entries)
        FROM new_rows
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT report_municipality_hours_pkey DO UPDATE
            SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
                confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO report_organisation_hours AS r
            (region_id, month, organisation_id, kind, confirmed_minutes, confirmed_entries)
        SELECT region_id, month, organisation_id, kind, sum(minutes), sum(entries)
        FROM (
            SELECT region_id, month, organisation_id, kind,
                   confirmed_minutes AS minutes, confirmed_entries AS entries
            FROM new_rows
            UNION ALL
            SELECT region_id, month, organisation_id, kind, -confirmed_minutes, -confirmed_entries
            FROM old_rows
        ) d
        GROUP BY 1, 2, 3, 4
        HAVING sum(minutes) <> 0 OR sum(entries) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT report_organisation_hours_pkey DO UPDATE
            SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
                confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
        INSERT INTO report_municipality_hours AS r
            (region_id, month, municipality_id, kind, confirmed_minutes, confirmed_entries)
        SELECT region_id, month, municipality_id, kind, sum(minutes), sum(entries)
        FROM (
            SELECT region_id, month, municipality_id, kind,
                   confirmed_minutes AS minutes, confirmed_entries AS entries
            FROM new_rows
            UNION ALL
            SELECT region_id, month, municipality_id, kind, -confirmed_minutes, -confirmed_entries
            FROM old_rows
        ) d
        GROUP BY 1, 2, 3, 4
        HAVING sum(minutes) <> 0 OR sum(entries) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT ON CONSTRAINT report_municipality_hours_pkey DO UPDATE
            SET confirmed_minutes = r.confirmed_minutes + EXCLUDED.confirmed_minutes,
                confirmed_entries = r.confirmed_entries + EXCLUDED.confirmed_entries;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER report_rollups_insert AFTER INSERT ON report_monthly_hours
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_rollups_changed();
CREATE TRIGGER report_rollups_update AFTER UPDATE ON report_monthly_hours
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_rollups_changed();

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
