//! Jicoo API v1 (docs/providers.md, Jicoo): `X-Jicoo-Api-Key`, `{data}` bodies and the
//! paginated list envelope, `available_schedules` with both spellings of the range and its
//! 7-day limit, and a create that refuses a taken time with a configurable status (409 by
//! default, 422 or 402: the vendor's docs disagree).
//!
//! Assumed, since no source shows them (unknown in docs/providers.md, Jicoo: Event type
//! and Errors): the event type's `questions` shape
//! (`[{uid, title|label, type, required, options?}]`) and the error body
//! (`{"errors": {"code", "message"}}`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use crate::schedule::Schedule;
use crate::{instant, lock};

pub const EVENT_TYPE_UID: &str = "mzgdPJVBb7RE";
/// The longest `available_schedules` window Jicoo serves (client code: "7日制限").
pub const MAX_WINDOW_DAYS: i64 = 7;
pub const MEETING_URL: &str = "https://meet.google.com/abc-defg-hij";

/// Top-level keys of Create Booking (plus `location`, which its own example sends).
const BOOKING_KEYS: &[&str] = &[
    "eventTypeId",
    "startedAt",
    "timeZone",
    "email",
    "name",
    "locationId",
    "location",
    "company",
    "phoneNumber",
    "textRemindCountryCode",
    "textRemindNumber",
    "ccEmails",
    "message",
    "locale",
    "tracking",
    "answers",
    "payment",
];

pub struct Jicoo {
    key: String,
    /// Event type `EVENT_TYPE_UID` as `GET /v1/event_types/{uid}` returns it.
    pub event_type: Mutex<Value>,
    schedule: Schedule,
    bookings: Mutex<Vec<Value>>,
    conflict: Mutex<StatusCode>,
    approval: Mutex<bool>,
    list_full: Mutex<bool>,
    created: Mutex<Created>,
}

/// How a create's 201 carries the booking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Created {
    /// `{"data": booking}`, the shape of Get Booking.
    Wrapped,
    /// The booking object itself, as the Create Booking page shows it.
    Bare,
    /// A body that is no booking at all (the booking is made all the same).
    Unreadable,
}

impl Jicoo {
    pub fn new(key: &str) -> Arc<Self> {
        Arc::new(Self {
            key: key.to_owned(),
            event_type: Mutex::new(event_type()),
            schedule: Schedule::new(chrono_tz::Asia::Tokyo),
            bookings: Mutex::new(Vec::new()),
            conflict: Mutex::new(StatusCode::CONFLICT),
            approval: Mutex::new(false),
            list_full: Mutex::new(false),
            created: Mutex::new(Created::Wrapped),
        })
    }

    /// Bookings made so far, as `GET /v1/bookings/{uid}` returns them.
    pub fn bookings(&self) -> Vec<Value> {
        lock(&self.bookings).clone()
    }

    /// The status a create on a taken or never offered time gets: 409 (default), 422 or 402.
    pub fn conflict_status(&self, status: u16) {
        *lock(&self.conflict) = StatusCode::from_u16(status).unwrap_or(StatusCode::CONFLICT);
    }

    /// The host approves each booking: creates come back `status: "request"`.
    pub fn require_approval(&self) {
        *lock(&self.approval) = true;
    }

    /// How creates answer from now on.
    pub fn answer_creates(&self, shape: Created) {
        *lock(&self.created) = shape;
    }

    /// Booked times stay in `available_schedules` with `remainingCapacity: 0`.
    pub fn list_full_slots(&self) {
        *lock(&self.list_full) = true;
    }

