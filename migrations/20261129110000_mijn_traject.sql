-- Mijn traject: the inburgeraar's own page, opened with a personal link instead of an account.

-- Personal links of inburgeraars. Only the SHA-256 of the token is kept (like
-- confirmation_links): the token itself exists on the printed card and in the coach's session
-- right after it was made. A link works until it is revoked; it does not expire, because the
-- card is meant to be kept for the whole trajectory.
CREATE TABLE participant_links (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    participant_id  uuid NOT NULL REFERENCES participants (id),
    token_hash      bytea NOT NULL CONSTRAINT participant_links_token_key UNIQUE,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    revoked_by      uuid REFERENCES users (id),
    last_used_at    timestamptz,
    use_count       integer NOT NULL DEFAULT 0
);
-- One working link per inburgeraar: making a new one revokes the old one in the same
-- transaction, and this index settles two coaches doing so at the same moment.
CREATE UNIQUE INDEX participant_links_one_active ON participant_links (participant_id)
    WHERE revoked_at IS NULL;
