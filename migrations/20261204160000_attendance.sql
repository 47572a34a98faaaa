-- Issue 21 part 2: attendance at the door. A logged-in partner registers a group at once (a
-- taalcafé, a group activity): by the attendance code on the inburgeraar's card or from a list.

-- The attendance code: a second code on the card, separate from the Mijn traject link, that
-- only lets a partner with a placement for that person register attendance. Only its SHA-256 is
-- kept (like the link tokens), so a reader of the database cannot use it; the card is printed
-- right after the code is made (with a new Mijn traject link), and a new card makes a new code.
-- Existing participants get a random code nobody knows: their next card carries a usable one.
ALTER TABLE participants
    ADD COLUMN attendance_code_hash bytea NOT NULL
        DEFAULT sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text, 'UTF8'));
CREATE UNIQUE INDEX participants_attendance_code_idx ON participants (attendance_code_hash);

-- One registration at the door: which organisation, for an offer (the inburgeraars placed on
-- it) or one placement, the day, the duration everyone got, who registered it and when.
CREATE TABLE attendance_sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    offer_id        uuid REFERENCES offers (id),
    placement_id    uuid REFERENCES placements (id),
    worked_on       date NOT NULL,
    minutes         integer NOT NULL CHECK (minutes BETWEEN 1 AND 720),
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attendance_sessions_offer_or_placement
        CHECK ((offer_id IS NULL) <> (placement_id IS NULL))
);
CREATE INDEX attendance_sessions_organisation_idx ON attendance_sessions (organisation_id, worked_on);

-- The entries a session registered point to it.
ALTER TABLE hour_entries
    ADD COLUMN attendance_session_id uuid REFERENCES attendance_sessions (id);
CREATE INDEX hour_entries_attendance_session_idx ON hour_entries (attendance_session_id)
    WHERE attendance_session_id IS NOT NULL;