    /// Moves every booking's `createdAt` back, as if made that long ago.
    pub fn backdate(&self, minutes: i64) {
        for booking in lock(&self.bookings).iter_mut() {
            if let Some(at) = instant(&booking["createdAt"]) {
                booking["createdAt"] = json!(millis(at - TimeDelta::minutes(minutes)));
            }
        }
    }

    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/v1/event_types", get(event_types))
            .route("/v1/event_types/{uid}", get(event_type_route))
            .route(
                "/v1/event_types/{uid}/available_schedules",
                get(available_schedules),
            )
            .route("/v1/bookings", post(create).get(list))
            .route("/v1/bookings/{uid}", get(booking_route))
            .route("/v1/bookings/{uid}/cancel", post(cancel))
            .route("/v1/bookings/{uid}/reschedule", post(reschedule))
            .with_state(self.clone())
    }

    fn duration(&self) -> i64 {
        lock(&self.event_type)["duration"].as_i64().unwrap_or(30)
    }

    /// Times taken by bookings, but `except`'s (a booking being moved).
    fn busy_except(&self, except: Option<&str>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        lock(&self.bookings)
            .iter()
            .filter(|b| b["status"] != "cancel")
            .filter(|b| except.is_none_or(|uid| b["uid"] != uid))
            .filter_map(|b| Some((instant(&b["startedAt"])?, instant(&b["endedAt"])?)))
            .collect()
    }

    fn busy(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.busy_except(None)
    }

    /// None when the key header is right; `Authorization` does not count.
    fn auth(&self, headers: &HeaderMap) -> Option<Response> {
        let sent = headers.get("x-jicoo-api-key").and_then(|v| v.to_str().ok());
        if sent == Some(self.key.as_str()) {
            return None;
        }
        Some(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "No valid API key provided.",
        ))
    }
}

/// Jicoo's own format: UTC with milliseconds.
fn millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": { "code": code, "message": message } });
    (status, Json(body)).into_response()
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_request", message)
}

fn not_found(message: &str) -> Response {
    error(StatusCode::NOT_FOUND, "not_found", message)
}

/// A 30-minute event type whose questions cover the kinds the adapter maps.
pub fn event_type() -> Value {
    let q = |uid: &str, title: &str, kind: &str, required: bool| json!({ "uid": uid, "title": title, "type": kind, "required": required });
    let mut size = q("q_size", "Team size", "select", true);
    size["options"] = json!(["1-10", "11-50", "51+"]);
    let mut topics = q("q_topics", "Topics", "checkbox", false);
    topics["options"] = json!([{ "label": "Pricing" }, { "label": "Security" }]);
    let goal = json!({ "uid": "q_goal", "label": "What would you like to discuss?",
                       "type": "textarea", "required": false });
    json!({
        "uid": EVENT_TYPE_UID, "name": "Intro call", "description": "A first call with Hanako.",
        "status": "enable", "duration": 30, "locationId": "googleMeet",
        "questions": [
            q("q_company", "Company", "text", true),
            goal, size, topics,
            q("q_phone", "Phone", "phone", false),
            q("q_site", "Website", "url", false),
            q("q_seats", "Seats", "number", false),
            q("q_consent", "I agree to the privacy policy", "checkbox", true),
            q("q_day", "Preferred follow-up day", "date", false),
            // A uid that cannot be a form field name.
            q("q bad", "Unusable", "text", false),
        ],
        "createdAt": "2024-03-01T20:00:00.000Z", "updatedAt": "2024-03-01T20:00:00.000Z"
    })
}

fn page(q: &BTreeMap<String, String>, items: Vec<Value>) -> Value {
    let number = |k: &str, d: usize| q.get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
    let (current, per) = (
        number("page", 1).max(1),
        number("perPage", 20).clamp(1, 100),
    );
    let data: Vec<Value> = items
        .iter()
        .skip((current - 1) * per)
        .take(per)
        .cloned()
        .collect();
    json!({ "data": data, "totalCount": items.len(), "count": data.len(), "currentPage": current })
}

async fn event_types(
    State(fake): State<Arc<Jicoo>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(denied) = fake.auth(&headers) {
        return denied;
    }
    let all = vec![lock(&fake.event_type).clone()];
    Json(page(&q, all)).into_response()
}

async fn event_type_route(
    State(fake): State<Arc<Jicoo>>,
    Path(uid): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = fake.auth(&headers) {
        return denied;
    }
    if uid != EVENT_TYPE_UID {
        return not_found("Event type not found.");
    }
    Json(json!({ "data": lock(&fake.event_type).clone() })).into_response()
}

