//! The delivery loop: takes the messages that are due, the first of each destination
//! (so one destination gets them one at a time, in the order of the changes), sends
//! them, and records what happened. A failed attempt is retried with exponential backoff
//! and jitter (about 5 s, 30 s, 2 min, 10 min, … then every 8 hours) until 24 hours have
//! passed since the first; a message is taken under a lease, so one whose sender died
//! mid-way is sent again when the lease ends (at most one extra delivery).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta};
use rand::Rng;
use standardwebhooks::Webhook;

use super::clock::Clock;
use super::email::Mailer;
use super::{calendar, webhook, Event};
use crate::profiles::Registry;
use crate::state::AppState;
use crate::store::{OutboxRow, Store};

/// How long a taken message is left to its taker (longer than any one attempt takes).
pub const LEASE: TimeDelta = TimeDelta::seconds(60);
/// A message still failing this long after its first attempt is given up.
pub const GIVE_UP_AFTER: TimeDelta = TimeDelta::hours(24);
/// The delay after the n-th failed attempt (the last one repeats).
const BACKOFF: [u64; 9] = [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800];
/// Messages sent at once (each to another destination).
const BATCH: u32 = 16;
/// How often the outbox is looked at when nothing wakes the worker (messages written by
/// another process, such as the operator's commands).
const IDLE: Duration = Duration::from_secs(5);
/// An attempt's own limit, inside the lease.
const ATTEMPT: Duration = Duration::from_secs(45);

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent,
    /// Try again later (at the earliest after the `Retry-After` given).
    Retry(String, Option<Duration>),
    /// The webhook endpoint answered 410 Gone.
    Gone,
    /// It can never be sent (the reason).
    Failed(String),
}

#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// Each message's profile: its fields (for emails) and its calendars.
    profiles: Registry,
    clock: Clock,
    client: reqwest::Client,
    /// Each endpoint's signer, by URL.
    signers: HashMap<String, Webhook>,
    mailer: Option<Mailer>,
}

impl Worker {
    /// Checks the webhook secrets and the mail transport; the error is one line naming
    /// the key (never a secret).
    pub fn new(state: &AppState, clock: Clock) -> Result<Self, String> {
        let config = state.config().clone();
        let mut signers = HashMap::new();
        for (i, w) in config.webhooks.iter().enumerate() {
            let signer = webhook::signer(w.secret()).map_err(|problem| {
                format!(
                    "webhooks[{i}].secret_env: environment variable {} {problem}",
                    w.secret_env
                )
            })?;
            signers.insert(w.url.clone(), signer);
        }
        let mailer = match (&config.email, &config.server.public_url) {
            (Some(email), Some(public_url)) => Some(Mailer::new(email, public_url)?),
            _ => None,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                store: state.store().clone(),
                profiles: state.profiles().clone(),
                clock,
                client: webhook::client()?,
                signers,
                mailer,
            }),
        })
    }

    /// Delivers until the process ends.
    pub async fn run(self) {
        let written = self.inner.store.outbox_written();
        let idle = if self.inner.clock.is_moved() {
            Duration::from_millis(200)
        } else {
            IDLE
        };
        loop {
            let now = self.inner.clock.now();
            match self.inner.store.claim_messages(now, LEASE, BATCH).await {
                Ok(batch) if !batch.is_empty() => {
                    let mut running = tokio::task::JoinSet::new();
                    for row in batch {
                        let worker = self.clone();
                        running.spawn(async move { worker.deliver(row).await });
                    }
                    while running.join_next().await.is_some() {}
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox: cannot take messages"),
            }
            let wait = match self.inner.store.next_message_at().await {
                Ok(Some(at)) => (at - self.inner.clock.now())
                    .to_std()
                    .unwrap_or_default()
                    .clamp(Duration::from_millis(50), idle),
                _ => idle,
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = written.notified() => {}
            }
        }
    }

    async fn deliver(&self, row: OutboxRow) {
        let inner = &self.inner;
        if let Some(late) = too_late(&row, inner.clock.now()) {
            tracing::info!(outbox = row.id, booking = %row.booking_id, late_minutes = late.num_minutes(), "reminder skipped: its time passed while it could not be sent");
            let _ = inner
                .store
                .message_given_up(row.id, "skipped", "its time had passed", inner.clock.now())
                .await;
            return;
        }
        let attempt = self.attempt(&row);
        let outcome = tokio::time::timeout(ATTEMPT, attempt)
            .await
            .unwrap_or_else(|_| Outcome::Retry("took too long".into(), None));
        let now = inner.clock.now();
        let result = match outcome {
            Outcome::Sent => {
                tracing::info!(outbox = row.id, booking = %row.booking_id, event = row.event.name(), channel = %row.channel, "notification sent");
                inner.store.message_sent(row.id, now).await
            }
            Outcome::Gone => match inner
                .store
                .disable_destination(&row.channel, &row.destination, now)
                .await
            {
                Ok(true) => {
                    tracing::warn!(endpoint = %endpoint(&row.destination), "webhook endpoint answered 410 Gone: nothing more is sent to it until `booking-proxy outbox retry` re-queues its messages");
                    Ok(())
                }
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            },
            Outcome::Failed(reason) => {
                tracing::warn!(outbox = row.id, booking = %row.booking_id, channel = %row.channel, "notification cannot be sent: {reason}");
                inner
                    .store
                    .message_given_up(row.id, "failed", &reason, now)
                    .await
            }
            Outcome::Retry(reason, after) => {
                let first = row.first_attempt_at.unwrap_or(now);
                // Email errors may quote the address: the log has only the row.
                let said = if row.channel == "webhook" {
                    reason.as_str()
                } else {
                    "see `booking-proxy outbox list`"
                };
                if now - first >= GIVE_UP_AFTER {
                    tracing::warn!(outbox = row.id, booking = %row.booking_id, attempts = row.attempts, "notification given up after 24 hours: {said}");
                    inner
                        .store
                        .message_given_up(row.id, "failed", &reason, now)
                        .await
                } else {
                    let delay = jittered(backoff(row.attempts))
                        .max(after.unwrap_or_default().min(Duration::from_secs(3_600)));
                    let next = now + TimeDelta::from_std(delay).unwrap_or(TimeDelta::hours(1));
                    tracing::warn!(outbox = row.id, booking = %row.booking_id, attempts = row.attempts, retry_in_seconds = delay.as_secs(), "notification not delivered: {said}");
                    inner.store.message_retry(row.id, next, &reason).await
                }
            }
        };
        if let Err(e) = result {
            tracing::error!(error = %e, outbox = row.id, "outbox: cannot record a delivery");
        }
    }

    async fn attempt(&self, row: &OutboxRow) -> Outcome {
        let inner = &self.inner;
        match row.channel.as_str() {
            "webhook" => match inner.signers.get(&row.destination) {
                Some(signer) => {
                    webhook::send(
                        &inner.client,
                        signer,
                        &row.destination,
                        &row.message_id,
                        &row.payload,
                    )
                    .await
                }
                None => Outcome::Failed("no [[webhooks]] endpoint has this URL any more".into()),
            },
            "calendar" => {
                let profile = inner.profiles.get(&row.profile).await.ok();
                calendar::write(&inner.client, profile.as_ref().map(|p| &p.config), row).await
            }
            _ => match &inner.mailer {
                Some(mailer) => {
                    let profile = inner.profiles.get(&row.profile).await.ok();
                    let fields = profile.as_ref().map(|p| p.config.fields.as_slice());
                    mailer.send(row, fields.unwrap_or_default()).await
                }
                None => Outcome::Failed("[email] is not configured any more".into()),
            },
        }
    }
}

