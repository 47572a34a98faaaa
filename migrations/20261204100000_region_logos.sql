-- A logo per region (issue 22 item 6), printed at the top of the region's certificates and of
-- the bewijs van deelname. The beheerder uploads it on the region's page: PNG or JPEG, the type
-- read from the content, at most 1 MiB, and only when krilla could draw it into a PDF/A file
-- (checked before it is stored). One logo per region: uploading again replaces it.
CREATE TABLE region_logos (
    region_id     uuid PRIMARY KEY REFERENCES regions (id) ON DELETE CASCADE,
    content_type  text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    size_bytes    integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 1048576),
    content       bytea NOT NULL,
    uploaded_by   uuid REFERENCES users (id),
    uploaded_at   timestamptz NOT NULL DEFAULT now()
);

-- The default privileges of `…_least_privilege.sql` already give the runtime role these rights
-- on a table this owner creates; said here too, so the grant does not depend on who migrates.
GRANT SELECT, INSERT, UPDATE, DELETE ON region_logos TO veertig_app;
