-- Sessions and accounts: ending all of a user's sessions at once, and password reset by e-mail.

-- Each session remembers the generation its user had at login; a new password moves it on,
-- so every session opened with the old password stops working at its next request.
ALTER TABLE users ADD COLUMN session_generation integer NOT NULL DEFAULT 0;

-- Password reset links sent by e-mail (domain::account). Only the SHA-256 of the token is
-- kept, so the table does not hold usable links; a link works once, until expires_at.
CREATE TABLE password_resets (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id),
    token_hash  bytea NOT NULL CONSTRAINT password_resets_token_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
-- Serves the per-account limit on how many links are asked for in an hour.
CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at);
