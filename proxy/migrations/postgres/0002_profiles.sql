-- Profiles created through the admin API or `booking-proxy profiles import`, beside the
-- config file's: the same keys as a `[profiles.ID]` table, as JSON. Every change is
-- announced on the channel `profile_changed`, so each instance drops its copy at once.
CREATE TABLE profiles (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    version    BIGINT NOT NULL,   -- from profile_versions: caches compare it
    updated_at BIGINT NOT NULL
);
-- Versions are never reused, even for an id removed and made again.
CREATE SEQUENCE profile_versions;
