//! Jicoo API v1 (docs/providers.md, Jicoo). The key goes in `X-Jicoo-Api-Key`; slots come from
//! `available_schedules` in windows of at most 7 days; a booking's form answers go to
//! `answers[{questionUid, content}]`, keyed by the question uid, which is our field name.

use std::collections::{BTreeMap, BTreeSet};

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
    after, answer_text, booking_end, cancelled, is_name, options_for, path_id, slots_within,
    zone_shown, Learnt, Sent, RESERVED,
};
use super::upstream::{Upstream, UpstreamError};
use super::{Provider, Setup};
use crate::config::humanize;
use crate::error::AppError;

/// The longest window `available_schedules` serves (production client code: "7日制限").
const MAX_WINDOW_DAYS: i64 = 7;
/// Windows fetched at the same time.
const WINDOWS_AT_ONCE: usize = 3;
/// How far Jicoo's clock may be behind ours when a timed-out create is looked up.
const CLOCK_SKEW_SECS: i64 = 60;
/// Create Booking's limits, tighter than the widget's own.
const MAX_NAME: usize = 64;
const MAX_MESSAGE: usize = 2000;
const MAX_COMPANY: usize = 32;
const MAX_PHONE: usize = 32;

pub struct Jicoo {
    upstream: Upstream,
    event_type_id: String,
    time_zone: Option<Tz>,
    /// `book` needs to know which fields are questions.
    known: Learnt<Known>,
}

#[derive(Clone)]
struct Known {
    questions: BTreeSet<String>,
    title: String,
    location: Option<String>,
}

