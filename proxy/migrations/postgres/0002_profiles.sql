-- Profiles created through the admin API or `booking-proxy profiles import`, beside the
-- config file's: the same keys as a `[profiles.ID]` table, as JSON. Every change is
-- announced on the channel `profile_changed`, so each instance drops its copy at once.
CREATE TABLE profiles (
    id         TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
