-- Profiles created through the admin API or `booking-proxy profiles import`, beside the
-- config file's: the same keys as a `[profiles.ID]` table, as JSON.
CREATE TABLE profiles (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    version    INTEGER NOT NULL,   -- raised on every change: caches compare it
    updated_at INTEGER NOT NULL    -- unix seconds
);
