-- The PostgreSQL schema: the same tables as SQLite's, instants in unix seconds (UTC) as
-- there, so both backends read rows alike. Many proxies may share one database.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Every booking made through the proxy, with any provider (see the SQLite migrations).
CREATE TABLE bookings (
    profile       TEXT NOT NULL,
    id            TEXT NOT NULL,
    provider_ref  TEXT NOT NULL,
    start_at      BIGINT NOT NULL,
    end_at        BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('confirmed', 'pending', 'cancelled')),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    locale        TEXT,
    answers       TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    location      TEXT,
    token_hash    TEXT UNIQUE,
    sequence      BIGINT NOT NULL DEFAULT 0,
    reschedules   BIGINT NOT NULL DEFAULT 0,
    cancel_reason TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    -- The local provider's bookings: the seconds kept free after it. NULL for a remote
    -- provider's, whose schedule is the provider's to keep.
    buffer_secs   BIGINT,
    PRIMARY KEY (profile, id),
    -- No two active local bookings of a profile overlap, buffers included, whatever the
    -- proxies' own checks do.
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
        profile WITH =,
        int8range(start_at, end_at + buffer_secs) WITH &&
    ) WHERE (status <> 'cancelled' AND buffer_secs IS NOT NULL)
);
CREATE INDEX bookings_active ON bookings (profile, start_at) WHERE status <> 'cancelled';
CREATE INDEX bookings_by_id ON bookings (id);

-- Idempotency-Key records, kept 24 hours.
CREATE TABLE idempotency (
    profile     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      BIGINT,         -- NULL while the first request is still running
    body        TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (profile, key)
);

-- Notifications waiting to go out, written in the same transaction as the change.
CREATE TABLE outbox (
    id               BIGSERIAL PRIMARY KEY,  -- order of the changes
    profile          TEXT NOT NULL,
    booking_id       TEXT NOT NULL,
    event            TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('webhook', 'email', 'calendar')),
    destination      TEXT NOT NULL,
    host_copy        BOOLEAN NOT NULL DEFAULT FALSE,
    message_id       TEXT NOT NULL UNIQUE,
    payload          TEXT NOT NULL,
    sequence         BIGINT NOT NULL,
    locale           TEXT,
    link             TEXT,
    lead_minutes     BIGINT,
    due_at           BIGINT NOT NULL,
    next_at          BIGINT NOT NULL,
    lease_until      BIGINT,
    attempts         BIGINT NOT NULL DEFAULT 0,
    first_attempt_at BIGINT,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed', 'skipped', 'disabled')),
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    done_at          BIGINT
);
CREATE INDEX outbox_queue ON outbox (channel, destination, due_at, id) WHERE state = 'pending';
CREATE INDEX outbox_booking ON outbox (profile, booking_id) WHERE state = 'pending';

CREATE TABLE outbox_disabled (
    channel     TEXT NOT NULL,
    destination TEXT NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (channel, destination)
);

-- Slots held for one visitor while they fill the form.
CREATE TABLE holds (
    id           TEXT PRIMARY KEY,
    profile      TEXT NOT NULL,
    client       TEXT NOT NULL,
    start_at     BIGINT NOT NULL,
    end_at       BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    provider_ref TEXT
);
CREATE INDEX holds_by_time ON holds (profile, start_at);
CREATE INDEX holds_by_client ON holds (profile, client);
