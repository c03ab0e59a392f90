//! Cal.com API v2 (docs/providers.md, Cal.com). Each endpoint family has its own `cal-api-version`;
//! a taken slot is a 400 with a known message, which becomes our 409.

use std::collections::BTreeMap;

use async_trait::async_trait;
use axum::http::{Method, StatusCode};
use booking_wire::{Booking, BookingRequest, BookingStatus, Field, FieldKind, Profile, Slot};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{
    answer_json, booking_end, cancelled, is_name, options_for, path_id, request_id, slots_within,
    utc, zone_shown, Learnt, Sent,
};
use super::upstream::{Upstream, UpstreamError};
use super::{Provider, Setup};
use crate::config::humanize;
use crate::error::AppError;

const EVENT_TYPES: (&str, &str) = ("cal-api-version", "2024-06-14");
const SLOTS: (&str, &str) = ("cal-api-version", "2024-09-04");
const BOOKINGS: (&str, &str) = ("cal-api-version", "2024-08-13");
const RESERVATIONS: &str = "/v2/slots/reservations";

/// Fragments of Cal.com's 400 messages that mean "that time cannot be booked".
const UNAVAILABLE: &[&str] = &[
    "already has booking",
    "not available",
    "can't be booked at the",
    "in the past",
    "reserved this booking time slot",
];

pub struct Calcom {
    upstream: Upstream,
    event_type_id: i64,
    time_zone: Option<Tz>,
    /// Whether the event type offers several lengths: Cal.com refuses `lengthInMinutes`
    /// (and ignores `duration`) for one with a single length.
    several_lengths: Learnt<bool>,
}

