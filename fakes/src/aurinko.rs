//! Aurinko Booking API (docs/providers.md, Aurinko): `Authorization: Bearer <token>` (or
//! Basic + `X-Aurinko-Account-Id`), booking profiles, availability with `additionalFields`
//! and `fromDate`/`intervalLength`/`nextFromDate` paging, create meeting → `{created,id}`,
//! reservations, and the Calendar API delete that cancels a meeting. Errors use Aurinko's
//! `{code,message,requestId}` envelope; a taken time is a 400 `badRequest` unless set to 409.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Days, NaiveDate, SecondsFormat, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::schedule::Schedule;
use crate::{instant, lock};

pub const PROFILE_ID: i64 = 1234;
/// What the fake says when a time cannot be booked.
pub const TAKEN: &str = "The requested time is not available";
/// Variables Aurinko fills itself. The fake lists them in `additionalFields`, as Aurinko is
/// inferred to (docs/providers.md, Aurinko: Form fields).
pub const SYSTEM_VARIABLES: &[&str] = &["openMeetingUrl", "rescheduleToken"];
const ZONE: Tz = chrono_tz::America::New_York;
const HORIZON_DAYS: u64 = 56;

type Busy = Vec<(DateTime<Utc>, DateTime<Utc>)>;
/// A value, or the error answer to send instead (boxed: a `Response` is large).
type Checked<T> = Result<T, Box<Response>>;

pub struct Aurinko {
    key: String,
    /// Profile `PROFILE_ID` as `GET /v1/book/account/profiles/{id}` returns it.
    pub profile: Mutex<Value>,
    /// Defaults of substitution variables (a variable with one is optional).
    pub defaults: Mutex<BTreeMap<String, String>>,
    knobs: Mutex<Knobs>,
    schedule: Schedule,
    meetings: Mutex<Vec<Value>>,
}

struct Knobs {
    conflict: StatusCode,
    /// Most days one availability call covers (Aurinko's cap is unknown).
    interval_cap: u64,
    list_system_variables: bool,
    /// Answer a reservation with the spec's `ReservationId` instead of `reservationId`.
    spec_casing: bool,
}

impl Aurinko {
    /// A fake accepting `Bearer {key}`, or `Basic base64(key)` with an account id header
    /// (then `key` plays `clientId:secret`).
    pub fn new(key: &str) -> Arc<Self> {
        let mut schedule = Schedule::new(ZONE);
        schedule.horizon_days = HORIZON_DAYS;
        Arc::new(Self {
            key: key.to_owned(),
            profile: Mutex::new(profile()),
            defaults: Mutex::new(BTreeMap::from([("company".into(), String::new())])),
            knobs: Mutex::new(Knobs {
                conflict: StatusCode::BAD_REQUEST,
                interval_cap: 7,
                list_system_variables: true,
                spec_casing: false,
            }),
            schedule,
            meetings: Mutex::new(Vec::new()),
        })
    }

    /// Meetings and reservations made so far (`deleted`/`released` once cancelled).
    pub fn bookings(&self) -> Vec<Value> {
        lock(&self.meetings).clone()
    }

    /// The status of the "time not available" answer (400 by default, or 409).
    pub fn conflict_status(&self, status: u16) {
        lock(&self.knobs).conflict = StatusCode::from_u16(status).unwrap_or(StatusCode::CONFLICT);
    }

    /// Most days one availability call returns before pointing on with `nextFromDate`.
    pub fn interval_cap(&self, days: u64) {
        lock(&self.knobs).interval_cap = days.max(1);
    }

    /// Answers reservations as the OpenAPI file spells them (`ReservationId`).
    pub fn spec_casing(&self) {
        lock(&self.knobs).spec_casing = true;
    }

    /// Lets every unconfirmed reservation's time run out, as if its minutes had passed.
    pub fn expire_reservations(&self) {
        let past = json!(at(Utc::now() - TimeDelta::seconds(1)));
        for m in lock(&self.meetings).iter_mut() {
            if !m["holdUntil"].is_null() {
                m["holdUntil"] = past.clone();
            }
        }
    }

