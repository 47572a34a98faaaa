-- Foundation: regions and municipalities, partner organisations, users, login throttling,
-- sessions and the audit log. Later migrations add participants, placements and hours.

-- A region (often several municipalities working together) runs the programme.
CREATE TABLE regions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Prefix of certificate numbers, e.g. BRG in BRG-2026-0042.
    code               text NOT NULL CONSTRAINT regions_code_key UNIQUE
                       CONSTRAINT regions_code_format CHECK (code ~ '^[A-Z]{2,6}$'),
    name               text NOT NULL CONSTRAINT regions_name_key UNIQUE,
    required_minutes   integer NOT NULL DEFAULT 2400 CHECK (required_minutes > 0),
    trajectory_months  integer NOT NULL DEFAULT 12 CHECK (trajectory_months BETWEEN 1 AND 60),
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE municipalities (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    region_id  uuid NOT NULL REFERENCES regions (id),
    name       text NOT NULL CONSTRAINT municipalities_name_key UNIQUE
);
CREATE INDEX municipalities_region_idx ON municipalities (region_id);

CREATE TYPE organisation_kind AS ENUM (
    'vereniging', 'bedrijf', 'lokaal_bestuur', 'woonzorgcentrum',
    'lokaal_dienstencentrum', 'buurtwerking', 'andere'
);

CREATE TABLE organisations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    region_id        uuid NOT NULL REFERENCES regions (id),
    name             text NOT NULL,
    kind             organisation_kind NOT NULL,
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organisations_name_key UNIQUE (region_id, name)
);

CREATE TYPE user_role AS ENUM ('admin', 'coordinator', 'coach', 'partner');

CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email            text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name             text NOT NULL CHECK (length(btrim(name)) > 0),
    role             user_role NOT NULL,
    password_hash    text NOT NULL,
    region_id        uuid REFERENCES regions (id),
    organisation_id  uuid REFERENCES organisations (id),
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    -- A partner belongs to exactly one organisation, and only partners belong to one.
    CONSTRAINT users_partner_has_organisation
        CHECK ((role = 'partner') = (organisation_id IS NOT NULL)),
    -- Coaches and coordinators work for one region.
    CONSTRAINT users_staff_has_region
        CHECK (role NOT IN ('coach', 'coordinator') OR region_id IS NOT NULL)
);
CREATE INDEX users_organisation_idx ON users (organisation_id) WHERE organisation_id IS NOT NULL;

-- Failed logins, per account and per client address; see domain::auth for the limits.
CREATE TABLE login_failures (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email        text NOT NULL,
    client_addr  text NOT NULL,
    failed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
CREATE INDEX login_failures_client_idx ON login_failures (client_addr, failed_at);

-- Who changed what, when: before and after as JSON. Rows are only ever inserted.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     uuid REFERENCES users (id),
    action       text NOT NULL,
    entity       text NOT NULL,
    entity_id    uuid,
    before       jsonb,
    after        jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, at);

-- Sessions of tower-sessions-sqlx-store (its PostgresStore layout), shared by all instances.
CREATE SCHEMA tower_sessions;
CREATE TABLE tower_sessions.session (
    id           text PRIMARY KEY NOT NULL,
    data         bytea NOT NULL,
    expiry_date  timestamptz NOT NULL
);
CREATE INDEX session_expiry_idx ON tower_sessions.session (expiry_date);
