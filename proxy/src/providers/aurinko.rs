//! Aurinko Booking API (docs/providers.md, Aurinko). The profile comes from the booking profile, its
//! form from the availability call's `additionalFields`; slots are paged with
//! `fromDate`/`intervalLength`/`nextFromDate`; a booking is `POST …/meeting`, a cancel
//! deletes the calendar event it made. Aurinko has no way to look a meeting up, so a
//! create that timed out is a 504.

use std::collections::BTreeMap;

use async_trait::async_trait;
use axum::http::{Method, StatusCode};
use booking_wire::{
    template, Booking, BookingRequest, BookingStatus, Field, FieldKind, FieldValue, Profile, Slot,
};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{
    after, answer_text, booking_end, cancelled, is_name, slots_within, utc, zone_shown, Learnt,
    Sent, RESERVED,
};
use super::upstream::{Upstream, UpstreamError};
use super::{Provider, Setup};
use crate::config::humanize;
use crate::error::AppError;

/// Variables Aurinko fills itself; never asked of the visitor.
const SYSTEM: &[&str] = &["openMeetingUrl", "rescheduleToken"];
/// Fragments (lower case) of a 400 message that mean "that time cannot be booked";
/// phrases, not single words, so an unrelated 400 ("token taken", "conflicting
/// parameters") stays a 502.
const UNAVAILABLE: &[&str] = &[
    "not available",
    "unavailable",
    "already booked",
    "is busy",
    "not free",
    "time is taken",
    "slot is taken",
];
/// The profile's description is the calendar event's body: its lines with links only
/// Aurinko fills (`{{openMeetingUrl}}`, `{{rescheduleToken}}`) mean nothing before booking.
fn for_visitors(description: &str) -> String {
    description
        .lines()
        .filter(|line| {
            !template::names(line)
                .iter()
                .any(|v| SYSTEM.contains(&v.as_str()))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Bound on availability calls for one range (each moves `fromDate` on by a day or more).
const MAX_PAGES: usize = 100;

pub struct Aurinko {
    upstream: Upstream,
    profile_id: i64,
    time_zone: Option<Tz>,
    /// What a booking needs to fill and show.
    template: Learnt<Template>,
}

#[derive(Clone)]
struct Template {
    /// The subject (or the profile's name); `{{variables}}` are filled per booking.
    title: String,
    location: Option<String>,
    /// Every `additionalFields` name but the system ones.
    variables: Vec<String>,
}

impl Aurinko {
    pub fn new(setup: Setup<'_>, profile_id: i64) -> Result<Self, String> {
        Ok(Self {
            upstream: setup.upstream("aurinko", "authorization", "Bearer ")?,
            profile_id,
            time_zone: setup.remote.time_zone,
            template: Learnt::default(),
        })
    }

    fn meeting_path(&self) -> String {
        format!("/v1/book/account/profiles/{}/meeting", self.profile_id)
    }
}

/// `BookingOutDto`; the spec marks nothing required.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ProfileOut {
    name: Option<String>,
    subject: Option<String>,
    description: Option<String>,
    duration_minutes: Option<u32>,
    location: Option<String>,
    work_hours: Option<WorkHours>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WorkHours {
    timezone: Option<String>,
}

/// `BookingTimesOutDto`, the parts used here.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Times {
    items: Vec<Item>,
    duration_minutes: Option<u32>,
    additional_fields: Vec<AdditionalField>,
    next_page_token: Option<String>,
    next_from_date: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Deserialize)]
struct AdditionalField {
    name: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    default: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    #[serde(default)]
    created: Option<bool>,
    #[serde(default)]
    id: Option<String>,
    /// With `reserveForMinutes`: the spec spells it `ReservationId`, the vendor's Java
    /// client `reservationId`.
    #[serde(default, rename = "reservationId", alias = "ReservationId")]
    reservation_id: Option<i64>,
}

/// A substitution variable as a form field: no default ⇒ required (Aurinko's docs). The
/// `type` values are unknown (docs/providers.md, Aurinko: Form fields); unknown ones are asked as text. The booker's own
/// answers fill the variables named after them (the widget always asks those).
fn field(f: &AdditionalField) -> Option<Field> {
    let name = f.name.trim();
    if !is_name(name) || SYSTEM.contains(&name) || RESERVED.contains(&name) {
        return None;
    }
    let kind = match f
        .kind
        .as_deref()
        .unwrap_or("string")
        .to_ascii_lowercase()
        .as_str()
    {
        "number" | "int" | "integer" | "long" | "double" | "decimal" => FieldKind::Number,
        "boolean" | "bool" => FieldKind::Boolean,
        "email" => FieldKind::Email,
        "phone" => FieldKind::Phone,
        "url" | "uri" => FieldKind::Url,
        "textarea" | "multiline" => FieldKind::Textarea,
        _ => FieldKind::Text,
    };
    let default = f
        .default
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(|d| match kind {
            FieldKind::Number => d
                .parse()
                .map_or_else(|_| FieldValue::Text(d.into()), FieldValue::Number),
            FieldKind::Boolean => FieldValue::Bool(d.eq_ignore_ascii_case("true")),
            _ => FieldValue::Text(d.into()),
        });
    Some(Field {
        name: name.to_owned(),
        label: humanize(name),
        kind,
        required: f.default.is_none(),
        default,
        options: vec![],
    })
}

/// The rule for "slot taken": Aurinko documents no status for it (unknown:
/// docs/providers.md, Aurinko: Taken slot). A 409 always means it. A 400 is Aurinko's generic `badRequest`,
/// which also answers e.g. a missing `substitutionData` key (our bug, so a 502), so a 400
/// counts only when its message, or the calendar provider's in `originalError` (or a bare
/// `{"error":{…}}`), says the time is not available. `code` is not used: its casing varies.
fn unavailable(error: &UpstreamError) -> bool {
    match error {
        UpstreamError::Status(StatusCode::CONFLICT, _) => true,
        UpstreamError::Status(StatusCode::BAD_REQUEST, body) => [
            &body["message"],
            &body["originalError"]["error"]["message"],
            &body["error"]["message"],
        ]
        .iter()
        .filter_map(|m| m.as_str())
        .map(str::to_lowercase)
        .any(|m| UNAVAILABLE.iter().any(|u| m.contains(u))),
        _ => false,
    }
}

/// `fromDate` as Aurinko may send it (a date, or a date-time).
fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// A reservation id as Aurinko gives it (an int64); anything else names none.
fn reservation(reference: &str) -> Result<i64, AppError> {
    reference.parse().map_err(|_| AppError::NotFound)
}

/// An event id as one path segment (Outlook ids hold `/`, `+` and `=`).
fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `{{var}}` in `text` replaced by its value.
fn fill(text: &str, data: &BTreeMap<String, String>) -> String {
    template::replace(text, |name| data.get(name).cloned())
}

/// `substitutionData`: the form's answers as text (blank ones left to Aurinko's defaults),
/// plus the booker's own answers for the variables that name them.
fn substitutions(request: &BookingRequest, template: &Template) -> BTreeMap<String, String> {
    let mut data: BTreeMap<String, String> = request
        .fields
        .iter()
        .map(|(name, value)| (name.clone(), answer_text(value).trim().to_owned()))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    for name in &template.variables {
        let own = match name.as_str() {
            "name" => request.name.trim().to_owned(),
            "email" => request.email.trim().to_owned(),
            "notes" => request.notes.trim().to_owned(),
            "guests" => request.guests.join(", "),
            _ => continue,
        };
        data.insert(name.clone(), own);
    }
    data
}

#[async_trait]
impl Provider for Aurinko {
    async fn profile(&self) -> Result<Profile, AppError> {
        let path = format!("/v1/book/account/profiles/{}", self.profile_id);
        let profile: ProfileOut = self.upstream.get("profile", &path, &[], &[]).await?;
        // Only the availability call lists the variables; one day of it is enough.
        let query = [
            ("fromDate", Utc::now().date_naive().to_string()),
            ("intervalLength", "P1D".to_owned()),
        ];
        let times: Times = self
            .upstream
            .get("profile fields", &self.meeting_path(), &query, &[])
            .await?;
        let duration = profile
            .duration_minutes
            .or(times.duration_minutes)
            .filter(|d| *d > 0)
            .ok_or(AppError::Upstream)?;
        let zone = profile
            .work_hours
            .and_then(|w| w.timezone)
            .and_then(|z| z.parse::<Tz>().ok())
            .or(self.time_zone);
        let name = profile.name.unwrap_or_default();
        let title = profile
            .subject
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| humanize(&name));
        let variables = times
            .additional_fields
            .iter()
            .map(|f| f.name.trim().to_owned())
            .filter(|n| !SYSTEM.contains(&n.as_str()))
            .collect();
        self.template.learn(Template {
            title: title.clone(),
            location: profile.location.clone(),
            variables,
        });
        Ok(Profile {
            id: String::new(),
            title,
            description: for_visitors(&profile.description.unwrap_or_default()),
            time_zone: zone_shown(zone),
            durations: vec![duration],
            location: profile.location.filter(|l| !l.trim().is_empty()),
            requires_confirmation: false,
            fields: times.additional_fields.iter().filter_map(field).collect(),
            hold_minutes: 0,
        })
    }

    /// Availability takes no instants or zone, only days (counted in the profile's
    /// zone: inferred): ask every day some zone's clock (UTC−12…+14) shows during `[from, to)`,
    /// follow `nextPageToken`/`nextFromDate`, and keep the items starting inside it.
    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        let mut day = (from - TimeDelta::hours(14)).date_naive();
        let end = (to - TimeDelta::seconds(1) + TimeDelta::hours(14)).date_naive();
        let path = self.meeting_path();
        let mut token: Option<String> = None;
        let mut starts = Vec::new();
        for _ in 0..MAX_PAGES {
            let left = (end - day).num_days() + 1;
            if left <= 0 {
                return slots_within(from, to, duration, starts);
            }
            let mut query = vec![
                ("fromDate", day.to_string()),
                ("intervalLength", format!("P{left}D")),
            ];
            if let Some(token) = &token {
                query.push(("pageToken", token.clone()));
            }
            let page: Times = self.upstream.get("slots", &path, &query, &[]).await?;
            let of_length = |i: &&Item| after(i.start, duration) == Some(i.end);
            starts.extend(page.items.iter().filter(of_length).map(|i| i.start));
            token = page.next_page_token.filter(|t| !t.is_empty());
            if token.is_some() {
                continue;
            }
            match page.next_from_date.as_deref().and_then(date) {
                Some(next) if next > day => day = next,
                // Done, or a date that would not move on.
                _ => day = end + TimeDelta::days(1),
            }
        }
        tracing::warn!(
            profile_id = self.profile_id,
            "availability paging did not end"
        );
        Err(AppError::Upstream)
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        let template = self.template.get(|| self.profile()).await?;
        let end = booking_end(request)?;
        let data = substitutions(request, &template);
        let mut body = json!({
            "time": { "start": utc(request.start), "end": utc(end) },
            "schedulerInfo": { "name": request.name.trim(), "email": request.email.trim() },
            "substitutionData": data,
        });
        if !request.guests.is_empty() {
            // Not in the OpenAPI file; the vendor's newer Java client sends it (inferred).
            let invitees: Vec<Value> = request
                .guests
                .iter()
                .map(|g| json!({ "email": g }))
                .collect();
            body["invitees"] = json!(invitees);
        }
        // Sent once. There is no lookup by request, so a timeout stays a 504.
        let result: Result<Created, _> = self
            .upstream
            .send("book", Method::POST, &self.meeting_path(), &[], &body)
            .await;
        let created = match Sent::read(result, unavailable)? {
            Sent::Made(created) => created,
            Sent::Lost(error) => return Err(error),
        };
        let id = match (created.created, created.id) {
            (Some(true) | None, Some(id)) if !id.is_empty() => id,
            _ => {
                tracing::warn!(profile_id = self.profile_id, "create meeting made no event");
                return Err(AppError::Upstream);
            }
        };
        Ok(Booking {
            id,
            status: BookingStatus::Confirmed,
            start: request.start,
            end,
            time_zone: request.time_zone.clone(),
            title: fill(&template.title, &data),
            location: template.location,
        })
    }

    fn keeps_holds(&self) -> bool {
        true
    }

    /// `POST …/meeting?reserveForMinutes=N` with the time alone: "blocks the interval …,
    /// the meeting is not created". The visitor's answers are not known yet.
    async fn place_hold(&self, slot: &Slot, minutes: u32) -> Result<String, AppError> {
        let path = format!("{}?reserveForMinutes={minutes}", self.meeting_path());
        let body = json!({ "time": { "start": utc(slot.start), "end": utc(slot.end) } });
        let result: Result<Created, _> = self
            .upstream
            .send("hold", Method::POST, &path, &[], &body)
            .await;
        match result {
            Ok(Created {
                reservation_id: Some(id),
                ..
            }) => Ok(id.to_string()),
            Ok(_) => {
                tracing::warn!(profile_id = self.profile_id, "reserve made no reservation");
                Err(AppError::Upstream)
            }
            Err(error) if unavailable(&error) => Err(AppError::SlotUnavailable),
            Err(error) => Err(error.into()),
        }
    }

    async fn release_hold(&self, reference: &str) -> Result<(), AppError> {
        let path = format!("/v1/book/account/reservations/{}", reservation(reference)?);
        cancelled(self.upstream.delete("release hold", &path, &[], &[]).await)
    }

    /// Aurinko's confirm takes no body: it would make the event from the reservation,
    /// which was placed before the visitor gave their name and answers. So the
    /// reservation is given up (gone already is fine) and the meeting created in full at
    /// once; the time was kept from others until this moment.
    async fn book_held(
        &self,
        request: &BookingRequest,
        reference: &str,
    ) -> Result<Booking, AppError> {
        match self.release_hold(reference).await {
            Ok(()) | Err(AppError::NotFound) => {}
            Err(error) => return Err(error),
        }
        self.book(request).await
    }

    /// The booking API cannot cancel a meeting: delete its event in the account's primary
    /// calendar (inferred: the profile's calendar is not exposed), telling the attendees.
    async fn cancel(&self, id: &str, _reason: Option<&str>) -> Result<(), AppError> {
        if id.is_empty() || id.len() > 1024 {
            return Err(AppError::NotFound);
        }
        let path = format!("/v1/calendars/primary/events/{}", segment(id));
        let query = [("notifyAttendees", "true".to_owned())];
        cancelled(self.upstream.delete("cancel", &path, &query, &[]).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, body: Value) -> UpstreamError {
        UpstreamError::Status(StatusCode::from_u16(code).unwrap(), body)
    }

    #[test]
    fn only_a_time_answer_is_a_taken_slot() {
        assert!(unavailable(&status(409, Value::Null)));
        let taken =
            json!({ "code": "badRequest", "message": "The requested time is not available" });
        assert!(unavailable(&status(400, taken)));
        let provider = json!({ "code": "badRequest", "message": "Bad Request",
            "originalError": { "error": { "code": "ErrorConflict", "message": "Slot is already booked" } } });
        assert!(unavailable(&status(400, provider)));
        let missing =
            json!({ "code": "badRequest", "message": "Missing substitution data: topic" });
        assert!(!unavailable(&status(400, missing)));
        assert!(!unavailable(&status(
            422,
            json!({ "message": "not available" })
        )));
        assert!(!unavailable(&UpstreamError::Timeout));
    }

    #[test]
    fn variable_types_map_to_kinds() {
        let f = |name: &str, kind: Option<&str>, default: Option<&str>| AdditionalField {
            name: name.into(),
            kind: kind.map(Into::into),
            default: default.map(Into::into),
        };
        let seats = field(&f("seats", Some("Number"), Some("2"))).unwrap();
        assert_eq!((seats.kind, seats.required), (FieldKind::Number, false));
        assert_eq!(seats.default, Some(FieldValue::Number(2.0)));
        let odd = field(&f("topic", Some("weird"), None)).unwrap();
        assert_eq!((odd.kind, odd.required), (FieldKind::Text, true));
        assert!(field(&f("rescheduleToken", None, None)).is_none());
        assert!(field(&f("name", None, None)).is_none());
        assert!(field(&f("bad name", None, None)).is_none());
    }

    #[test]
    fn event_ids_are_one_path_segment() {
        assert_eq!(segment("AAMk/a+b=="), "AAMk%2Fa%2Bb%3D%3D");
        assert_eq!(segment("abc-_.~"), "abc-_.~");
    }
}
