//! Notifications of booking changes: signed webhooks, emails with calendar invitations,
//! and reminders. A change writes its messages to the outbox in its own transaction
//! (`store::outbox`); the worker (`worker`) delivers them at least once.
//!
//! The manage token exists in clear only in the request that made the booking and in
//! requests made with it, so only those changes' emails (and the reminders they set)
//! carry the manage link. The outbox keeps the link only until the message is sent.

mod calendar;
pub mod clock;
mod email;
mod i18n;
pub mod ics;
mod webhook;
pub mod worker;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::json;

use crate::config::{Config, ProfileConfig, Source};
use crate::store::StoredBooking;

pub use worker::Worker;

/// The reason an operator's cancel gives (emails show it in the booking's language).
pub const CANCELLED_BY_HOST: &str = "Cancelled by the host.";
/// The reason of an operator's decline of a pending booking (a cancel).
pub const DECLINED: &str = "Declined by the host.";

/// What happened to a booking (what a message tells of).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Created,
    Rescheduled,
    Cancelled,
    /// The host accepted a pending booking.
    Confirmed,
    /// Not a change: a visitor's email some minutes before the start.
    Reminder,
}

impl Event {
    /// The events a webhook may ask for.
    pub const WEBHOOK: [Event; 4] = [
        Event::Created,
        Event::Rescheduled,
        Event::Cancelled,
        Event::Confirmed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Created => "booking.created",
            Self::Rescheduled => "booking.rescheduled",
            Self::Cancelled => "booking.cancelled",
            Self::Confirmed => "booking.confirmed",
            Self::Reminder => "booking.reminder",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Reminder]
            .into_iter()
            .chain(Self::WEBHOOK)
            .find(|e| e.name() == name)
    }
}

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A `[[webhooks]]` endpoint, by URL.
    Webhook(String),
    /// The booking's own email address.
    Visitor,
    /// A profile's `notify` address.
    Host(String),
    /// A host's CalDAV calendar with `write = true`, by its URL: the booking is written
    /// there as an event.
    Calendar(String),
}

/// A message a change sends, before the store gives it the booking as the change left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub event: Event,
    pub to: Recipient,
    /// The manage link, for the visitor's emails of changes made with the token.
    pub link: Option<String>,
    /// Reminders: minutes before the start.
    pub lead: Option<u32>,
}

impl NewMessage {
    /// When it is due for `row` (as the change left it), or `None` if it is not to be
    /// written at all: reminders of pending bookings, or whose time has already passed.
    pub fn due(&self, row: &StoredBooking, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.lead {
            None => Some(now),
            Some(minutes) => {
                let at = row.start - TimeDelta::minutes(i64::from(minutes));
                (row.status == "confirmed" && at > now).then_some(at)
            }
        }
    }
}

/// The messages each change of a profile's bookings sends, from the config.
#[derive(Debug, Clone)]
pub struct Notifier {
    config: Config,
}

impl Notifier {
    pub fn new(config: &Config) -> Self {
        Self {
            config: config.clone(),
        }
    }

    /// The messages `event` sends for a booking of profile `p`; `token` is the manage token
    /// when the change was made with it (or made the booking).
    pub fn messages(
        &self,
        p: &ProfileConfig,
        event: Event,
        token: Option<&str>,
    ) -> Vec<NewMessage> {
        let profile = p.id.as_str();
        let message = |to, link: Option<String>, lead| NewMessage {
            event,
            to,
            link,
            lead,
        };
        let mut out: Vec<NewMessage> = self
            .config
            .webhooks
            .iter()
            .filter(|w| w.wants(profile, event))
            .map(|w| message(Recipient::Webhook(w.url.clone()), None, None))
            .collect();
        if let (Source::Local(rules), true) = (&p.source, event != Event::Reminder) {
            out.extend(
                rules
                    .calendars
                    .iter()
                    .filter(|c| c.writes())
                    .map(|c| message(Recipient::Calendar(c.url().to_string()), None, None)),
            );
        }
        if !p.notify.emails {
            return out;
        }
        let link = token.and_then(|t| self.link(profile, t));
        out.push(message(Recipient::Visitor, link.clone(), None));
        out.extend(
            p.notify
                .notify
                .iter()
                .map(|host| message(Recipient::Host(host.clone()), None, None)),
        );
        if matches!(
            event,
            Event::Created | Event::Rescheduled | Event::Confirmed
        ) {
            out.extend(p.notify.reminders.iter().map(|&minutes| NewMessage {
                event: Event::Reminder,
                to: Recipient::Visitor,
                link: link.clone(),
                lead: Some(minutes),
            }));
        }
        out
    }

