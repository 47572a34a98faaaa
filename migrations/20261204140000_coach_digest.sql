-- Issue 21 part 6: a weekly mail for coaches about their caseload (who stalled, whose end date
-- is near, what waits too long at a partner). On by default, because the people who most need
-- it are the ones who do not go looking for a setting; a coach can switch it off.
ALTER TABLE users ADD COLUMN weekly_digest boolean NOT NULL DEFAULT true;
