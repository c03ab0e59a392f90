//! What the adapters share: names and ids, answers as the providers take them, slots and
//! booking ends, and a create that is sent once and looked up when its answer is lost.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use booking_wire::{template, BookingRequest, FieldKind, FieldValue, Slot};
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

use super::upstream::UpstreamError;
use crate::error::AppError;

/// Names the booker's own answers use; a field may not take one.
pub const RESERVED: &[&str] = &["name", "email", "notes", "guests"];

/// Letters, digits, `-` and `_`, at least one: a profile id, a field name, or an id that
/// becomes a path segment as it is.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Letters and digits only, 1 to 64 of them (Vyte's ids are 24 hex digits).
pub fn is_plain_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `id` when it may go into a path as it is (`valid` says); any other id names no booking
/// there, and could leave the path.
pub fn path_id(id: &str, valid: fn(&str) -> bool) -> Result<&str, AppError> {
    if valid(id) {
        Ok(id)
    } else {
        Err(AppError::NotFound)
    }
}

/// Only choices take options; a provider's options on any other kind are left out.
pub fn takes_options(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Select | FieldKind::Multiselect | FieldKind::Checkbox
    )
}

/// The options a field of `kind` keeps.
pub fn options_for(kind: FieldKind, options: Vec<String>) -> Vec<String> {
    if takes_options(kind) {
        options
    } else {
        vec![]
    }
}

/// The value behind `mutex`, even if a thread panicked holding it: what adapters keep
/// there is replaced whole, never left half-written.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What an adapter learns from its profile read and needs again later, such as whether
/// Cal.com's event type has several lengths. The latest read's value is kept; before the
/// first read, [`Learnt::get`] reads the profile.
pub struct Learnt<T>(Mutex<Option<T>>);

impl<T> Default for Learnt<T> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

impl<T: Clone> Learnt<T> {
    /// Keeps what the profile read just now says, in place of any earlier read's.
    pub fn learn(&self, value: T) {
        *lock(&self.0) = Some(value);
    }

    /// The value last learnt; with none yet, `read` (a profile read, which learns it) runs
    /// first, and its failure is the answer.
    pub async fn get<R, Fut>(&self, read: impl FnOnce() -> Fut) -> Result<T, AppError>
    where
        Fut: std::future::Future<Output = Result<R, AppError>>,
    {
        if let Some(value) = self.last() {
            return Ok(value);
        }
        read().await?;
        self.last()
            .ok_or_else(|| AppError::internal("the profile read learnt nothing"))
    }

    fn last(&self) -> Option<T> {
        lock(&self.0).clone()
    }
}

/// The host's zone as the profile shows it: the provider's, else the configured one
/// (`time_zone` of a remote profile), else UTC.
pub fn zone_shown(zone: Option<Tz>) -> String {
    zone.unwrap_or(Tz::UTC).name().to_owned()
}

/// `minutes` after `start`; `None` past the last instant chrono can hold.
pub fn after(start: DateTime<Utc>, minutes: u32) -> Option<DateTime<Utc>> {
    start.checked_add_signed(TimeDelta::minutes(i64::from(minutes)))
}

/// When the booking asked for ends. Starts are checked (years 1 to 9999) before a
/// provider is called; one past that is the booker's mistake, never a panic.
pub fn booking_end(request: &BookingRequest) -> Result<DateTime<Utc>, AppError> {
    after(request.start, request.duration).ok_or_else(|| {
        let message = "Choose one of the times offered.".to_owned();
        AppError::InvalidBooking(BTreeMap::from([("start".to_owned(), message)]))
    })
}

/// Slots of `minutes` at those of `starts` in `[from, to)`, sorted, each once.
pub fn slots_within(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    minutes: u32,
    starts: impl IntoIterator<Item = DateTime<Utc>>,
) -> Result<Vec<Slot>, AppError> {
    let mut slots = starts
        .into_iter()
        .filter(|start| *start >= from && *start < to)
        .map(|start| {
            let end = after(start, minutes).ok_or(AppError::Upstream)?;
            Ok(Slot { start, end })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    slots.sort();
    slots.dedup();
    Ok(slots)
}

/// `{{name}}` placeholders filled from the booking's text answers; others left as they are.
pub fn fill_placeholders(text: &str, request: &BookingRequest) -> String {
    template::replace(text, |name| match request.fields.get(name) {
        Some(FieldValue::Text(answer)) => Some(answer.clone()),
        _ => None,
    })
}

/// An answer as JSON of its own type (Cal.com).
pub fn answer_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Bool(b) => json!(b),
        FieldValue::Number(n) => json!(n),
        FieldValue::Text(t) => json!(t),
        FieldValue::List(items) => json!(items),
    }
}

/// An answer as one line of text (Aurinko's substitutions, Jicoo's and Vyte's messages).
pub fn answer_text(value: &FieldValue) -> String {
    match value {
        FieldValue::Bool(true) => "yes".into(),
        FieldValue::Bool(false) => "no".into(),
        FieldValue::Number(n) => n.to_string(),
        FieldValue::Text(t) => t.clone(),
        FieldValue::List(items) => items.join(", "),
    }
}

/// Instants as every provider here accepts them: RFC 3339 in UTC, `Z`.
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A correlation id sent with a create, so a timed-out create can be looked up.
pub fn request_id() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    format!(
        "req_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
    )
}

