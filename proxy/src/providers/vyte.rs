//! Vyte API v2 (docs/providers.md, Vyte). Slots by users or emails; a booking is an event with
//! `vyteme: true`. Vyte does not check a new event against the calendar, so the slot is
//! asked for again right before the create; a create may still come back as taken
//! (unknown), which is also our 409.

use async_trait::async_trait;
use axum::http::{Method, StatusCode};
use booking_wire::{
    Booking, BookingRequest, BookingStatus, Field, FieldKind, FieldValue, Profile, Slot,
};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{
    after, answer_text, booking_end, cancelled, is_plain_id, path_id, request_id, slots_within,
    zone_shown, Sent,
};
use super::upstream::{Upstream, UpstreamError};
use super::{Provider, Setup};
use crate::config::{humanize, RemoteKind};
use crate::error::AppError;

/// Fragments of an error message that mean "that time cannot be booked". Vyte documents
/// no such answer (unknown): a 409 always counts, a 400/422 only with one of these.
const UNAVAILABLE: &[&str] = &[
    "not available",
    "no longer available",
    "unavailable",
    "already booked",
    "conflict",
];

/// Who the slots are for; the first is the event's creator (the host).
enum Hosts {
    Users(Vec<String>),
    Emails(Vec<String>),
}

pub struct Vyte {
    upstream: Upstream,
    hosts: Hosts,
    duration: u32,
    title: String,
    requires_confirmation: bool,
    location: Option<String>,
    time_zone: Option<Tz>,
    /// Field name → label, in form order: our phone and company, then the config's.
    labels: Vec<(String, String)>,
}

impl Vyte {
    pub fn new(setup: Setup<'_>) -> Result<Self, String> {
        let RemoteKind::Vyte {
            users,
            emails,
            duration,
            title,
            requires_confirmation,
            location,
        } = &setup.remote.kind
        else {
            return Err("not a Vyte profile".into());
        };
        if users.is_empty() && emails.is_empty() {
            return Err("give users (ids) or emails".into());
        }
        let hosts = if users.is_empty() {
            Hosts::Emails(emails.clone())
        } else {
            Hosts::Users(users.clone())
        };
        // The raw key, no `Bearer` (docs/providers.md, Vyte: Auth).
        let upstream = setup.upstream("vyte", "authorization", "")?;
        let mut labels: Vec<(String, String)> = synthetic_fields()
            .into_iter()
            .map(|f| (f.name, f.label))
            .collect();
        for field in &setup.profile.fields {
            match labels.iter_mut().find(|(name, _)| *name == field.name) {
                Some(entry) => entry.1 = field.label.clone(),
                None => labels.push((field.name.clone(), field.label.clone())),
            }
        }
        Ok(Self {
            upstream,
            hosts,
            duration: *duration,
            title: title.clone(),
            requires_confirmation: *requires_confirmation,
            location: location.clone(),
            time_zone: setup.remote.time_zone,
            labels,
        })
    }
}

/// Vyte has no questions of its own, only phone and company flags (docs/providers.md,
/// Vyte: Profile): both are offered, optional. The phone goes to the invitee, every answer to the
/// first message.
fn synthetic_fields() -> Vec<Field> {
    let field = |name: &str, label: &str, kind| Field {
        name: name.into(),
        label: label.into(),
        kind,
        required: false,
        default: None,
        options: vec![],
    };
    vec![
        field("phone", "Phone", FieldKind::Phone),
        field("company", "Company", FieldKind::Text),
    ]
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
}

#[derive(Deserialize)]
struct SlotsOut {
    #[serde(default)]
    slots: Vec<SlotOut>,
}

#[derive(Deserialize)]
struct SlotOut {
    start: When,
}

#[derive(Deserialize)]
struct When {
    #[serde(rename = "dateTime")]
    date_time: String,
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    dates: Vec<EventDate>,
    #[serde(default)]
    confirmed: Option<Confirmed>,
    #[serde(default)]
    third_party: Option<ThirdParty>,
}