/// `periodStart`/`periodEnd` (production client code) or `startedAt`/`endedAt` (a
/// generated connector): both are accepted; a window over 7 days is refused.
async fn available_schedules(
    State(fake): State<Arc<Jicoo>>,
    Path(uid): Path<String>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(denied) = fake.auth(&headers) {
        return denied;
    }
    if uid != EVENT_TYPE_UID {
        return not_found("Event type not found.");
    }
    let param = |a: &str, b: &str| {
        q.get(a)
            .or_else(|| q.get(b))
            .and_then(|v| instant(&json!(v)))
    };
    let (Some(from), Some(to)) = (
        param("periodStart", "startedAt"),
        param("periodEnd", "endedAt"),
    ) else {
        return bad_request("periodStart and periodEnd are required ISO 8601 date-times.");
    };
    if q.get("timeZone").is_some_and(|z| z.parse::<Tz>().is_err()) {
        return bad_request("timeZone must be an IANA time zone.");
    }
    if to <= from || to - from > TimeDelta::days(MAX_WINDOW_DAYS) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "parameter_error",
            "The period must be at most 7 days.",
        );
    }
    let duration = fake.duration();
    let busy = fake.busy();
    let mut data: Vec<(DateTime<Utc>, u32)> = fake
        .schedule
        .free(from, to, duration, &busy)
        .into_iter()
        .map(|start| (start, 1))
        .collect();
    if *lock(&fake.list_full) {
        let full = fake.schedule.free(from, to, duration, &[]);
        data.extend(
            full.into_iter()
                .filter(|s| !data.iter().any(|(f, _)| f == s))
                .map(|s| (s, 0))
                .collect::<Vec<_>>(),
        );
        data.sort();
    }
    let data: Vec<Value> = data
        .into_iter()
        .map(|(s, n)| json!({ "startedAt": millis(s), "remainingCapacity": n }))
        .collect();
    Json(json!({ "data": data })).into_response()
}

/// What is wrong with a Create Booking body, checked as docs/providers.md, Jicoo: Create
/// booking lists it.
fn invalid(body: &Value, event_type: &Value) -> Option<String> {
    let Some(object) = body.as_object() else {
        return Some("The body must be a JSON object.".into());
    };
    if let Some(key) = object.keys().find(|k| !BOOKING_KEYS.contains(&k.as_str())) {
        return Some(format!("{key} is not a permitted parameter."));
    }
    let text = |key: &str, max: usize, required: bool| -> Option<String> {
        match object.get(key) {
            None | Some(Value::Null) if !required => None,
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => None,
            _ => Some(format!("{key} must be a string of 1 to {max} characters.")),
        }
    };
    let checks = [
        text("eventTypeId", 255, true),
        text("startedAt", 64, true),
        text("timeZone", 64, true),
        text("email", 255, true),
        text("name", 64, true),
        text("company", 32, false),
        text("phoneNumber", 32, false),
        text("message", 2000, false),
    ];
    if let Some(problem) = checks.into_iter().flatten().next() {
        return Some(problem);
    }
    if !body["startedAt"].as_str().is_some_and(|s| s.ends_with('Z'))
        || instant(&body["startedAt"]).is_none()
    {
        return Some("startedAt must be an ISO 8601 date-time in UTC.".into());
    }
    let zone = body["timeZone"].as_str().unwrap_or_default();
    if zone.parse::<Tz>().is_err() {
        return Some("timeZone must be an IANA time zone.".into());
    }
    if !body["email"].as_str().unwrap_or_default().contains('@') {
        return Some("email is invalid.".into());
    }
    if !object.contains_key("locationId") && !object.contains_key("location") {
        return Some("locationId is required (it may be null).".into());
    }
    let locations = [
        "inPerson",
        "phone",
        "zoom",
        "googleMeet",
        "askInvitee",
        "teams",
        "custom",
    ];
    if let Some(id) = body.get("locationId").filter(|v| !v.is_null()) {
        if !id.as_str().is_some_and(|id| locations.contains(&id)) {
            return Some("locationId is not a known location.".into());
        }
    }
    if let Some(cc) = object.get("ccEmails") {
        let ok = cc.as_array().is_some_and(|a| {
            a.len() <= 30
                && a.iter()
                    .all(|e| e.as_str().is_some_and(|e| e.contains('@')))
        });
        if !ok {
            return Some("ccEmails must be at most 30 email addresses.".into());
        }
    }
    if body
        .get("locale")
        .is_some_and(|l| !matches!(l.as_str(), Some("ja" | "en")))
    {
        return Some("locale must be ja or en.".into());
    }
    answers_invalid(body.get("answers"), event_type)
}

