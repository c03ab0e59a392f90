//! The outbox: messages about booking changes, written in the transaction of the change
//! they tell of, then taken by the delivery worker one at a time per destination, in the
//! order of the changes.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use rand::distributions::{Alphanumeric, DistString};

use super::StoredBooking;
use crate::notify::{self, Event, NewMessage, Recipient};

/// Finished messages older than this are forgotten.
pub const OUTBOX_KEEP: TimeDelta = TimeDelta::days(30);

/// One row of `outbox`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub profile: String,
    pub booking_id: String,
    pub event: Event,
    /// `webhook`, `email` or `calendar`.
    pub channel: String,
    /// The webhook's URL or the email address.
    pub destination: String,
    /// An email to a profile's `notify` address rather than to the visitor.
    pub host_copy: bool,
    /// The webhook-id or Message-ID: the same on every attempt.
    pub message_id: String,
    /// The webhook body.
    pub payload: String,
    pub sequence: u32,
    pub locale: Option<String>,
    pub link: Option<String>,
    pub lead_minutes: Option<u32>,
    pub due_at: DateTime<Utc>,
    pub next_at: DateTime<Utc>,
    pub attempts: u32,
    pub first_attempt_at: Option<DateTime<Utc>>,
    /// `pending`, `sent`, `failed`, `skipped` or `disabled`.
    pub state: String,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One message about to be written: a row of `outbox` but its bookkeeping.
pub(super) struct NewRow<'a> {
    pub event: &'static str,
    pub channel: &'static str,
    pub destination: &'a str,
    pub host_copy: bool,
    pub message_id: String,
    pub payload: String,
    pub link: Option<&'a str>,
    pub lead_minutes: Option<i64>,
    pub due_at: DateTime<Utc>,
}

/// The rows for `messages` about `row` (as the change left it); those not due at all
/// (a reminder of a past time) are left out.
pub(super) fn plan<'a>(
    row: &'a StoredBooking,
    messages: &'a [NewMessage],
    now: DateTime<Utc>,
) -> Vec<NewRow<'a>> {
    // One body per event, so every destination gets the same bytes.
    let mut bodies: HashMap<&'static str, String> = HashMap::new();
    let mut rows = Vec::with_capacity(messages.len());
    for m in messages {
        let Some(due) = m.due(row, now) else { continue };
        let (channel, destination, host_copy) = match &m.to {
            Recipient::Webhook(url) => ("webhook", url.as_str(), false),
            Recipient::Visitor => ("email", row.email.as_str(), false),
            Recipient::Host(address) => ("email", address.as_str(), true),
            Recipient::Calendar(url) => ("calendar", url.as_str(), false),
        };
        let payload = bodies
            .entry(m.event.name())
            .or_insert_with(|| notify::payload(row, m.event, now))
            .clone();
        let message_id = format!(
            "msg_{}",
            Alphanumeric.sample_string(&mut rand::thread_rng(), 24)
        );
        rows.push(NewRow {
            event: m.event.name(),
            channel,
            destination,
            host_copy,
            message_id,
            payload,
            link: m.link.as_deref(),
            lead_minutes: m.lead.map(i64::from),
            due_at: due,
        });
    }
    rows
}

/// A pending row that is the first of its destination (by due time, then order of
/// writing): only such a row may be sent.
pub(super) const FIRST_OF_ITS_DESTINATION: &str = "o.state = 'pending' AND NOT EXISTS (
    SELECT 1 FROM outbox e WHERE e.state = 'pending' AND e.channel = o.channel
        AND e.destination = o.destination
        AND (e.due_at < o.due_at OR (e.due_at = o.due_at AND e.id < o.id)))";

/// The columns of an `OutboxRow`, in its order.
pub(super) const COLUMNS: &str =
    "id, profile, booking_id, event, channel, destination, host_copy, message_id, \
    payload, sequence, locale, link, lead_minutes, due_at, next_at, attempts, first_attempt_at, \
    state, last_error, created_at";
