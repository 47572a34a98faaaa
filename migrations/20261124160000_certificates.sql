-- Certificates: numbered per region and year, with a snapshot of what they certify, a public
-- verification code, and revocation that keeps the record. See domain::certificate.

CREATE TYPE certificate_status AS ENUM ('geldig', 'ingetrokken');

-- The last number handed out per region and year. Issuing runs
--   INSERT … ON CONFLICT (region_id, year) DO UPDATE SET last_number = last_number + 1 RETURNING
-- inside its transaction: the row lock makes concurrent issuers wait for each other, and an
-- issue that rolls back takes its number back with it. So numbers are unique and gapless.
CREATE TABLE certificate_counters (
    region_id    uuid NOT NULL REFERENCES regions (id),
    year         integer NOT NULL,
    last_number  integer NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (region_id, year)
);

CREATE TABLE certificates (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    region_id          uuid NOT NULL REFERENCES regions (id),
    participant_id     uuid NOT NULL REFERENCES participants (id),
    -- BRG-2026-0042: region code, year, sequence. Kept when revoked; never reused.
    number             text NOT NULL CONSTRAINT certificates_number_key UNIQUE,
    year               integer NOT NULL,
    sequence           integer NOT NULL CHECK (sequence > 0),
    -- 15 characters of Crockford base32 (75 random bits), printed in groups of five and in the
    -- QR code; the key to the public verification page.
    verify_code        text NOT NULL CONSTRAINT certificates_verify_code_key UNIQUE
                       CONSTRAINT certificates_verify_code_format
                       CHECK (verify_code ~ '^[0-9A-HJKMNP-TV-Z]{15}$'),
    status             certificate_status NOT NULL DEFAULT 'geldig',
    issued_on          date NOT NULL,
    issued_at          timestamptz NOT NULL DEFAULT now(),
    issued_by          uuid NOT NULL REFERENCES users (id),

    -- The snapshot: what the paper says, as it was on the day of issue. Later changes to the
    -- participant, the hours or the organisations do not change a certificate.
    full_name          text NOT NULL,
    region_name        text NOT NULL,
    municipality_name  text NOT NULL,
    issuer_name        text NOT NULL,
    total_minutes      integer NOT NULL CHECK (total_minutes > 0),
    required_minutes   integer NOT NULL CHECK (required_minutes > 0),
    -- [{"kind": "buddy", "minutes": 1500}, …] in the fixed order of the placement kinds.
    minutes_by_kind    jsonb NOT NULL,
    -- ["Buurtwerk De Brug", …]: the organisations with confirmed hours, most hours first.
    organisations      jsonb NOT NULL,

    revoked_at         timestamptz,
    revoked_by         uuid REFERENCES users (id),
    revoke_reason      text,

    -- Also serves the region's certificate list, most recent first (scanned backwards).
    CONSTRAINT certificates_sequence_key UNIQUE (region_id, year, sequence),
    CONSTRAINT certificates_revocation
        CHECK ((status = 'ingetrokken') = (revoked_at IS NOT NULL AND revoke_reason IS NOT NULL))
);
-- A participant holds at most one valid certificate; revoked ones stay beside it.
CREATE UNIQUE INDEX certificates_one_valid_per_participant
    ON certificates (participant_id) WHERE status = 'geldig';
-- The participant page and the revoke/issue history of one participant.
CREATE INDEX certificates_participant_idx ON certificates (participant_id, issued_at);

-- Requests to the public verification page per client address and minute, so guessing codes
-- is throttled across all instances. Rows older than a few minutes are deleted as new minutes
-- begin (domain::certificate::count_verify_request).
CREATE TABLE verify_requests (
    client_addr   text NOT NULL,
    window_start  timestamptz NOT NULL,
    count         integer NOT NULL,
    PRIMARY KEY (client_addr, window_start)
);
CREATE INDEX verify_requests_window_idx ON verify_requests (window_start);
