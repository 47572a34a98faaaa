-- A second factor (ASVS 2.7/2.8): a time-based one-time code from an authenticator app
-- (RFC 6238), with single-use recovery codes for a lost phone.
--
-- `last_used_step` is the 30-second time step of the last code accepted: a code of that step
-- or an earlier one is refused, so a code seen over someone's shoulder cannot be used again.
-- Deleting the user deletes their factor; the runtime role gets its rights from the default
-- privileges of the least-privilege migration (both tables are changed, not append-only).
CREATE TABLE second_factors (
    user_id        uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret         bytea NOT NULL CHECK (length(secret) = 20),
    enrolled_at    timestamptz NOT NULL DEFAULT now(),
    last_used_step bigint NOT NULL
);

-- Recovery codes are random (80 bits), long and single-use, so a SHA-256 of the code is enough
-- to make a copy of the table useless; a slow hash would only slow down logging in.
CREATE TABLE recovery_codes (
    user_id   uuid NOT NULL REFERENCES second_factors (user_id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