/// What became of a create, which is sent once and never again.
pub enum Sent<T> {
    /// Its answer, read.
    Made(T),
    /// No answer that can be read: the booking may exist all the same. The error is the
    /// answer if no look-up finds it.
    Lost(AppError),
}

impl<T> Sent<T> {
    /// A create's answer as most providers give it: made; a refusal `taken` reads as the
    /// time being taken (our 409); lost when it timed out; else the upstream's error.
    pub fn read(
        answer: Result<T, UpstreamError>,
        taken: fn(&UpstreamError) -> bool,
    ) -> Result<Self, AppError> {
        match answer {
            Ok(made) => Ok(Self::Made(made)),
            Err(error) if taken(&error) => Err(AppError::SlotUnavailable),
            Err(UpstreamError::Timeout) => Ok(Self::Lost(AppError::UpstreamTimeout)),
            Err(error) => Err(error.into()),
        }
    }

    /// What was made, or, when the answer was lost, what `look` finds of it within
    /// [`LOOK_UP_WITHIN`]. Answering an error for a booking that was made would send the
    /// visitor's retry into a 409 for their own time.
    pub async fn or_look_up<F, Fut>(self, look: F) -> Result<T, AppError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        match self {
            Self::Made(made) => Ok(made),
            Self::Lost(error) => look_up_a_while(look).await.ok_or(error),
        }
    }
}

/// A cancel's answer: done (whatever a 2xx says), no such booking (a 404, our
/// `NotFound`), or the upstream's error.
pub fn cancelled<T>(answer: Result<T, UpstreamError>) -> Result<(), AppError> {
    match answer {
        Ok(_) => Ok(()),
        Err(UpstreamError::Status(StatusCode::NOT_FOUND, _)) => Err(AppError::NotFound),
        Err(error) => Err(error.into()),
    }
}

/// The most a look-up after a lost create may add to a booking request.
pub const LOOK_UP_WITHIN: Duration = Duration::from_secs(6);

/// Looks a lost create up a few times, since the provider may still be making it: at
/// once, then after 0.5 s and 1 s, within [`LOOK_UP_WITHIN`] in all.
pub async fn look_up_a_while<T, F, Fut>(mut look: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let tries = async {
        for attempt in 0..3u64 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
            }
            if let Some(found) = look().await {
                return Some(found);
            }
        }
        None
    };
    tokio::time::timeout(LOOK_UP_WITHIN, tries)
        .await
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn slots_keep_their_range_in_order_once_each() {
        let (from, to) = (at("2030-01-07T09:00:00Z"), at("2030-01-07T12:00:00Z"));
        let starts = ["11:00", "09:00", "12:00", "08:30", "09:00"]
            .map(|t| at(&format!("2030-01-07T{t}:00Z")));
        let slots = slots_within(from, to, 30, starts).unwrap();
        let got: Vec<_> = slots.iter().map(|s| (s.start, s.end)).collect();
        assert_eq!(
            got,
            [
                (at("2030-01-07T09:00:00Z"), at("2030-01-07T09:30:00Z")),
                (at("2030-01-07T11:00:00Z"), at("2030-01-07T11:30:00Z")),
            ]
        );
    }

    #[test]
    fn an_end_past_chronos_range_is_an_error_not_a_panic() {
        let last = DateTime::<Utc>::MAX_UTC;
        assert_eq!(after(last, 1), None);
        let slots = slots_within(last, last, 30, [last]).unwrap();
        assert!(slots.is_empty(), "`to` is exclusive");
        let start = last - TimeDelta::minutes(10);
        assert!(matches!(
            slots_within(start, last, 30, [start]),
            Err(AppError::Upstream)
        ));
        let mut request: BookingRequest = serde_json::from_value(json!({
            "start": "2030-01-07T09:00:00Z", "duration": 30, "time_zone": "UTC",
            "name": "A", "email": "a@example.com"
        }))
        .unwrap();
        request.start = start;
        let Err(AppError::InvalidBooking(fields)) = booking_end(&request) else {
            panic!("an end past chrono's range is the booker's 422");
        };
        assert!(fields.contains_key("start"));
    }

    #[tokio::test]
    async fn learnt_reads_the_profile_only_while_nothing_is_known() {
        let learnt = Learnt::default();
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let read = || async {
            reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            learnt.learn(7);
            Ok::<_, AppError>(())
        };
        assert_eq!(learnt.get(read).await.unwrap(), 7);
        assert_eq!(learnt.get(read).await.unwrap(), 7);
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1);
        learnt.learn(8);
        assert_eq!(learnt.get(read).await.unwrap(), 8);
        let failing = || async { Err::<(), _>(AppError::Upstream) };
        assert!(matches!(
            Learnt::<u8>::default().get(failing).await,
            Err(AppError::Upstream)
        ));
    }

    #[test]
    fn names_and_ids_are_what_a_path_segment_can_hold_as_it_is() {
        assert!(is_name("o072r8CvwVF4") && is_name("team_size-2"));
        assert!(!is_name("") && !is_name("a/b") && !is_name("a b") && !is_name("é"));
        assert!(is_plain_id("5f3feb7821046c3bb9327e6a"));
        assert!(!is_plain_id("5f3f-eb78") && !is_plain_id(&"a".repeat(65)));
    }
}
