-- Slots held for one visitor while they fill the form, hidden from everyone else until
-- `expires_at` (unix seconds, compared in each query: an expired row is simply ignored).
CREATE TABLE holds (
    id           TEXT PRIMARY KEY,   -- hd_…: the visitor's only handle on it
    profile      TEXT NOT NULL,
    client       TEXT NOT NULL,      -- SHA-256 (hex) of the client address: one live hold each
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    provider_ref TEXT                -- the provider's reservation, where it keeps the hold
);
CREATE INDEX holds_by_time ON holds (profile, start_at);
CREATE INDEX holds_by_client ON holds (profile, client);