impl Calcom {
    pub fn new(setup: Setup<'_>, event_type_id: i64) -> Result<Self, String> {
        Ok(Self {
            upstream: setup.upstream("calcom", "authorization", "Bearer ")?,
            event_type_id,
            time_zone: setup.remote.time_zone,
            several_lengths: Learnt::default(),
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
    title: String,
    #[serde(default)]
    description: Option<String>,
    length_in_minutes: u32,
    #[serde(default)]
    length_in_minutes_options: Option<Vec<u32>>,
    #[serde(default)]
    locations: Vec<Value>,
    #[serde(default)]
    booking_fields: Vec<BookingField>,
    #[serde(default)]
    confirmation_policy: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BookingField {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    hidden: bool,
    #[serde(default)]
    options: Vec<Value>,
}

/// `ReserveSlotOutput_2024_09_04`, the part used here.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reserved {
    reservation_uid: String,
}

#[derive(Deserialize)]
struct SlotStart {
    start: String,
}

#[derive(Deserialize)]
struct BookingOut {
    uid: String,
    status: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
}

/// A booking field as a form field; `None` for what the widget asks itself (name, email,
/// guests) and for what it cannot ask (hidden, location choice, unknown kinds).
fn field(f: &BookingField) -> Option<Field> {
    let system = ["name", "email", "guests", "location", "rescheduleReason"];
    if f.hidden || system.contains(&f.slug.as_str()) {
        return None;
    }
    let options: Vec<String> = f
        .options
        .iter()
        .filter_map(|o| {
            o.as_str()
                .or_else(|| o["value"].as_str())
                .map(str::to_owned)
        })
        .collect();
    let kind = match (f.kind.as_str(), options.is_empty()) {
        ("text" | "address", _) => FieldKind::Text,
        ("textarea", _) => FieldKind::Textarea,
        ("number", _) => FieldKind::Number,
        ("phone", _) => FieldKind::Phone,
        ("url", _) => FieldKind::Url,
        ("email", _) => FieldKind::Email,
        ("select" | "radio", false) => FieldKind::Select,
        ("multiselect", false) => FieldKind::Multiselect,
        ("checkbox", false) => FieldKind::Checkbox,
        ("checkbox" | "boolean", true) => FieldKind::Boolean,
        _ => return None,
    };
    let label = match (f.label.as_deref(), f.slug.as_str()) {
        (Some(label), _) if !label.trim().is_empty() => label.to_owned(),
        (_, "notes") => "Additional notes".into(),
        (_, "title") => "What is this meeting about?".into(),
        (_, "attendeePhoneNumber") => "Phone number".into(),
        (_, slug) => humanize(slug),
    };
    Some(Field {
        name: f.slug.clone(),
        label,
        kind,
        required: f.required,
        default: None,
        options: options_for(kind, options),
    })
}

/// The first of the event type's locations, as text a visitor understands.
fn location(locations: &[Value]) -> Option<String> {
    let first = locations.first()?;
    let text = match first["type"].as_str()? {
        "integration" => humanize(first["integration"].as_str()?),
        "address" => first["address"].as_str()?.to_owned(),
        "link" => first["link"].as_str()?.to_owned(),
        "phone" => first["phone"].as_str()?.to_owned(),
        _ => return None,
    };
    Some(text)
}

fn unavailable(error: &UpstreamError) -> bool {
    let UpstreamError::Status(StatusCode::BAD_REQUEST, body) = error else {
        return false;
    };
    let message = body["error"]["message"].as_str().unwrap_or_default();
    UNAVAILABLE.iter().any(|m| message.contains(m))
}

impl Calcom {
    /// `/v2/slots`; with `moving`, as Cal.com offers them for moving that booking (its own
    /// time counted free).
    async fn free(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
        moving: Option<&str>,
    ) -> Result<Vec<Slot>, AppError> {
        let mut query = vec![
            ("eventTypeId", self.event_type_id.to_string()),
            ("start", utc(from)),
            ("end", utc(to)),
            ("timeZone", "UTC".to_owned()),
        ];
        if self.several_lengths.get(|| self.profile()).await? {
            query.push(("duration", duration.to_string()));
        }
        if let Some(uid) = moving {
            query.push(("bookingUidToReschedule", path_id(uid, is_name)?.to_owned()));
        }
        let Data { data: days }: Data<BTreeMap<String, Vec<SlotStart>>> = self
            .upstream
            .get("slots", "/v2/slots", &query, &[SLOTS])
            .await?;
        let starts = days
            .into_values()
            .flatten()
            .map(|slot| DateTime::parse_from_rfc3339(&slot.start).map(|t| t.with_timezone(&Utc)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::Upstream)?;
        slots_within(from, to, duration, starts)
    }

    /// After a create timed out: the booking, if Cal.com made it (matched on our id).
    async fn look_up(&self, request: &BookingRequest, id: &str) -> Option<BookingOut> {
        let end = booking_end(request).ok()?;
        let query = [
            ("eventTypeId", self.event_type_id.to_string()),
            ("attendeeEmail", request.email.trim().to_owned()),
            ("afterStart", utc(request.start)),
            ("beforeEnd", utc(end)),
        ];
        let found: Data<Vec<BookingOut>> = self
            .upstream
            .get("look up booking", "/v2/bookings", &query, &[BOOKINGS])
            .await
            .ok()?;
        found.data.into_iter().find(|b| {
            b.metadata
                .as_ref()
                .is_some_and(|m| m["proxyRequestId"] == id)
        })
    }

    fn booking(&self, out: BookingOut, request: &BookingRequest) -> Booking {
        Booking {
            id: out.uid,
            status: if out.status == "pending" {
                BookingStatus::Pending
            } else {
                BookingStatus::Confirmed
            },
            start: out.start,
            end: out.end,
            time_zone: request.time_zone.clone(),
            title: out.title.unwrap_or_default(),
            location: out.location,
        }
    }
}

#[async_trait]
impl Provider for Calcom {
    async fn profile(&self) -> Result<Profile, AppError> {
        let path = format!("/v2/event-types/{}", self.event_type_id);
        let Data { data: event }: Data<EventType> = self
            .upstream
            .get("event type", &path, &[], &[EVENT_TYPES])
            .await?;
        let durations = match event.length_in_minutes_options {
            Some(options) if !options.is_empty() => options,
            _ => vec![event.length_in_minutes],
        };
        self.several_lengths.learn(durations.len() > 1);
        let fields: Vec<Field> = event.booking_fields.iter().filter_map(field).collect();
        for f in &event.booking_fields {
            let asked = fields.iter().any(|k| k.name == f.slug);
            let widget_own = matches!(f.slug.as_str(), "name" | "email" | "guests");
            if f.required && !f.hidden && !asked && !widget_own {
                // Every booking will fail until the event type changes: say which field.
                tracing::warn!(
                    event_type = self.event_type_id, field = %f.slug, kind = %f.kind,
                    "a required Cal.com booking field cannot be asked by the widget"
                );
            }
        }
        Ok(Profile {
            id: String::new(),
            title: event.title,
            description: event.description.unwrap_or_default(),
            time_zone: zone_shown(self.time_zone),
            durations,
            location: location(&event.locations),
            requires_confirmation: event
                .confirmation_policy
                .is_some_and(|p| !p.is_null() && p["disabled"] != true),
            fields,
            hold_minutes: 0,
        })
    }

    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        self.free(from, to, duration, None).await
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        self.create(request, None).await
    }

    async fn cancel(&self, id: &str, reason: Option<&str>) -> Result<(), AppError> {
        let path = format!("/v2/bookings/{}/cancel", path_id(id, is_name)?);
        let body = match reason {
            Some(reason) => json!({ "cancellationReason": reason }),
            None => json!({}),
        };
        let answer: Result<Value, _> = self
            .upstream
            .send("cancel", Method::POST, &path, &[BOOKINGS], &body)
            .await;
        cancelled(answer)
    }

    fn reschedules(&self) -> bool {
        true
    }

    async fn slots_for_move(
        &self,
        id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        self.free(from, to, duration, Some(id)).await
    }

    /// Cal.com answers a new booking with a new uid (docs/providers.md, Cal.com:
    /// Reschedule); a taken time is the same 400 as for a create. The booking keeps its
    /// length: Cal.com's reschedule takes no other.
    async fn reschedule(&self, id: &str, request: &BookingRequest) -> Result<Booking, AppError> {
        let path = format!("/v2/bookings/{}/reschedule", path_id(id, is_name)?);
        let body = json!({ "start": utc(request.start) });
        let result: Result<Data<BookingOut>, _> = self
            .upstream
            .send("reschedule", Method::POST, &path, &[BOOKINGS], &body)
            .await;
        match result {
            Ok(Data { data }) => Ok(self.booking(data, request)),
            Err(error) if unavailable(&error) => Err(AppError::SlotUnavailable),
            Err(error) => Err(error.into()),
        }
    }

    fn keeps_holds(&self) -> bool {
        true
    }

    /// `POST /v2/slots/reservations` (the slots version): hidden from everyone else's
    /// slots for `minutes` (an API key may set `reservationDuration`).
    async fn place_hold(&self, slot: &Slot, minutes: u32) -> Result<String, AppError> {
        let mut body = json!({
            "eventTypeId": self.event_type_id,
            "slotStart": utc(slot.start),
            "reservationDuration": minutes,
        });
        if self.several_lengths.get(|| self.profile()).await? {
            body["slotDuration"] = json!((slot.end - slot.start).num_minutes());
        }
        let result: Result<Data<Reserved>, _> = self
            .upstream
            .send("hold", Method::POST, RESERVATIONS, &[SLOTS], &body)
            .await;
        match result {
            Ok(Data { data }) if is_name(&data.reservation_uid) => Ok(data.reservation_uid),
            Ok(_) => Err(AppError::Upstream),
            Err(error) if unavailable(&error) => Err(AppError::SlotUnavailable),
            Err(error) => Err(error.into()),
        }
    }

    async fn release_hold(&self, reference: &str) -> Result<(), AppError> {
        let path = format!("{RESERVATIONS}/{}", path_id(reference, is_name)?);
        let answer = self
            .upstream
            .delete("release hold", &path, &[], &[SLOTS])
            .await;
        cancelled(answer)
    }

    /// The booking names the reservation (`reservedSlotUid`), which Cal.com checks is the
    /// first in line for the time and removes with the booking.
    async fn book_held(
        &self,
        request: &BookingRequest,
        reference: &str,
    ) -> Result<Booking, AppError> {
        self.create(request, Some(path_id(reference, is_name)?))
            .await
    }
}

impl Calcom {
    /// `POST /v2/bookings`, with the reservation it uses up, if any.
    async fn create(
        &self,
        request: &BookingRequest,
        reservation: Option<&str>,
    ) -> Result<Booking, AppError> {
        let mut responses: BTreeMap<&str, Value> = request
            .fields
            .iter()
            .map(|(name, value)| (name.as_str(), answer_json(value)))
            .collect();
        if !request.notes.trim().is_empty() {
            responses.insert("notes", json!(request.notes.trim()));
        }
        let id = request_id();
        let mut body = json!({
            "start": utc(request.start),
            "eventTypeId": self.event_type_id,
            "attendee": {
                "name": request.name.trim(), "email": request.email.trim(),
                "timeZone": request.time_zone,
            },
            "guests": request.guests,
            "bookingFieldsResponses": responses,
            "metadata": { "proxyRequestId": id },
        });
        if self.several_lengths.get(|| self.profile()).await? {
            body["lengthInMinutes"] = json!(request.duration);
        }
        if let Some(uid) = reservation {
            // Newer than the stored OpenAPI file; an older Cal.com strips it unread.
            body["reservedSlotUid"] = json!(uid);
        }
        let result: Result<Data<BookingOut>, _> = self
            .upstream
            .send("book", Method::POST, "/v2/bookings", &[BOOKINGS], &body)
            .await;
        let made = Sent::read(result.map(|Data { data }| data), unavailable)?
            .or_look_up(|| self.look_up(request, &id))
            .await?;
        Ok(self.booking(made, request))
    }
}
