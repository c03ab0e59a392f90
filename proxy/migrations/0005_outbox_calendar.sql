-- Bookings written back to a host's CalDAV calendar go through the outbox too: the
-- channel 'calendar', whose destination is the calendar collection's URL. SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt with its rows and ids.
CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- order of the changes
    profile          TEXT NOT NULL,
    booking_id       TEXT NOT NULL,
    event            TEXT NOT NULL,   -- booking.created, … booking.reminder
    channel          TEXT NOT NULL CHECK (channel IN ('webhook', 'email', 'calendar')),
    destination      TEXT NOT NULL,   -- the webhook's URL, the email address or the calendar's URL
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
INSERT INTO outbox_new SELECT * FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_queue ON outbox (channel, destination, due_at, id) WHERE state = 'pending';
CREATE INDEX outbox_booking ON outbox (profile, booking_id) WHERE state = 'pending';