    /// Leaves `openMeetingUrl`/`rescheduleToken` out of `additionalFields`.
    pub fn hide_system_variables(&self) {
        lock(&self.knobs).list_system_variables = false;
    }

    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/v1/book/account/profiles/{id}", get(profile_route))
            .route(
                "/v1/book/account/profiles/{id}/meeting",
                get(times).post(create),
            )
            .route("/v1/book/account/reservations/{id}/confirm", post(confirm))
            .route("/v1/book/account/reservations/{id}", delete(release))
            .route(
                "/v1/calendars/{calendar}/events/{event}",
                delete(delete_event),
            )
            .with_state(self.clone())
    }

    fn authorized(&self, headers: &HeaderMap) -> Checked<()> {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
        let account = headers.get("x-aurinko-account-id").is_some();
        let ok = match auth {
            Some(v) if v == format!("Bearer {}", self.key) => true,
            Some(v) => account && v == format!("Basic {}", base64(self.key.as_bytes())),
            None => false,
        };
        if ok {
            return Ok(());
        }
        let mut response = error(StatusCode::UNAUTHORIZED, "unauthorized", "unauthorized");
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"aurinko\""),
        );
        Err(Box::new(response))
    }

    /// The profile, or Aurinko's 404 for another id.
    fn checked(&self, headers: &HeaderMap, id: &str) -> Checked<Value> {
        self.authorized(headers)?;
        match id.parse::<i64>() {
            Ok(PROFILE_ID) => Ok(lock(&self.profile).clone()),
            Ok(_) => Err(Box::new(not_found())),
            Err(_) => Err(Box::new(bad_request("id: must be an integer"))),
        }
    }

    /// `{{variables}}` of the subject and description as `additionalFields`.
    fn additional_fields(&self, profile: &Value) -> Vec<Value> {
        let defaults = lock(&self.defaults).clone();
        let system = lock(&self.knobs).list_system_variables;
        let text = format!(
            "{} {}",
            profile["subject"].as_str().unwrap_or_default(),
            profile["description"].as_str().unwrap_or_default()
        );
        variables(&text)
            .into_iter()
            .filter(|name| system || !SYSTEM_VARIABLES.contains(&name.as_str()))
            .map(|name| match defaults.get(&name) {
                Some(d) => json!({ "name": name, "type": "string", "default": d }),
                None => json!({ "name": name, "type": "string" }),
            })
            .collect()
    }

    fn busy(&self) -> Busy {
        let now = Utc::now();
        lock(&self.meetings)
            .iter()
            .filter(|m| m["deleted"] != true && m["released"] != true)
            .filter(|m| instant(&m["holdUntil"]).is_none_or(|until| until > now))
            .filter_map(|m| Some((instant(&m["start"])?, instant(&m["end"])?)))
            .collect()
    }

    /// Free `[start, end)` items of the profile inside `[from, to)`.
    fn items(&self, profile: &Value, from: DateTime<Utc>, to: DateTime<Utc>) -> Busy {
        let duration = profile["durationMinutes"].as_i64().unwrap_or(30);
        let notice =
            Utc::now() + TimeDelta::minutes(profile["startAfterMinutes"].as_i64().unwrap_or(0));
        let mut schedule = self.schedule.clone();
        schedule.step_minutes = profile["availabilityStep"].as_i64().unwrap_or(30);
        schedule
            .free(from, to, duration, &self.busy())
            .into_iter()
            .filter(|start| *start >= notice)
            .map(|start| (start, start + TimeDelta::minutes(duration)))
            .collect()
    }
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A booking profile as the vendor's `BookingOutDto` (every day 09:00–17:00 New York).
pub fn profile() -> Value {
    let days = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let schedules: Vec<Value> = days
        .iter()
        .map(|d| json!({ "dayOfWeek": d, "workingIntervals": [ { "start": "09:00:00", "end": "17:00:00" } ] }))
        .collect();
    json!({
        "id": PROFILE_ID, "name": "intro-call", "durationMinutes": 30, "bufferBetweenMinutes": 0,
        "availabilityStep": 30, "startAfterMinutes": 60, "timeAvailableFor": "P8W",
        "startTime": null, "endTime": null,
        "subject": "Intro call with {{name}}",
        "description": "A first call about {{topic}} for {{company}}.\nBooked by {{email}}.\nJoin: {{openMeetingUrl}}\nReschedule: {{rescheduleToken}}",
        "location": "Zoom",
        "workHours": { "timezone": ZONE.name(), "daySchedules": schedules },
        "availabilityIntervals": { "intervals": [] },
        "context": "tenant-42", "startConference": false,
        "openMeetingUrl": "https://calendar.aurinko.io/intro-call", "clientOrgId": "acme"
    })
}

/// Aurinko's error envelope.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "code": code, "message": message, "requestId": uuid() });
    (status, Json(body)).into_response()
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "badRequest", message)
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "The record could not be found",
    )
}

fn uuid() -> String {
    let hex = format!("{:032x}", rand::random::<u128>());
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            let c = if i <= chunk.len() {
                ABC[(n >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            };
            out.push(char::from(c));
        }
    }
    out
}