impl Jicoo {
    pub fn new(setup: Setup<'_>, event_type_id: &str) -> Result<Self, String> {
        Ok(Self {
            upstream: setup.upstream("jicoo", "x-jicoo-api-key", "")?,
            event_type_id: event_type_id.to_owned(),
            time_zone: setup.remote.time_zone,
            known: Learnt::default(),
        })
    }
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventType {
    name: String,
    #[serde(default)]
    description: Option<String>,
    duration: u32,
    #[serde(default)]
    location_id: Option<String>,
    #[serde(default)]
    questions: Option<Vec<Question>>,
}

/// Jicoo's question schema is unknown (docs/providers.md, Jicoo: Event type). Assumed:
/// `{uid, title | label | question, type, required, options?}`, options as strings or
/// `{label | value | title}`; every part optional so an unexpected shape degrades to a
/// text field rather than a broken profile.
#[derive(Deserialize)]
struct Question {
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    question: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    required: Option<bool>,
    #[serde(default)]
    options: Option<Vec<Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Free {
    started_at: DateTime<Utc>,
    #[serde(default)]
    remaining_capacity: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BookingOut {
    uid: String,
    #[serde(default)]
    status: Option<String>,
    started_at: DateTime<Utc>,
    #[serde(default)]
    ended_at: Option<DateTime<Utc>>,
    #[serde(default)]
    event_type_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    location_id: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    custom_location: Option<String>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    /// Not in the documented Booking object; used for the lookup when Jicoo sends it.
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    contact: Option<Value>,
}

/// Jicoo's own instant format: UTC with milliseconds, as in its docs and clients.
fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn text(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A location id as a visitor reads it; `custom` and `askInvitee` say nothing by themselves.
fn location_name(id: &str) -> Option<String> {
    let name = match id {
        "googleMeet" => "Google Meet",
        "zoom" => "Zoom",
        "teams" => "Microsoft Teams",
        "phone" => "Phone",
        "inPerson" => "In person",
        _ => return None,
    };
    Some(name.into())
}

/// A question as a form field; `None` when its uid cannot be a field name or names one of
/// the booker's own answers. Unknown types become free text (or a choice, with options):
/// a required question dropped here would make every booking fail upstream.
fn field(q: &Question) -> Option<Field> {
    let name = q.uid.as_deref().unwrap_or_default().trim();
    if !is_name(name) || RESERVED.contains(&name) {
        tracing::warn!(question = name, "a Jicoo question is left out of the form");
        return None;
    }
    let options: Vec<String> = q
        .options
        .iter()
        .flatten()
        .filter_map(|o| {
            o.as_str()
                .or_else(|| o["label"].as_str())
                .or_else(|| o["value"].as_str())
                .or_else(|| o["title"].as_str())
                .map(str::to_owned)
        })
        .collect();
    let kind = q.kind.as_deref().unwrap_or_default().to_ascii_lowercase();
    let kind = match (kind.as_str(), options.is_empty()) {
        ("textarea" | "longtext" | "long_text" | "paragraph" | "multiline", _) => {
            FieldKind::Textarea
        }
        ("email", _) => FieldKind::Email,
        ("phone" | "tel" | "phonenumber" | "phone_number", _) => FieldKind::Phone,
        ("number" | "integer", _) => FieldKind::Number,
        ("url" | "link", _) => FieldKind::Url,
        ("multiselect" | "multiple" | "multiple_select", false) => FieldKind::Multiselect,
        ("checkbox" | "checkboxes", _) => FieldKind::Checkbox,
        ("boolean", true) => FieldKind::Boolean,
        (_, false) => FieldKind::Select,
        _ => FieldKind::Text,
    };
    let label = [&q.title, &q.label, &q.question]
        .into_iter()
        .find_map(|l| text(l.clone()))
        .unwrap_or_else(|| humanize(name));
    Some(Field {
        name: name.to_owned(),
        label,
        kind,
        required: q.required.unwrap_or(false),
        default: None,
        options: options_for(kind, options),
    })
}

/// An answer as Jicoo's `content`: a string, or strings for a multiple choice (inferred
/// from its webhook payloads, `string | string[]`).
fn content(value: &FieldValue) -> Value {
    match value {
        FieldValue::List(items) => json!(items),
        other => json!(answer_text(other)),
    }
}

fn is_empty(value: &FieldValue) -> bool {
    match value {
        FieldValue::Text(t) => t.trim().is_empty(),
        FieldValue::List(items) => items.is_empty(),
        _ => false,
    }
}

/// Jicoo's answers to a create that mean "that time cannot be booked". Its Create
/// Booking page lists 409; its error table has no 409 but 422 (semantic error) and 402
/// (valid parameters, request failed), and Reschedule uses 422 for a taken time. The
/// form was validated before the call, so for a create all three point at the time.
/// Other statuses (400 a bad parameter, 404, 5xx) are upstream errors.
fn taken(error: &UpstreamError) -> bool {
    matches!(
        error,
        UpstreamError::Status(
            StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::PAYMENT_REQUIRED,
            _
        )
    )
}

/// The Create Booking body. Fields that are Jicoo questions become `answers`; fields the
/// profile config adds go to `company`/`phoneNumber` when so named, else into `message`
/// after the booker's notes. Over Jicoo's limits is our 422, not its 400.
fn create_body(
    event_type_id: &str,
    request: &BookingRequest,
    known: &Known,
) -> Result<Value, AppError> {
    let mut answers = Vec::new();
    let mut top: BTreeMap<&str, (&str, String, usize)> = BTreeMap::new();
    let mut lines = vec![request.notes.trim().to_owned()];
    for (name, value) in request.fields.iter().filter(|(_, v)| !is_empty(v)) {
        if known.questions.contains(name) {
            answers.push(json!({ "questionUid": name, "content": content(value) }));
            continue;
        }
        let value = answer_text(value);
        let key = match name.as_str() {
            "company" => Some(("company", MAX_COMPANY)),
            "phone" | "phoneNumber" | "phone_number" => Some(("phoneNumber", MAX_PHONE)),
            _ => None,
        };
        match key {
            Some((key, max)) => {
                top.insert(key, (name, value, max));
            }
            None => lines.push(format!("{}: {value}", humanize(name))),
        }
    }
    let message = lines
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let mut errors = BTreeMap::new();
    let too_long = |max: usize| format!("Use at most {max} characters.");
    if request.name.trim().chars().count() > MAX_NAME {
        errors.insert("name".to_owned(), too_long(MAX_NAME));
    }
    if message.chars().count() > MAX_MESSAGE {
        errors.insert("notes".to_owned(), too_long(MAX_MESSAGE));
    }
    for (field, value, max) in top.values() {
        if value.chars().count() > *max {
            errors.insert((*field).to_owned(), too_long(*max));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidBooking(errors));
    }
    // `locationId` is marked required but nullable: null keeps the event type's own.
    let mut body = json!({
        "eventTypeId": event_type_id,
        "startedAt": iso(request.start),
        "timeZone": request.time_zone,
        "email": request.email.trim(),
        "name": request.name.trim(),
        "locationId": null,
        "answers": answers,
    });
    for (key, (_, value, _)) in top {
        body[key] = json!(value);
    }
    if !message.is_empty() {
        body["message"] = json!(message);
    }
    if !request.guests.is_empty() {
        body["ccEmails"] = json!(request.guests);
    }
    Ok(body)
}

impl Jicoo {
    /// The event type, remembered for `book`.
    async fn event_type(&self) -> Result<EventType, AppError> {
        let path = format!("/v1/event_types/{}", self.event_type_id);
        let Data { data: event }: Data<EventType> =
            self.upstream.get("event type", &path, &[], &[]).await?;
        let known = Known {
            questions: event
                .questions
                .iter()
                .flatten()
                .filter_map(|q| q.uid.as_deref().map(str::trim))
                .filter(|uid| is_name(uid) && !RESERVED.contains(uid))
                .map(str::to_owned)
                .collect(),
            title: event.name.clone(),
            location: event.location_id.as_deref().and_then(location_name),
        };
        self.known.learn(known);
        Ok(event)
    }

    /// After a create timed out: the booking, if Jicoo made it. Jicoo keeps no id of ours,
    /// so it is the one booking of this event type at that start, not cancelled, made
    /// after we sent ours (allowing for clock skew) and carrying the booker's email
    /// (`contact`, as in Jicoo's webhooks: inferred). Anything less certain is no match (504):
    /// claiming another visitor's booking would be worse than a retry.
    async fn look_up(
        &self,
        request: &BookingRequest,
        sent_at: DateTime<Utc>,
    ) -> Option<BookingOut> {
        let end = booking_end(request).ok()?;
        let query = [
            ("startedAt", iso(request.start)),
            ("endedAt", iso(end)),
            ("perPage", "100".to_owned()),
        ];
        let found: Data<Vec<Value>> = self
            .upstream
            .get("look up booking", "/v1/bookings", &query, &[])
            .await
            .ok()?;
        let email = request.email.trim().to_lowercase();
        let earliest = sent_at - TimeDelta::seconds(CLOCK_SKEW_SECS);
        let mut ours = found
            .data
            .into_iter()
            .filter_map(|item| serde_json::from_value::<BookingOut>(item).ok())
            .filter(|b| {
                let guest = b
                    .email
                    .clone()
                    .or_else(|| b.contact.as_ref()?["email"].as_str().map(str::to_owned));
                b.event_type_id.as_deref() == Some(self.event_type_id.as_str())
                    && b.started_at == request.start
                    && b.status.as_deref() != Some("cancel")
                    && b.created_at.is_some_and(|at| at >= earliest)
                    && guest.is_some_and(|g| g.trim().to_lowercase() == email)
            });
        let first = ours.next()?;
        ours.next().is_none().then_some(first)
    }

    fn booking(
        out: BookingOut,
        request: &BookingRequest,
        known: Known,
    ) -> Result<Booking, AppError> {
        let end = out
            .ended_at
            .or_else(|| after(out.started_at, request.duration))
            .ok_or(AppError::Upstream)?;
        let location = text(out.url)
            .or_else(|| text(out.address))
            .or_else(|| text(out.custom_location))
            .or_else(|| out.location_id.as_deref().and_then(location_name))
            .or(known.location);
        Ok(Booking {
            id: out.uid,
            // `request` = waiting for the host's approval.
            status: if out.status.as_deref() == Some("request") {
                BookingStatus::Pending
            } else {
                BookingStatus::Confirmed
            },
            start: out.started_at,
            end,
            time_zone: request.time_zone.clone(),
            title: text(out.name).unwrap_or(known.title),
            location,
        })
    }
}

/// A created booking, as Jicoo's Create Booking page shows it (the booking object itself)
/// or wrapped in `{"data": …}` as Get Booking is.
fn created_booking(body: Value) -> Option<BookingOut> {
    let booking = match body {
        Value::Object(mut o) if o.get("data").is_some_and(Value::is_object) => o.remove("data")?,
        other => other,
    };
    serde_json::from_value(booking).ok()
}

#[async_trait]
impl Provider for Jicoo {
    async fn profile(&self) -> Result<Profile, AppError> {
        let event = self.event_type().await?;
        let fields = event.questions.iter().flatten().filter_map(field).collect();
        Ok(Profile {
            id: String::new(),
            title: event.name,
            description: event.description.unwrap_or_default(),
            time_zone: zone_shown(self.time_zone),
            durations: vec![event.duration],
            location: event.location_id.as_deref().and_then(location_name),
            // Unknown: no event type flag is documented; a booking that needs approval still
            // comes back `pending` (status `request`).
            requires_confirmation: false,
            fields,
            hold_minutes: 0,
        })
    }

    /// Jicoo's windows are at most 7 days, so the range is asked in consecutive chunks,
    /// a few at a time (a 62-day request is 9 or 10 calls, cached together).
    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        let path = format!("/v1/event_types/{}/available_schedules", self.event_type_id);
        // Jicoo answers at most 7 days per call: ask for a few windows at a time (its rate
        // limits are unknown).
        let mut windows = Vec::new();
        let mut start = from;
        while start < to {
            let end = (start + TimeDelta::days(MAX_WINDOW_DAYS)).min(to);
            windows.push([("periodStart", iso(start)), ("periodEnd", iso(end))]);
            start = end;
        }
        let mut pages: Vec<Data<Vec<Free>>> = Vec::new();
        for batch in windows.chunks(WINDOWS_AT_ONCE) {
            let calls = batch.iter().map(|query| {
                self.upstream
                    .get::<Data<Vec<Free>>>("slots", &path, query, &[])
            });
            pages.extend(futures_util::future::try_join_all(calls).await?);
        }
        let starts = pages
            .into_iter()
            .flat_map(|Data { data }| data)
            .filter(|free| free.remaining_capacity.is_none_or(|n| n > 0))
            .map(|free| free.started_at);
        slots_within(from, to, duration, starts)
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        let known = self.known.get(|| self.event_type()).await?;
        let body = create_body(&self.event_type_id, request, &known)?;
        let sent_at = Utc::now();
        let result: Result<Value, _> = self
            .upstream
            .send("book", Method::POST, "/v1/bookings", &[], &body)
            .await;
        let answer = result.and_then(|body| created_booking(body).ok_or(UpstreamError::BadBody));
        let sent = match answer {
            // A 2xx whose body is not a booking, or could not be read at all: the booking
            // may well exist.
            Err(UpstreamError::BadBody) => Sent::Lost(AppError::Upstream),
            other => Sent::read(other, taken)?,
        };
        let made = sent.or_look_up(|| self.look_up(request, sent_at)).await?;
        Self::booking(made, request, known)
    }

    async fn cancel(&self, id: &str, reason: Option<&str>) -> Result<(), AppError> {
        let path = format!("/v1/bookings/{}/cancel", path_id(id, is_name)?);
        // `reason`, as the only client seen sends it (docs/providers.md, Jicoo: Cancel).
        let reason = reason.unwrap_or("Cancelled through booking-proxy");
        let body = json!({ "reason": reason });
        let result: Result<Value, _> = self
            .upstream
            .send("cancel", Method::POST, &path, &[], &body)
            .await;
        match result {
            // An empty 204 (docs/providers.md, Jicoo: Cancel) or an unreadable body: ask Jicoo.
            Err(UpstreamError::BadBody) => {
                let path = format!("/v1/bookings/{id}");
                let Data { data }: Data<Value> =
                    self.upstream.get("cancel check", &path, &[], &[]).await?;
                if data["status"] == "cancel" {
                    Ok(())
                } else {
                    Err(AppError::Upstream)
                }
            }
            other => cancelled(other),
        }
    }

    fn reschedules(&self) -> bool {
        true
    }

    /// The same uid at the new time (docs/providers.md, Jicoo: Reschedule); a time that is
    /// not free is refused as a create's is.
    async fn reschedule(&self, id: &str, request: &BookingRequest) -> Result<Booking, AppError> {
        let known = self.known.get(|| self.event_type()).await?;
        let path = format!("/v1/bookings/{}/reschedule", path_id(id, is_name)?);
        let body = json!({ "timeZone": request.time_zone, "startedAt": iso(request.start) });
        let result: Result<Value, _> = self
            .upstream
            .send("reschedule", Method::POST, &path, &[], &body)
            .await;
        let answer = result.and_then(|body| created_booking(body).ok_or(UpstreamError::BadBody));
        match answer {
            Ok(moved) => Self::booking(moved, request, known),
            Err(error) if taken(&error) => Err(AppError::SlotUnavailable),
            Err(error) => Err(error.into()),
        }
    }
}
