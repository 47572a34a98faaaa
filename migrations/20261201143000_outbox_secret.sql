-- A mail's link secret (confirming hours, a new password) no longer lives in its body: the body
-- holds the mark '[verborgen]' where the secret goes, and the secret waits in `secret` until the
-- sender puts it in and hands the mail to SMTP; the UPDATE that marks the mail sent clears it.
-- The outbox page never reads this column, so it cannot show a working link.
ALTER TABLE outbox ADD COLUMN secret text;

-- Mails queued before this change carry the secret in their body. A mail still waiting keeps
-- it (now in `secret`, so it can still be delivered); every body gets the mark instead.
UPDATE outbox
SET secret = CASE
        WHEN sent_at IS NULL
        THEN substring(body_text FROM '/(?:bevestigen|wachtwoord-herstellen)/([0-9A-Za-z_-]+)')
    END,
    body_text = regexp_replace(body_text,
        '(/(?:bevestigen|wachtwoord-herstellen)/)[0-9A-Za-z_-]+', '\1[verborgen]', 'g'),
    body_html = regexp_replace(body_html,
        '(/(?:bevestigen|wachtwoord-herstellen)/)[0-9A-Za-z_-]+', '\1[verborgen]', 'g')
WHERE body_text ~ '/(?:bevestigen|wachtwoord-herstellen)/[0-9A-Za-z_-]+';
