-- The inburgeraar reports their own hours and uploads the signed bewijs van deelname from
-- Mijn traject (issue 21, part 1). They have no account: what they do is tied to their
-- personal link (participant_links), never to a user.

-- Hours the inburgeraar reported: pending (`ingediend`) like hours a coach logs, with no
-- created_by, and the link they came through. Partner and coach pages show them as
-- "gemeld door de inburgeraar".
ALTER TABLE hour_entries ADD COLUMN reported_via_link uuid REFERENCES participant_links (id);

-- The coach's caseload asks, per participant, whether reported hours are still waiting.
CREATE INDEX hour_entries_reported_pending_idx ON hour_entries (participant_id)
    WHERE status = 'ingediend' AND reported_via_link IS NOT NULL;

-- A photo of the signed sheet the inburgeraar uploaded: no uploaded_by, this link instead.
ALTER TABLE scans ADD COLUMN uploaded_via_link uuid REFERENCES participant_links (id);

-- The audit row of a change made through a personal link names the link as its actor
-- (actor_id stays NULL: there is no user). Also how the reports per link and hour are counted
-- for the rate limit, hence the index.
ALTER TABLE audit_log ADD COLUMN actor_link_id uuid REFERENCES participant_links (id);
CREATE INDEX audit_log_actor_link_idx ON audit_log (actor_link_id, at)
    WHERE actor_link_id IS NOT NULL;