    /// `{public_url}/book/{profile}/manage/{token}`.
    pub fn link(&self, profile: &str, token: &str) -> Option<String> {
        let base = self.config.server.public_url.as_deref()?;
        Some(format!("{base}/book/{profile}/manage/{token}"))
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// The webhook body of `event` for `row` (as the change left it), at `at`: the booking
/// object with the profile, the visitor's name, email and answers. The outbox keeps it as
/// it is, so every attempt sends the same bytes.
pub fn payload(row: &StoredBooking, event: Event, at: DateTime<Utc>) -> String {
    let answers: serde_json::Value = serde_json::from_str(&row.answers).unwrap_or_default();
    let mut data = json!(row.booking());
    if let Some(object) = data.as_object_mut() {
        object.insert("profile".into(), json!(row.profile));
        object.insert("name".into(), json!(row.name));
        object.insert("email".into(), json!(row.email));
        // No answers may be stored as `[]`: the body always has an object.
        let fields = answers.get("fields").filter(|v| v.is_object());
        object.insert("fields".into(), fields.cloned().unwrap_or(json!({})));
        let guests = answers.get("guests").filter(|v| v.is_array());
        object.insert("guests".into(), guests.cloned().unwrap_or(json!([])));
        let notes = answers.get("notes").filter(|v| v.is_string());
        object.insert("notes".into(), notes.cloned().unwrap_or(json!("")));
        if let Some(reason) = &row.cancel_reason {
            object.insert("reason".into(), json!(reason));
        }
    }
    json!({
        "type": event.name(),
        "timestamp": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notifier() -> Notifier {
        let hours = r#"{ mon = ["09:00-17:00"] }"#;
        let text = format!(
            r#"
[server]
public_url = "https://book.example.com"
[email]
smtp_url = "file:///tmp/mail"
from = "bookings@example.com"
[[webhooks]]
url = "https://a.example.com/all"
secret_env = "A"
[[webhooks]]
url = "https://b.example.com/cancels-of-intro"
secret_env = "B"
events = ["booking.cancelled"]
profiles = ["intro"]
[profiles.intro]
provider = "local"
title = "Intro"
time_zone = "UTC"
durations = [30]
hours = {hours}
notify = ["host@example.com"]
reminders = [1440, 60]
[profiles.other]
provider = "local"
title = "Other"
time_zone = "UTC"
durations = [30]
hours = {hours}
emails = false
"#
        );
        let env = |_: &str| Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned());
        let config = crate::config::parse(&text, std::path::Path::new("."), &env).unwrap();
        Notifier::new(&config)
    }

    fn profile(n: &Notifier, id: &str) -> ProfileConfig {
        n.config().profiles[id].clone()
    }

    fn webhooks(messages: &[NewMessage]) -> Vec<&str> {
        messages
            .iter()
            .filter_map(|m| match &m.to {
                Recipient::Webhook(url) => Some(url.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn webhooks_follow_their_profile_and_event_filters() {
        let n = notifier();
        let a = "https://a.example.com/all";
        let b = "https://b.example.com/cancels-of-intro";
        let (intro, other) = (profile(&n, "intro"), profile(&n, "other"));
        assert_eq!(webhooks(&n.messages(&intro, Event::Created, None)), [a]);
        assert_eq!(
            webhooks(&n.messages(&intro, Event::Cancelled, None)),
            [a, b]
        );
        assert_eq!(webhooks(&n.messages(&other, Event::Cancelled, None)), [a]);
    }

    #[test]
    fn only_changes_made_with_the_token_carry_the_manage_link() {
        let n = notifier();
        let (intro, other) = (profile(&n, "intro"), profile(&n, "other"));
        let made = n.messages(&intro, Event::Created, Some("tok"));
        let link = Some("https://book.example.com/book/intro/manage/tok".to_owned());
        let visitor: Vec<_> = made.iter().filter(|m| m.to == Recipient::Visitor).collect();
        assert_eq!(visitor.len(), 3, "the email and two reminders");
        assert!(visitor.iter().all(|m| m.link == link));
        let host: Vec<_> = made
            .iter()
            .filter(|m| matches!(m.to, Recipient::Host(_)))
            .collect();
        assert_eq!(host.len(), 1);
        assert_eq!(host[0].link, None);
        let by_operator = n.messages(&intro, Event::Cancelled, None);
        assert!(by_operator.iter().all(|m| m.link.is_none()));
        assert!(by_operator.iter().all(|m| m.event != Event::Reminder));
        // emails = false: webhooks only.
        let other = n.messages(&other, Event::Created, Some("tok"));
        assert!(other.iter().all(|m| matches!(m.to, Recipient::Webhook(_))));
    }
}
