-- Pausing a trajectory (issue 21, part 3): a coach pauses an active trajectory for a reason
-- from a fixed list (illness, work, childbirth, travel, other) from a date; on resuming, the
-- target end date moves by the pause's length in days (done by the application, in the same
-- transaction, with its audit row). While paused the trajectory stays `actief` but is neither
-- "stalled" nor "end date near".

CREATE TYPE pause_reason AS ENUM ('ziekte', 'werk', 'bevalling', 'reis', 'andere');

CREATE TABLE trajectory_pauses (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id uuid NOT NULL REFERENCES participants (id),
    starts_on      date NOT NULL,
    -- NULL while the pause runs; the first day the trajectory runs again.
    ends_on        date,
    reason         pause_reason NOT NULL,
    note           text NOT NULL DEFAULT '',
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    resumed_by     uuid REFERENCES users (id),
    resumed_at     timestamptz,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);

-- At most one running pause per participant. Overlap with earlier pauses is refused by the
-- application under the participant's row lock (a new pause starts on or after the last end).
CREATE UNIQUE INDEX trajectory_pauses_one_open ON trajectory_pauses (participant_id)
    WHERE ends_on IS NULL;
CREATE INDEX trajectory_pauses_participant ON trajectory_pauses (participant_id, starts_on);

-- A trajectory that ends while paused (stopped, exempted, certificate issued) ends its pause
-- that day: a coach who stops a paused trajectory means to stop it, and a running pause of a
-- closed trajectory would only show in the lists. The end date no longer matters then, so it
-- is not moved; the status change has its own audit row.
CREATE FUNCTION close_pause_when_trajectory_ends() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE trajectory_pauses
       SET ends_on = greatest(starts_on, current_date), resumed_at = now()
     WHERE participant_id = NEW.id AND ends_on IS NULL;
    RETURN NULL;
END;
$$;

CREATE TRIGGER participants_close_pause
    AFTER UPDATE OF status ON participants
    FOR EACH ROW
    WHEN (OLD.status = 'actief' AND NEW.status <> 'actief')
    EXECUTE FUNCTION close_pause_when_trajectory_ends();