/// The delay after `attempts` failed attempts, before jitter.
pub fn backoff(attempts: u32) -> Duration {
    let i = usize::try_from(attempts.max(1) - 1).unwrap_or(usize::MAX);
    Duration::from_secs(BACKOFF[i.min(BACKOFF.len() - 1)])
}

/// `delay` ± 20 %, so retries of many messages do not arrive together.
fn jittered(delay: Duration) -> Duration {
    delay.mul_f64(rand::thread_rng().gen_range(0.8..1.2))
}

/// How late a reminder would be sent, if that is more than it may be: 15 minutes, or half
/// its lead time when that is shorter (a 10-minute reminder 6 minutes late is no use).
pub fn too_late(row: &OutboxRow, now: DateTime<chrono::Utc>) -> Option<TimeDelta> {
    if row.event != Event::Reminder {
        return None;
    }
    let lead = TimeDelta::minutes(i64::from(row.lead_minutes.unwrap_or(0)));
    let tolerance = TimeDelta::minutes(15).min(lead / 2);
    let late = now - row.due_at;
    (late > tolerance).then_some(late)
}

/// An endpoint as the log names it: its host, never its path or query (which may hold a
/// token).
fn endpoint(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_start_within_seconds_and_go_on_for_more_than_a_day() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(30));
        assert_eq!(backoff(3), Duration::from_secs(120));
        assert_eq!(backoff(40), Duration::from_secs(28_800));
        // Even with the shortest jitter every time, the attempts span the 24 hours
        // before a message is given up.
        let mut elapsed = Duration::ZERO;
        let mut attempts = 1;
        while elapsed < Duration::from_secs(24 * 3600) {
            elapsed += backoff(attempts).mul_f64(0.8);
            attempts += 1;
            assert!(attempts < 40, "bounded");
        }
        assert!(attempts <= 14, "{attempts} attempts");
        for _ in 0..100 {
            let d = jittered(Duration::from_secs(100));
            assert!((80..=120).contains(&d.as_secs()), "{d:?}");
        }
    }

    #[test]
    fn a_reminder_more_than_its_tolerance_late_is_too_late() {
        let due: DateTime<chrono::Utc> = "2026-11-23T12:00:00Z".parse().unwrap();
        let reminder = |lead: u32| OutboxRow {
            id: 1,
            profile: "p".into(),
            booking_id: "b".into(),
            event: Event::Reminder,
            channel: "email".into(),
            destination: "a@example.com".into(),
            host_copy: false,
            message_id: "m".into(),
            payload: "{}".into(),
            sequence: 0,
            locale: None,
            link: None,
            lead_minutes: Some(lead),
            due_at: due,
            next_at: due,
            attempts: 1,
            first_attempt_at: None,
            state: "pending".into(),
            last_error: None,
            created_at: due,
        };
        let at = |minutes: i64| due + TimeDelta::minutes(minutes);
        assert_eq!(too_late(&reminder(60), at(15)), None);
        assert!(too_late(&reminder(60), at(16)).is_some());
        assert_eq!(too_late(&reminder(1440), at(14)), None);
        assert_eq!(too_late(&reminder(10), at(5)), None);
        assert!(too_late(&reminder(10), at(6)).is_some());
        let mut change = reminder(60);
        change.event = Event::Created;
        assert_eq!(too_late(&change, at(600)), None);
    }
}
