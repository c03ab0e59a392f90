-- Bookings of the local provider. Instants are unix seconds (UTC).
CREATE TABLE bookings (
    id         TEXT PRIMARY KEY NOT NULL,
    profile    TEXT NOT NULL,
    start_at   INTEGER NOT NULL,
    end_at     INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('confirmed', 'pending', 'cancelled')),
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    answers    TEXT NOT NULL,  -- JSON: {"fields": {...}, "guests": [...], "notes": "..."}
    created_at INTEGER NOT NULL
);
CREATE INDEX bookings_active ON bookings (profile, start_at) WHERE status != 'cancelled';

-- Idempotency-Key records, kept 24 hours.
CREATE TABLE idempotency (
    profile     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER,        -- NULL while the first request is still running
    body        TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (profile, key)
);
