-- Partner confirmation: personal links, the mail outbox and the weekly digest.

-- A personal link that lets a placement's contact confirm its pending entries without an
-- account. Only the SHA-256 of the token is stored: a database leak reveals no usable link.
CREATE TABLE confirmation_links (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id    uuid NOT NULL REFERENCES placements (id),
    token_hash      bytea NOT NULL CONSTRAINT confirmation_links_token_key UNIQUE,
    contact_name    text NOT NULL DEFAULT '',
    contact_email   text NOT NULL DEFAULT '',
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_by      uuid REFERENCES users (id),
    last_used_at    timestamptz,
    use_count       integer NOT NULL DEFAULT 0
);
-- The coach's view of a placement's links.
CREATE INDEX confirmation_links_placement_idx ON confirmation_links (placement_id, created_at);

-- Every mail Veertig sends is written here first, in the transaction that causes it. A sender
-- delivers it over SMTP when configured; without SMTP the beheerder reads it on the outbox page.
CREATE TABLE outbox (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at  timestamptz NOT NULL DEFAULT now(),
    recipient   text NOT NULL,
    subject     text NOT NULL,
    body_text   text NOT NULL,
    body_html   text NOT NULL,
    sent_at     timestamptz,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text
);
-- The sender's queue.
CREATE INDEX outbox_unsent_idx ON outbox (created_at) WHERE sent_at IS NULL;

-- One row per week whose digest was queued, so several instances send it once.
CREATE TABLE digest_runs (
    week_of  date PRIMARY KEY,
    ran_at   timestamptz NOT NULL DEFAULT now()
);