#[derive(Deserialize)]
struct EventDate {
    #[serde(rename = "_id", default)]
    id: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    end_date: Option<String>,
}

#[derive(Deserialize)]
struct Confirmed {
    #[serde(default)]
    flag: Option<bool>,
}

#[derive(Deserialize)]
struct ThirdParty {
    #[serde(default)]
    group_ids: Vec<String>,
}

impl Event {
    fn is_confirmed(&self) -> bool {
        self.confirmed
            .as_ref()
            .and_then(|c| c.flag)
            .unwrap_or(false)
    }
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// An instant with the zone's explicit offset, e.g. `2025-03-03T10:00:00+01:00`: Vyte
/// reads naive times in the creator's zone, so never send one.
fn with_offset(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A 409, or a 400/422 whose message says the time is taken.
fn unavailable(error: &UpstreamError) -> bool {
    let UpstreamError::Status(status, body) = error else {
        return false;
    };
    let message = body["message"]
        .as_str()
        .or_else(|| body["error"].as_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match *status {
        StatusCode::CONFLICT => true,
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            UNAVAILABLE.iter().any(|m| message.contains(m))
        }
        _ => false,
    }
}

/// `GET /v2/events` answers an array; an object wrapping one is accepted too.
fn event_list(value: Value) -> Vec<Event> {
    let list = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("events").or_else(|| map.remove("data")) {
            Some(Value::Array(items)) => items,
            _ => vec![],
        },
        _ => vec![],
    };
    list.into_iter()
        .filter_map(|e| serde_json::from_value(e).ok())
        .collect()
}

impl Vyte {
    fn host_query(&self) -> (&'static str, String) {
        match &self.hosts {
            Hosts::Users(ids) => ("users", ids.join(",")),
            Hosts::Emails(emails) => ("emails", emails.join(",")),
        }
    }

    /// The host's zone as Vyte has it: the first user's, or the first email's if it is
    /// one of the organization's users.
    async fn host_zone(&self) -> Result<Option<Tz>, UpstreamError> {
        let zone = match &self.hosts {
            Hosts::Users(ids) => {
                let path = format!("/v2/users/{}", ids[0]);
                let user: User = self.upstream.get("host user", &path, &[], &[]).await?;
                user.timezone
            }
            Hosts::Emails(emails) => {
                let users: Vec<User> = self.upstream.get("users", "/v2/users", &[], &[]).await?;
                users
                    .into_iter()
                    .find(|u| u.emails.iter().any(|e| e.eq_ignore_ascii_case(&emails[0])))
                    .and_then(|u| u.timezone)
            }
        };
        Ok(zone.and_then(|z| z.parse().ok()))
    }

    /// Free slot starts from `/v2/slots`, asked for the UTC days covering `[from, to)`.
    async fn free(
        &self,
        op: &'static str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<DateTime<Utc>>, AppError> {
        let last = (to - TimeDelta::seconds(1)).max(from);
        let query = [
            ("duration", duration.to_string()),
            self.host_query(),
            ("from", from.date_naive().to_string()),
            ("to", last.date_naive().to_string()),
            ("timezone", "UTC".to_owned()),
        ];
        let out: SlotsOut = self.upstream.get(op, "/v2/slots", &query, &[]).await?;
        out.slots
            .iter()
            .map(|slot| instant(&slot.start.date_time).ok_or(AppError::Upstream))
            .collect()
    }

    /// Every answer as `Label: value`, in form order, then the notes.
    fn message(&self, request: &BookingRequest) -> String {
        let mut lines = Vec::new();
        let mut answer = |label: &str, value: &FieldValue| {
            let text = answer_text(value);
            if !text.trim().is_empty() {
                lines.push(format!("{label}: {}", text.trim()));
            }
        };
        for (name, label) in &self.labels {
            if let Some(value) = request.fields.get(name) {
                answer(label, value);
            }
        }
        for (name, value) in &request.fields {
            if !self.labels.iter().any(|(n, _)| n == name) {
                answer(&humanize(name), value);
            }
        }
        let notes = request.notes.trim();
        if !notes.is_empty() {
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.push(notes.to_owned());
        }
        lines.join("\n")
    }