/// `answers[{questionUid, content}]` against the event type's questions.
fn answers_invalid(answers: Option<&Value>, event_type: &Value) -> Option<String> {
    let empty = Vec::new();
    let answers = match answers {
        None | Some(Value::Null) => &empty,
        Some(Value::Array(a)) => a,
        Some(_) => return Some("answers must be an array.".into()),
    };
    let questions = event_type["questions"].as_array().unwrap_or(&empty);
    let mut given: Map<String, Value> = Map::new();
    for answer in answers {
        let Some(uid) = answer["questionUid"].as_str() else {
            return Some("answers[].questionUid is required.".into());
        };
        let Some(question) = questions.iter().find(|q| q["uid"] == uid) else {
            return Some(format!("answers: no question {uid}."));
        };
        let content = &answer["content"];
        let ok = content.is_string()
            || content
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string));
        if !ok {
            return Some(format!(
                "answers[{uid}].content must be a string or strings."
            ));
        }
        let options: Vec<&str> = question["options"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.as_str().or_else(|| o["label"].as_str()))
            .collect();
        let chosen: Vec<&str> = match content {
            Value::String(s) => vec![s.as_str()],
            _ => content
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect(),
        };
        if !options.is_empty() && chosen.iter().any(|c| !options.contains(c)) {
            return Some(format!("answers[{uid}]: not one of the options."));
        }
        given.insert(uid.to_owned(), content.clone());
    }
    for question in questions.iter().filter(|q| q["required"] == true) {
        let uid = question["uid"].as_str().unwrap_or_default();
        let answered = match given.get(uid) {
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(Value::Array(a)) => !a.is_empty(),
            _ => false,
        };
        if !answered {
            return Some(format!("answers: question {uid} is required."));
        }
    }
    None
}

