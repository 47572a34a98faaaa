-- The partner corrects an amount while confirming (issue 21, part 5; x2VOL's "modify"): the
-- entry is confirmed with the partner's duration in `minutes`, and keeps what was logged and
-- why it changed, for the coach's page. Both amounts are also in the decision's audit row.
-- A plain confirmation or a rejection clears the two columns again (a reopened entry decided
-- anew is no longer a correction).

ALTER TABLE hour_entries
    ADD COLUMN original_minutes integer CHECK (original_minutes > 0 AND original_minutes <= 720),
    ADD COLUMN correction_reason text,
    ADD CONSTRAINT hour_entries_correction_complete
        CHECK ((original_minutes IS NULL) = (correction_reason IS NULL));
