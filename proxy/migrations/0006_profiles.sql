-- Profiles created through the admin API or `booking-proxy profiles import`, beside the
-- config file's: the same keys as a `[profiles.ID]` table, as JSON.
CREATE TABLE profiles (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    version    INTEGER NOT NULL,   -- from profile_versions: caches compare it
    updated_at INTEGER NOT NULL    -- unix seconds
);
-- The last version given: versions are never reused, even for an id removed and made
-- again, so a stale copy never looks current.
CREATE TABLE profile_versions (last INTEGER NOT NULL);
INSERT INTO profile_versions (last) VALUES (0);