    fn event_body(&self, request: &BookingRequest, end: DateTime<Utc>, id: &str) -> Value {
        let zone: Tz = request.time_zone.parse().unwrap_or(Tz::UTC);
        let created_by = match &self.hosts {
            Hosts::Users(ids) => json!({ "user": ids[0] }),
            Hosts::Emails(emails) => json!({ "email": emails[0] }),
        };
        let mut booker = json!({ "full_name": request.name.trim(), "email": request.email.trim() });
        if let Some(FieldValue::Text(phone)) = request.fields.get("phone") {
            if !phone.trim().is_empty() {
                booker["phone"] = json!(phone.trim());
            }
        }
        let mut invitees = vec![booker];
        invitees.extend(request.guests.iter().map(|g| json!({ "email": g.trim() })));
        // Further hosts given by email are invited; user ids carry no email to invite.
        if let Hosts::Emails(emails) = &self.hosts {
            invitees.extend(emails.iter().skip(1).map(|e| json!({ "email": e })));
        }
        let mut body = json!({
            "title": format!("{} — {}", self.title, request.name.trim()),
            "created_by": created_by,
            "dates": [ { "all_day": false, "date": with_offset(request.start, zone),
                         "end_date": with_offset(end, zone) } ],
            "invitees": invitees,
            "timezone": zone.name(),
            "vyteme": true,
            "third_party": { "group_ids": [id] },
        });
        if let Some(location) = &self.location {
            body["places"] = json!([{ "name": location }]);
        }
        let message = self.message(request);
        if !message.is_empty() {
            body["messages"] = json!([{ "body": message }]);
        }
        if !self.requires_confirmation {
            body["confirmed"] = json!({ "flag": true });
        }
        body
    }

    /// After a create timed out: the event, if Vyte made it (matched on our group id).
    async fn look_up(&self, id: &str) -> Option<Event> {
        let query = [("group_ids", id.to_owned())];
        let found: Value = self
            .upstream
            .get("look up event", "/v2/events", &query, &[])
            .await
            .ok()?;
        event_list(found).into_iter().find(|e| {
            e.third_party
                .as_ref()
                .is_some_and(|t| t.group_ids.iter().any(|g| g == id))
        })
    }

    /// Confirms an event Vyte left unconfirmed although we asked; on failure the event
    /// stays as it is (pending), since it exists and must not be made twice.
    async fn confirm(&self, event: Event) -> Event {
        if self.requires_confirmation || event.is_confirmed() || !is_plain_id(&event.id) {
            return event;
        }
        let mut path = format!("/v2/events/{}/confirm", event.id);
        if let Some(date) = event.dates.first().and_then(|d| d.id.as_deref()) {
            if is_plain_id(date) {
                path.push_str(&format!("?d={date}"));
            }
        }
        let result: Result<Event, _> = self
            .upstream
            .send("confirm", Method::POST, &path, &[], &json!({}))
            .await;
        match result {
            Ok(confirmed) => confirmed,
            Err(_) => event,
        }
    }

