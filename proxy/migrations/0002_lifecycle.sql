-- Every booking made through the proxy, with any provider. A local profile's rows are its
-- schedule; a remote profile's rows let the proxy find, cancel and move them later. Keyed
-- by profile, since remote providers' ids are only unique at each provider.
CREATE TABLE bookings_v2 (
    profile       TEXT NOT NULL,
    id            TEXT NOT NULL,               -- the proxy's id: bk_… (local) or the provider's first id
    provider_ref  TEXT NOT NULL,               -- the provider's id now (Cal.com gives a new one on reschedule)
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('confirmed', 'pending', 'cancelled')),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    locale        TEXT,
    answers       TEXT NOT NULL,  -- JSON: {"fields": {...}, "guests": [...], "notes": "..."}
    title         TEXT NOT NULL DEFAULT '',
    location      TEXT,
    token_hash    TEXT UNIQUE,    -- SHA-256 (hex) of the manage token; the token itself is never kept
    sequence      INTEGER NOT NULL DEFAULT 0,  -- raised on every change (iCalendar SEQUENCE)
    reschedules   INTEGER NOT NULL DEFAULT 0,
    cancel_reason TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (profile, id)
);
INSERT INTO bookings_v2 (profile, id, provider_ref, start_at, end_at, status, name, email,
                         time_zone, answers, created_at, updated_at)
    SELECT profile, id, id, start_at, end_at, status, name, email, time_zone, answers,
           created_at, created_at
    FROM bookings;
DROP TABLE bookings;
ALTER TABLE bookings_v2 RENAME TO bookings;
CREATE INDEX bookings_active ON bookings (profile, start_at) WHERE status != 'cancelled';
CREATE INDEX bookings_by_id ON bookings (id);