/// Names inside `{{…}}` (word characters), in order of first appearance.
fn variables(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split("{{").skip(1) {
        let Some((name, _)) = part.split_once("}}") else {
            continue;
        };
        let word = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if word && !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// `P7D` / `P2W` as days; other ISO periods are not needed here.
fn period_days(text: &str) -> Option<u64> {
    let body = text.strip_prefix('P')?;
    match (body.strip_suffix('D'), body.strip_suffix('W')) {
        (Some(n), _) => n.parse().ok(),
        (_, Some(n)) => n.parse::<u64>().ok()?.checked_mul(7),
        _ => None,
    }
}

fn midnight(day: NaiveDate) -> Option<DateTime<Utc>> {
    crate::schedule::at_hour(ZONE, day, 0)
}

async fn profile_route(
    State(fake): State<Arc<Aurinko>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    match fake.checked(&headers, &id) {
        Ok(profile) => Json(profile).into_response(),
        Err(response) => *response,
    }
}

/// Availability: `fromDate` (a day in the profile's zone) plus `intervalLength`, capped;
/// `nextFromDate` says where the next call starts, `null` past the profile's horizon.
async fn times(
    State(fake): State<Arc<Aurinko>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let profile = match fake.checked(&headers, &id) {
        Ok(profile) => profile,
        Err(response) => return *response,
    };
    if q.get("required").is_some_and(|r| r != "one" && r != "all") {
        return bad_request("required: must be one or all");
    }
    let today = Utc::now().with_timezone(&ZONE).date_naive();
    let from = match q.get("fromDate") {
        None => today,
        Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => return bad_request("fromDate: not a date (yyyy-MM-dd)"),
        },
    };
    let asked = match q.get("intervalLength") {
        None => period_days(profile["timeAvailableFor"].as_str().unwrap_or("P4W")),
        Some(p) => period_days(p),
    };
    let Some(asked) = asked.filter(|d| *d > 0) else {
        return bad_request("intervalLength: not an ISO-8601 period such as P7D");
    };
    let days = asked.min(lock(&fake.knobs).interval_cap);
    let next = from.checked_add_days(Days::new(days));
    let (Some(start), Some(end)) = (midnight(from), next.and_then(midnight)) else {
        return bad_request("fromDate: out of range");
    };
    let last = today.checked_add_days(Days::new(HORIZON_DAYS));
    let next = next.filter(|n| last.is_some_and(|l| *n < l));
    let items: Vec<Value> = fake
        .items(&profile, start, end)
        .into_iter()
        .map(|(s, e)| json!({ "start": at(s), "end": at(e) }))
        .collect();
    Json(json!({
        "items": items, "startTime": at(start), "endTime": at(end),
        "timeAvailableFor": profile["timeAvailableFor"], "durationMinutes": profile["durationMinutes"],
        "availabilityStep": profile["availabilityStep"], "subject": profile["subject"],
        "primaryColor": "#1a73e8", "secondaryColor": "#ffffff",
        "additionalFields": fake.additional_fields(&profile),
        "nextPageToken": null, "nextFromDate": next.map(|n| n.to_string()),
    }))
    .into_response()
}

/// Every substitution variable without a default is in `data`, or the 400 naming one.
fn complete(fake: &Aurinko, profile: &Value, data: &Value) -> Checked<()> {
    for field in fake.additional_fields(profile) {
        let name = field["name"].as_str().unwrap_or_default();
        let system = SYSTEM_VARIABLES.contains(&name);
        if field.get("default").is_none() && !system && !data[name].is_string() {
            return Err(Box::new(bad_request(&format!(
                "Missing substitution data: {name}"
            ))));
        }
    }
    Ok(())
}

/// Checks a create-meeting body; the stored meeting or the error answer. A reservation
/// (`reserve`) needs only the time: the meeting is made, with its data, on confirm
/// (inferred: docs/providers.md, Aurinko: Reservations).
fn meeting(fake: &Aurinko, profile: &Value, body: &Value, reserve: bool) -> Checked<Value> {
    if !body.is_object() {
        return Err(Box::new(bad_request("body: a JSON object is required")));
    }
    let data = &body["substitutionData"];
    if !(data.is_null()
        || data
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_string)))
    {
        return Err(Box::new(bad_request(
            "substitutionData: values must be strings",
        )));
    }
    if !reserve {
        complete(fake, profile, data)?;
    }
    let (Some(start), Some(end)) = (
        instant(&body["time"]["start"]),
        instant(&body["time"]["end"]),
    ) else {
        return Err(Box::new(bad_request(
            "time: start and end date-times are required",
        )));
    };
    let offered = fake.items(profile, start, end + TimeDelta::minutes(1));
    if !offered.contains(&(start, end)) {
        let status = lock(&fake.knobs).conflict;
        let code = if status == StatusCode::CONFLICT {
            "conflict"
        } else {
            "badRequest"
        };
        return Err(Box::new(error(status, code, TAKEN)));
    }
    let info = &body["schedulerInfo"];
    let mut subject = profile["subject"].as_str().unwrap_or_default().to_owned();
    for (name, value) in data.as_object().into_iter().flatten() {
        subject = subject.replace(
            &format!("{{{{{name}}}}}"),
            value.as_str().unwrap_or_default(),
        );
    }
    Ok(json!({
        "start": at(start), "end": at(end), "subject": subject,
        "schedulerInfo": { "name": info["name"].as_str().or(body["name"].as_str()),
                           "email": info["email"].as_str().or(body["email"].as_str()) },
        "substitutionData": data, "invitees": body["invitees"],
        "deleted": false,
    }))
}

