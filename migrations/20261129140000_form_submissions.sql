-- Create forms submitted once (domain::submission). Every create form carries a random
-- idempotency key in a hidden field; the first submission inserts its row here at the start of
-- its transaction and, when done, the address it redirected to. A second submission of the same
-- form (a double click, a retry after a lost answer) conflicts on the primary key: while the
-- first is still running it waits for it, afterwards it finds the row and is sent to the same
-- address. A first submission that fails rolls its row back, so the form can be sent again.
CREATE TABLE form_submissions (
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key  uuid NOT NULL,
    -- The form's path: one page may render several forms with the same key.
    action           text NOT NULL,
    -- Where the first submission sent the user; set in the same transaction.
    location         text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idempotency_key, action)
);
-- Old keys are forgotten after a while (domain::submission::forget_old).
CREATE INDEX form_submissions_created_idx ON form_submissions (created_at);
