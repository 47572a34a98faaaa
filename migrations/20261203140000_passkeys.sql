-- Passkeys (WebAuthn, ASVS 2.7/2.8/2.9): a second factor after the password, or both factors at
-- once for a passwordless login (user verification required).
--
-- `passkey` is webauthn-rs's own record of the credential (public key, signature counter,
-- backup state) as JSON, written back after each use so a cloned authenticator shows up as a
-- counter that went backwards. `credential_id` is unique across all users: an authenticator's
-- credential belongs to one account only. The runtime role gets its rights from the default
-- privileges of the least-privilege migration.
CREATE TABLE passkeys (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id bytea NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    passkey       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- A user with only passkeys (no authenticator app) gets recovery codes too: the codes now belong
-- to the user rather than to the app's row. Removing the second factor removes them explicitly.
ALTER TABLE recovery_codes
    DROP CONSTRAINT recovery_codes_user_id_fkey,
    ADD CONSTRAINT recovery_codes_user_id_fkey
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