async fn create(
    State(fake): State<Arc<Aurinko>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
    body: Option<Json<Value>>,
) -> Response {
    let profile = match fake.checked(&headers, &id) {
        Ok(profile) => profile,
        Err(response) => return *response,
    };
    let Some(Json(body)) = body else {
        return bad_request("body: JSON is required");
    };
    let hold = match q.get("reserveForMinutes").map(|m| m.parse::<i64>()) {
        None => None,
        Some(Ok(m)) if m > 0 => Some(m),
        Some(_) => return bad_request("reserveForMinutes: a positive integer is required"),
    };
    let mut meeting = match meeting(&fake, &profile, &body, hold.is_some()) {
        Ok(meeting) => meeting,
        Err(response) => return *response,
    };
    let mut meetings = lock(&fake.meetings);
    let answer = match hold {
        Some(minutes) => {
            let reservation = meetings.len() as i64 + 1;
            meeting["reservationId"] = json!(reservation);
            meeting["holdUntil"] = json!(at(Utc::now() + TimeDelta::minutes(minutes)));
            match lock(&fake.knobs).spec_casing {
                true => json!({ "created": false, "ReservationId": reservation }),
                false => json!({ "created": false, "reservationId": reservation }),
            }
        }
        None => {
            let event = format!("AAMkAGI2{}AAA=", crate::random_id(24));
            meeting["id"] = json!(event);
            json!({ "created": true, "id": event, "rescheduleToken": crate::random_id(16) })
        }
    };
    meetings.push(meeting);
    Json(answer).into_response()
}

/// The unreleased, unexpired reservation `id`.
fn reservation<'a>(meetings: &'a mut [Value], id: &str) -> Option<&'a mut Value> {
    let now = Utc::now();
    meetings.iter_mut().find(|m| {
        m["reservationId"].as_i64() == id.parse().ok()
            && m["released"] != true
            && instant(&m["holdUntil"]).is_some_and(|until| until > now)
    })
}

async fn confirm(
    State(fake): State<Arc<Aurinko>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = fake.authorized(&headers) {
        return *response;
    }
    let profile = lock(&fake.profile).clone();
    let mut meetings = lock(&fake.meetings);
    let Some(held) = reservation(&mut meetings, &id) else {
        return not_found();
    };
    if let Err(response) = complete(&fake, &profile, &held["substitutionData"]) {
        return *response;
    }
    let event = format!("AAMkAGI2{}AAA=", crate::random_id(24));
    held["id"] = json!(event);
    held["holdUntil"] = Value::Null;
    Json(json!({ "id": event, "rescheduleToken": crate::random_id(16) })).into_response()
}

async fn release(
    State(fake): State<Arc<Aurinko>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = fake.authorized(&headers) {
        return *response;
    }
    let mut meetings = lock(&fake.meetings);
    let Some(held) = reservation(&mut meetings, &id) else {
        return not_found();
    };
    held["released"] = json!(true);
    Json(json!({ "status": "Ok" })).into_response()
}

/// Calendar API delete: 200 with no body (the spec declares none).
async fn delete_event(
    State(fake): State<Arc<Aurinko>>,
    Path((calendar, event)): Path<(String, String)>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(response) = fake.authorized(&headers) {
        return *response;
    }
    if q.get("notifyAttendees")
        .is_some_and(|n| n != "true" && n != "false")
    {
        return bad_request("notifyAttendees: must be true or false");
    }
    let mut meetings = lock(&fake.meetings);
    let found = meetings
        .iter_mut()
        .find(|m| m["id"] == event.as_str() && m["deleted"] != true);
    match (calendar.as_str(), found) {
        ("primary", Some(meeting)) => {
            meeting["deleted"] = json!(true);
            StatusCode::OK.into_response()
        }
        _ => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b"client:secret"), "Y2xpZW50OnNlY3JldA==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn variables_and_periods() {
        assert_eq!(variables("{{a}} {{b c}} {{a}} {{d_1}}"), vec!["a", "d_1"]);
        assert_eq!(period_days("P2W"), Some(14));
        assert_eq!(period_days("P5D"), Some(5));
        assert_eq!(period_days("P1M"), None);
    }
}
