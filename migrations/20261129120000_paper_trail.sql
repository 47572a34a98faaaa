-- The paper trail: signed scans of a bewijs van deelname, the KBI hand-off list, and the
-- access log of every look at a participant's data.

-- A signed scan of a bewijs van deelname, kept in PostgreSQL with everything else (backups and
-- several instances need nothing more). The type is sniffed from the content on upload.
CREATE TABLE scans (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id    uuid NOT NULL REFERENCES placements (id),
    -- Copied from the placement, for the access log and the participant's export.
    participant_id  uuid NOT NULL REFERENCES participants (id),
    file_name       text NOT NULL DEFAULT '',
    content_type    text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes      integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 5242880),
    content         bytea NOT NULL,
    uploaded_by     uuid REFERENCES users (id),
    uploaded_at     timestamptz NOT NULL DEFAULT now()
);
-- The placement page's list of scans.
CREATE INDEX scans_placement_idx ON scans (placement_id, uploaded_at);

-- Which entries a scan supports (a sheet covers several dates; an entry may be on two sheets).
CREATE TABLE scan_entries (
    scan_id   uuid NOT NULL REFERENCES scans (id),
    entry_id  uuid NOT NULL REFERENCES hour_entries (id) ON DELETE CASCADE,
    PRIMARY KEY (scan_id, entry_id)
);
-- An entry's source on the placement page.
CREATE INDEX scan_entries_entry_idx ON scan_entries (entry_id);

-- When a participant's status last changed: the date of the outcome passed on to KBI.
-- Kept by a trigger, so every path that changes the status (closing, certificates,
-- revoking, reactivating) keeps it without knowing about it.
ALTER TABLE participants ADD COLUMN status_changed_at timestamptz;
UPDATE participants SET status_changed_at = updated_at WHERE status <> 'actief';

CREATE FUNCTION participants_status_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'actief' THEN
            NEW.status_changed_at := coalesce(NEW.status_changed_at, now());
        END IF;
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.status_changed_at := now();
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER participants_status_changed BEFORE INSERT OR UPDATE OF status ON participants
    FOR EACH ROW EXECUTE FUNCTION participants_status_changed();

-- An outcome passed on to KBI ("doorgegeven"). One row per outcome: a trajectory reopened
-- and closed again has a new status_changed_at and so must be passed on again.
CREATE TABLE kbi_handoffs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id  uuid NOT NULL REFERENCES participants (id),
    outcome         participant_status NOT NULL CHECK (outcome <> 'actief'),
    outcome_at      timestamptz NOT NULL,
    passed_on       date NOT NULL,
    passed_by       uuid REFERENCES users (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT kbi_handoffs_outcome_key UNIQUE (participant_id, outcome_at)
);
-- The "done" view of the list, newest first.
CREATE INDEX kbi_handoffs_passed_idx ON kbi_handoffs (passed_on DESC);
-- The open list: closed trajectories per region or coach.
CREATE INDEX participants_closed_idx ON participants (region_id, coach_id, status_changed_at)
    WHERE status <> 'actief';

-- Every view of a participant's page, data export or scan, and every refused request (403)
-- of a logged-in user. Only ever inserted; one INSERT per view.
CREATE TYPE access_kind AS ENUM ('inburgeraar', 'inzage', 'scan', 'geweigerd');

CREATE TABLE access_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    user_id         uuid REFERENCES users (id),
    kind            access_kind NOT NULL,
    -- No foreign key: a refused request may name an id that does not exist.
    participant_id  uuid,
    scan_id         uuid,
    path            text NOT NULL DEFAULT ''
);
-- The beheerder's search by user and by participant, newest first.
CREATE INDEX access_log_user_idx ON access_log (user_id, at DESC, id DESC);
CREATE INDEX access_log_participant_idx ON access_log (participant_id, at DESC, id DESC)
    WHERE participant_id IS NOT NULL;
CREATE INDEX access_log_at_idx ON access_log (at DESC, id DESC);
