-- Aanbod and matching: partner organisations publish activities (offers) with a taalicoon,
-- coordinators approve them against the criteria of the participatie- en netwerktraject, and
-- coaches match inburgeraars to them (domain::offer).

-- Weekdays are stored as a bit set: bit 0 = maandag … bit 6 = zondag (domain::offer::Weekdays);
-- parts of the day likewise: bit 0 = voormiddag, bit 1 = namiddag, bit 2 = avond.

-- Which municipalities border each other, for "same or neighbouring municipality" in matching.
-- Stored in both directions so a lookup needs one index and no OR.
CREATE TABLE municipality_neighbours (
    municipality_id  uuid NOT NULL REFERENCES municipalities (id) ON DELETE CASCADE,
    neighbour_id     uuid NOT NULL REFERENCES municipalities (id) ON DELETE CASCADE,
    PRIMARY KEY (municipality_id, neighbour_id),
    CONSTRAINT municipality_neighbours_not_self CHECK (municipality_id <> neighbour_id)
);

-- The days an inburgeraar can take part; 0 = not recorded yet.
ALTER TABLE participants
    ADD COLUMN available_days smallint NOT NULL DEFAULT 0
        CHECK (available_days BETWEEN 0 AND 127);

CREATE TYPE offer_approval AS ENUM ('voorgesteld', 'goedgekeurd', 'geweigerd');
-- Open: takes placements; gepauzeerd: temporarily not; gesloten: for good (kept for history).
CREATE TYPE offer_state AS ENUM ('open', 'gepauzeerd', 'gesloten');

CREATE TABLE offers (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- An organisation without placements can be deleted (domain::organisation::delete); its
    -- offers, which no placement then names, go with it.
    organisation_id     uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- Copied from the organisation (which never changes region): scoping and the matching index.
    region_id           uuid NOT NULL REFERENCES regions (id),
    title               text NOT NULL CHECK (length(btrim(title)) > 0),
    -- lower case, accents and marks removed (domain::search::search_key), for search.
    search_title        text NOT NULL,
    description         text NOT NULL DEFAULT '',
    kind                placement_kind NOT NULL,
    municipality_id     uuid NOT NULL REFERENCES municipalities (id),
    address             text NOT NULL DEFAULT '',
    days                smallint NOT NULL DEFAULT 0 CHECK (days BETWEEN 0 AND 127),
    day_parts           smallint NOT NULL DEFAULT 0 CHECK (day_parts BETWEEN 0 AND 7),
    -- "in overleg": the days are agreed with the inburgeraar.
    by_arrangement      boolean NOT NULL DEFAULT false,
    places              integer NOT NULL CHECK (places BETWEEN 1 AND 500),
    starts_on           date NOT NULL,
    ends_on             date NOT NULL,
    contact_name        text NOT NULL CHECK (length(btrim(contact_name)) > 0),
    contact_email       text NOT NULL DEFAULT '',
    contact_phone       text NOT NULL DEFAULT '',
    -- Free text as on the participant ("Arabisch, Frans"), compared word by word.
    contact_languages   text NOT NULL DEFAULT '',
    taalicoon           smallint NOT NULL CHECK (taalicoon BETWEEN 1 AND 4),
    -- How the offer meets the criteria of the trajectory, as the organisation declares it.
    meets_contact       boolean NOT NULL DEFAULT false,
    meets_dutch_setting boolean NOT NULL DEFAULT false,
    meets_new_contacts  boolean NOT NULL DEFAULT false,
    meets_unpaid        boolean NOT NULL DEFAULT false,
    criteria_note       text NOT NULL DEFAULT '',
    approval            offer_approval NOT NULL DEFAULT 'voorgesteld',
    refusal_reason      text,
    decided_by          uuid REFERENCES users (id),
    decided_at          timestamptz,
    state               offer_state NOT NULL DEFAULT 'open',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT offers_period CHECK (ends_on >= starts_on),
    CONSTRAINT offers_reason_with_refusal
        CHECK ((approval = 'geweigerd') = (refusal_reason IS NOT NULL)),
    -- Only an offer that meets every criterion can be approved.
    CONSTRAINT offers_approved_meets_criteria
        CHECK (approval <> 'goedgekeurd'
               OR (meets_contact AND meets_dutch_setting AND meets_new_contacts AND meets_unpaid))
);
-- Matching: the approved, open offers of a region; the rest is ranked in Rust.
CREATE INDEX offers_matching_idx ON offers (region_id, ends_on)
    WHERE approval = 'goedgekeurd' AND state = 'open';
-- The region's offer list (newest first) and the partner's own offers.
CREATE INDEX offers_region_idx ON offers (region_id, approval, created_at);
CREATE INDEX offers_organisation_idx ON offers (organisation_id, created_at);
CREATE INDEX offers_search_idx ON offers USING gin (search_title gin_trgm_ops);

-- A placement chosen from the catalogue names its offer; its places are counted from these
-- rows (never a stored counter), so they cannot drift.
ALTER TABLE placements
    ADD COLUMN offer_id uuid REFERENCES offers (id),
    -- The criteria check for a placement made outside the catalogue (NULL: made before the
    -- check existed, or taken from an approved offer, which carries the check).
    ADD COLUMN meets_contact       boolean,
    ADD COLUMN meets_dutch_setting boolean,
    ADD COLUMN meets_new_contacts  boolean,
    ADD COLUMN meets_unpaid        boolean;
-- Taken places: the planned and running placements of an offer.
CREATE INDEX placements_offer_idx ON placements (offer_id)
    WHERE offer_id IS NOT NULL AND status IN ('gepland', 'lopend');