async fn create(
    State(fake): State<Arc<Jicoo>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(denied) = fake.auth(&headers) {
        return denied;
    }
    let event_type = lock(&fake.event_type).clone();
    if let Some(problem) = invalid(&body, &event_type) {
        return bad_request(&problem);
    }
    if body["eventTypeId"] != EVENT_TYPE_UID {
        return not_found("Event type not found.");
    }
    let Some(start) = instant(&body["startedAt"]) else {
        return bad_request("startedAt must be an ISO 8601 date-time in UTC.");
    };
    let duration = fake.duration();
    if !fake.schedule.is_free(start, duration, &fake.busy()) {
        let status = *lock(&fake.conflict);
        return error(status, "unavailable", "The selected time is not available.");
    }
    let status = if *lock(&fake.approval) {
        "request"
    } else {
        "open"
    };
    let location = body.get("locationId").filter(|v| !v.is_null());
    let location = location.unwrap_or(&event_type["locationId"]).clone();
    let now = millis(Utc::now());
    let booking = json!({
        "uid": format!("bk_{}", crate::random_id(16)), "eventTypeId": EVENT_TYPE_UID,
        "name": event_type["name"], "description": null, "status": status,
        "startedAt": millis(start), "endedAt": millis(start + TimeDelta::minutes(duration)),
        "locationId": location,
        "url": if location == "googleMeet" { json!(MEETING_URL) } else { Value::Null },
        "phoneNumber": null, "address": null, "customLocation": null, "access": null,
        "timeZone": body["timeZone"], "priority": null,
        "cancelReason": null, "cancelledAt": null, "cancelledBy": null,
        "hosts": [ { "userId": "cfmSbUHeizSoZob9cRA3N8fmfKg1", "role": "admin" } ],
        // Jicoo's webhooks carry the guest as `contact`; listings are inferred to as well.
        "contact": { "name": body["name"], "email": body["email"], "phone": body["phoneNumber"] },
        "createdAt": now, "updatedAt": now,
    });
    lock(&fake.bookings).push(booking.clone());
    let body = match *lock(&fake.created) {
        Created::Wrapped => json!({ "data": booking }),
        Created::Bare => booking,
        Created::Unreadable => json!({ "ok": true }),
    };
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `GET /v1/bookings`: `status`, `startedAt`/`endedAt` (bookings inside the range),
/// `page`/`perPage`.
async fn list(
    State(fake): State<Arc<Jicoo>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(denied) = fake.auth(&headers) {
        return denied;
    }
    let bound = |k: &str| q.get(k).and_then(|v| instant(&json!(v)));
    let (after, before) = (bound("startedAt"), bound("endedAt"));
    let items: Vec<Value> = fake
        .bookings()
        .into_iter()
        .filter(|b| q.get("status").is_none_or(|s| b["status"] == s.as_str()))
        .filter(|b| after.is_none_or(|a| instant(&b["startedAt"]).is_some_and(|s| s >= a)))
        .filter(|b| before.is_none_or(|e| instant(&b["endedAt"]).is_some_and(|s| s <= e)))
        .collect();
    Json(page(&q, items)).into_response()
}

async fn booking_route(
    State(fake): State<Arc<Jicoo>>,
    Path(uid): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = fake.auth(&headers) {
        return denied;
    }
    match fake
        .bookings()
        .into_iter()
        .find(|b| b["uid"] == uid.as_str())
    {
        Some(booking) => Json(json!({ "data": booking, "errors": {} })).into_response(),
        None => not_found("Booking not found."),
    }
}

/// The reason may come as `reason` (client code) or `cancelReason` (the Booking field),
/// or not at all.
async fn cancel(
    State(fake): State<Arc<Jicoo>>,
    Path(uid): Path<String>,
    headers: HeaderMap,
    body: Option<Json<Value>>,
) -> Response {
    if let Some(denied) = fake.auth(&headers) {
        return denied;
    }
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    let reason = body
        .get("reason")
        .or_else(|| body.get("cancelReason"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut bookings = lock(&fake.bookings);
    let Some(booking) = bookings.iter_mut().find(|b| b["uid"] == uid.as_str()) else {
        return not_found("Booking not found.");
    };
    if booking["status"] == "cancel" {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "parameter_error",
            "The booking is already cancelled.",
        );
    }
    booking["status"] = json!("cancel");
    booking["cancelReason"] = reason;
    booking["cancelledAt"] = json!(millis(Utc::now()));
    booking["cancelledBy"] = json!("host");
    Json(json!({ "data": booking.clone() })).into_response()
}

/// `{timeZone, startedAt}`, both required; the same uid at the new time. A time that is
/// not free is 422, as the Reschedule page's "Parameter Error" (inferred).
async fn reschedule(
    State(fake): State<Arc<Jicoo>>,
    Path(uid): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(denied) = fake.auth(&headers) {
        return denied;
    }
    let parameter_error =
        |message: &str| error(StatusCode::UNPROCESSABLE_ENTITY, "parameter_error", message);
    let zone_ok = body["timeZone"]
        .as_str()
        .is_some_and(|z| z.parse::<chrono_tz::Tz>().is_ok());
    let start = body["startedAt"]
        .as_str()
        .filter(|s| s.ends_with('Z'))
        .and_then(|s| instant(&json!(s)));
    let (Some(start), true) = (start, zone_ok) else {
        return parameter_error("timeZone and startedAt (UTC) are required.");
    };
    let free = fake
        .schedule
        .is_free(start, fake.duration(), &fake.busy_except(Some(&uid)));
    let mut bookings = lock(&fake.bookings);
    let Some(booking) = bookings.iter_mut().find(|b| b["uid"] == uid.as_str()) else {
        return not_found("Booking not found.");
    };
    if booking["status"] == "cancel" {
        return parameter_error("The booking is cancelled.");
    }
    if !free {
        return parameter_error("The selected time is not available.");
    }
    let length = fake.duration();
    booking["startedAt"] = json!(millis(start));
    booking["endedAt"] = json!(millis(start + TimeDelta::minutes(length)));
    booking["timeZone"] = body["timeZone"].clone();
    booking["updatedAt"] = json!(millis(Utc::now()));
    Json(json!({ "data": booking.clone() })).into_response()
}
