-- Notifications waiting to go out, written in the same transaction as the booking change
-- they tell of. Instants are unix seconds (UTC).
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- order of the changes
    profile          TEXT NOT NULL,
    booking_id       TEXT NOT NULL,
    event            TEXT NOT NULL,   -- booking.created, … booking.reminder
    channel          TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    destination      TEXT NOT NULL,   -- the webhook's URL or the email address
    host_copy        INTEGER NOT NULL DEFAULT 0,  -- an email to a profile's notify address
    message_id       TEXT NOT NULL UNIQUE,        -- webhook-id / Message-ID: the same on every attempt
    payload          TEXT NOT NULL,   -- the webhook body: {"type", "timestamp", "data"}
    sequence         INTEGER NOT NULL,            -- the booking's, for the invitation
    locale           TEXT,
    link             TEXT,            -- the manage link, only until the message is sent
    lead_minutes     INTEGER,         -- reminders: minutes before the start
    due_at           INTEGER NOT NULL,
    next_at          INTEGER NOT NULL,            -- the next attempt (backoff)
    lease_until      INTEGER,                     -- an attempt is running until then
    attempts         INTEGER NOT NULL DEFAULT 0,
    first_attempt_at INTEGER,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed', 'skipped', 'disabled')),
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    done_at          INTEGER
);
CREATE INDEX outbox_queue ON outbox (channel, destination, due_at, id) WHERE state = 'pending';
CREATE INDEX outbox_booking ON outbox (profile, booking_id) WHERE state = 'pending';

-- Webhook endpoints that answered 410 Gone: nothing more is sent to them until an
-- operator re-queues one of their messages.
CREATE TABLE outbox_disabled (
    channel     TEXT NOT NULL,
    destination TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (channel, destination)
);