    fn booking(&self, event: Event, request: &BookingRequest) -> Result<Booking, AppError> {
        let first = event.dates.first();
        let at = |t: Option<&String>| t.and_then(|t| instant(t));
        let start = at(first.and_then(|d| d.date.as_ref())).unwrap_or(request.start);
        let end = at(first.and_then(|d| d.end_date.as_ref()))
            .or_else(|| after(start, request.duration))
            .ok_or(AppError::Upstream)?;
        let confirmed = !self.requires_confirmation && event.is_confirmed();
        Ok(Booking {
            id: event.id,
            status: if confirmed {
                BookingStatus::Confirmed
            } else {
                BookingStatus::Pending
            },
            start,
            end,
            time_zone: request.time_zone.clone(),
            title: event.title.unwrap_or_else(|| self.title.clone()),
            location: self.location.clone(),
        })
    }
}

#[async_trait]
impl Provider for Vyte {
    /// Synthetic but for the zone: the configured one wins only when Vyte does not say
    /// (the host user's `timezone`; `Remote::time_zone`). The user lookup also proves
    /// the key and host before anyone books.
    async fn profile(&self) -> Result<Profile, AppError> {
        let vyte_zone = match self.host_zone().await {
            // A host Vyte does not show here (404 and the like) still has the configured
            // zone; a rejected key, a timeout or a broken answer is a real failure.
            Err(UpstreamError::Status(status, _))
                if status.is_client_error() && self.time_zone.is_some() =>
            {
                None
            }
            other => other?,
        };
        Ok(Profile {
            id: String::new(),
            title: self.title.clone(),
            description: String::new(),
            time_zone: zone_shown(vyte_zone.or(self.time_zone)),
            durations: vec![self.duration],
            location: self.location.clone(),
            requires_confirmation: self.requires_confirmation,
            fields: synthetic_fields(),
            hold_minutes: 0,
        })
    }

    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        let starts = self.free("slots", from, to, duration).await?;
        slots_within(from, to, duration, starts)
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        // Vyte books any time it is given: ask for the slot once more, just before.
        let end = booking_end(request)?;
        let free = self
            .free("re-check slot", request.start, end, request.duration)
            .await?;
        if !free.contains(&request.start) {
            return Err(AppError::SlotUnavailable);
        }
        let id = request_id();
        let body = self.event_body(request, end, &id);
        let result: Result<Event, _> = self
            .upstream
            .send("book", Method::POST, "/v2/events", &[], &body)
            .await;
        let event = Sent::read(result, unavailable)?
            .or_look_up(|| self.look_up(&id))
            .await?;
        let event = self.confirm(event).await;
        self.booking(event, request)
    }

    async fn cancel(&self, id: &str, _reason: Option<&str>) -> Result<(), AppError> {
        let path = format!("/v2/events/{}/cancel", path_id(id, is_plain_id)?);
        let answer: Result<Value, _> = self
            .upstream
            .send("cancel", Method::POST, &path, &[], &json!({}))
            .await;
        match answer {
            // Vyte answers the text `OK`, which is not JSON: a 2xx that is not JSON is
            // the only way `send` can report it.
            Err(UpstreamError::BadBody) => Ok(()),
            other => cancelled(other),
        }
    }

    fn reschedules(&self) -> bool {
        true
    }

    /// New `dates` by `PUT`, which leaves the event unconfirmed, then a confirm of the new
    /// date (docs/providers.md, Vyte: Reschedule). Vyte books any time, so the new one is
    /// asked for first, as for a create.
    async fn reschedule(&self, id: &str, request: &BookingRequest) -> Result<Booking, AppError> {
        let path = format!("/v2/events/{}", path_id(id, is_plain_id)?);
        let end = booking_end(request)?;
        let free = self
            .free("re-check slot", request.start, end, request.duration)
            .await?;
        if !free.contains(&request.start) {
            return Err(AppError::SlotUnavailable);
        }
        let zone: Tz = request.time_zone.parse().unwrap_or(Tz::UTC);
        let body = json!({ "dates": [ { "all_day": false, "date": with_offset(request.start, zone),
                                         "end_date": with_offset(end, zone) } ] });
        let result: Result<Event, _> = self
            .upstream
            .send("reschedule", Method::PUT, &path, &[], &body)
            .await;
        let event = match result {
            Ok(event) => event,
            Err(error) if unavailable(&error) => return Err(AppError::SlotUnavailable),
            Err(error) => return Err(error.into()),
        };
        let event = self.confirm(event).await;
        self.booking(event, request)
    }
}
