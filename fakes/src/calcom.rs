//! Cal.com API v2 (docs/providers.md, Cal.com): routed on path *and* `cal-api-version`,
//! Bearer key, `{status, data}` bodies, Nest's error envelope, `X-RateLimit-*-Default`
//! headers, the 400 (not 409) for a taken slot, and slot reservations that hide their time
//! until they lapse, are deleted or are used by a booking naming them (`reservedSlotUid`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::schedule::Schedule;
use crate::{instant, lock};

pub const EVENT_TYPE_ID: i64 = 1234;
pub const TAKEN: &str = "User either already has booking at this time or is not available";
pub const OUT_OF_BOUNDS: &str = "The event type can't be booked at the \"start\" time provided. This could be because it's too soon (violating the minimum booking notice) or too far in the future (outside the event's scheduling window). Try fetching available slots first using the GET /v2/slots endpoint and then make a booking with \"start\" time equal to one of the available slots.";

/// What Cal.com answers a booking of a time someone else reserved first (newer Cal.com,
/// with the number of seconds left).
pub const RESERVED_BY_OTHERS: &str =
    "Someone else reserved this booking time slot before you. This time slot will be freed up in";

pub struct Calcom {
    key: String,
    /// Event type `EVENT_TYPE_ID` as `GET /v2/event-types/{id}` returns it.
    pub event_type: Mutex<Value>,
    schedule: Schedule,
    bookings: Mutex<Vec<Value>>,
    reservations: Mutex<Vec<Reservation>>,
}

/// A slot reserved through `POST /v2/slots/reservations`: hidden from the slots and from
/// others' bookings until `until`, or until deleted or used by a booking naming it.
#[derive(Clone, Debug)]
pub struct Reservation {
    pub uid: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// `deleted` or `booked` once gone before its time.
    pub gone: Option<&'static str>,
}

impl Reservation {
    fn live(&self, now: DateTime<Utc>) -> bool {
        self.gone.is_none() && self.until > now
    }
}

impl Calcom {
    pub fn new(key: &str) -> Arc<Self> {
        Arc::new(Self {
            key: key.to_owned(),
            event_type: Mutex::new(event_type(false)),
            schedule: Schedule::new(chrono_tz::Europe::Rome),
            bookings: Mutex::new(Vec::new()),
            reservations: Mutex::new(Vec::new()),
        })
    }

    /// Reservations made so far, live or not.
    pub fn reservations(&self) -> Vec<Reservation> {
        lock(&self.reservations).clone()
    }

    /// Lets every reservation's time run out, as if its minutes had passed.
    pub fn expire_reservations(&self) {
        let past = Utc::now() - TimeDelta::seconds(1);
        for r in lock(&self.reservations).iter_mut() {
            r.until = r.until.min(past);
        }
    }

    /// Times of live reservations, but `except`'s.
    fn reserved(&self, except: Option<&str>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let now = Utc::now();
        lock(&self.reservations)
            .iter()
            .filter(|r| r.live(now) && except.is_none_or(|uid| r.uid != uid))
            .map(|r| (r.start, r.end))
            .collect()
    }

    /// Bookings made so far, as the fake stored them.
    pub fn bookings(&self) -> Vec<Value> {
        lock(&self.bookings).clone()
    }

    /// Gives the event type one length (no `lengthInMinutesOptions`), as most have.
    pub fn single_length(&self, minutes: i64) {
        let mut event_type = lock(&self.event_type);
        event_type["lengthInMinutes"] = json!(minutes);
        if let Some(object) = event_type.as_object_mut() {
            object.remove("lengthInMinutesOptions");
        }
    }

    /// Makes the event type need the host's confirmation (bookings come back `pending`).
    pub fn require_confirmation(&self) {
        lock(&self.event_type)["confirmationPolicy"] = json!({
            "type": "always", "noticeThreshold": null, "blockUnconfirmedBookingsInBooker": true
        });
    }

    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/v2/event-types/{id}", get(event_type_route))
            .route("/v2/slots", get(slots))
            .route("/v2/bookings", post(create).get(list))
            .route("/v2/bookings/{uid}/cancel", post(cancel))
            .route("/v2/bookings/{uid}/reschedule", post(reschedule))
            .route("/v2/slots/reservations", post(reserve))
            .route(
                "/v2/slots/reservations/{uid}",
                axum::routing::delete(unreserve),
            )
            .layer(axum::middleware::map_response(rate_headers))
            .with_state(self.clone())
    }

    /// Times taken by bookings, but `except`'s (a booking being moved).
    fn busy_except(&self, except: Option<&str>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        lock(&self.bookings)
            .iter()
            .filter(|b| b["status"] != "cancelled")
            .filter(|b| except.is_none_or(|uid| b["uid"] != uid))
            .filter_map(|b| Some((instant(&b["start"])?, instant(&b["end"])?)))
            .collect()
    }

    fn busy(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.busy_except(None)
    }

    /// None when the key is right, or no key is sent where auth is optional.
    fn auth(&self, headers: &HeaderMap, required: bool, path: &str) -> Option<Response> {
        match headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some(value) if value == format!("Bearer {}", self.key) => None,
            None if !required => None,
            _ => Some(error(
                StatusCode::UNAUTHORIZED,
                "UnauthorizedException",
                "Invalid Access Token.",
                path,
            )),
        }
    }
}

fn version(headers: &HeaderMap) -> &str {
    headers
        .get("cal-api-version")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Nest's envelope, as Cal.com's `HttpExceptionFilter` writes it.
fn error(status: StatusCode, code: &str, message: &str, path: &str) -> Response {
    let body = json!({
        "status": "error", "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "path": path,
        "error": { "code": code, "message": message,
                   "details": { "message": message, "error": status.canonical_reason(), "statusCode": status.as_u16() } }
    });
    (status, Json(body)).into_response()
}

fn bad_request(message: &str, path: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "BadRequestException",
        message,
        path,
    )
}

/// Without the endpoint's own version a request lands on the legacy controllers.
fn legacy_404(method: &str, path: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NotFoundException",
        &format!("Cannot {method} {path}"),
        path,
    )
}

async fn rate_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit-default", HeaderValue::from(120));
    headers.insert("x-ratelimit-remaining-default", HeaderValue::from(119));
    headers.insert("x-ratelimit-reset-default", HeaderValue::from(60));
    response
}

/// A one-on-one event type with a field of every kind Cal.com has.
pub fn event_type(confirm: bool) -> Value {
    let default = |kind: &str, slug: &str, required: bool| json!({ "isDefault": true, "type": kind, "slug": slug, "required": required, "hidden": false });
    let custom = |kind: &str, slug: &str, label: &str, required: bool| json!({ "isDefault": false, "type": kind, "slug": slug, "label": label, "required": required, "hidden": false });
    let mut select = custom("select", "company-size", "Company size", true);
    select["options"] = json!(["1-10", "11-50", "51+"]);
    let mut topics = custom("multiselect", "topics", "Topics", false);
    topics["options"] = json!(["Pricing", "Security", "Integrations"]);
    let mut radio = custom("radio", "contact-by", "Contact me by", false);
    radio["options"] = json!(["Email", "Phone"]);
    // Shown by Cal.com only when rescheduling; the proxy must leave it out anyway.
    let reschedule = default("textarea", "rescheduleReason", false);
    let mut hidden = custom("text", "utm", "Campaign", false);
    hidden["hidden"] = json!(true);
    json!({
        "id": EVENT_TYPE_ID, "title": "30 min intro", "slug": "intro",
        "description": "A first call with Bob.", "lengthInMinutes": 30, "lengthInMinutesOptions": [30, 60],
        "locations": [ { "type": "integration", "integration": "cal-video" } ],
        "bookingFields": [
            default("name", "name", true), default("email", "email", true),
            default("radioInput", "location", false),
            default("textarea", "notes", false), default("multiemail", "guests", false),
            reschedule,
            custom("phone", "attendeePhoneNumber", "Phone", false),
            select, topics, radio, hidden,
            custom("number", "seats", "Seats", false),
            custom("url", "website", "Website", false),
            custom("boolean", "newsletter", "Send me the newsletter", false),
            custom("text", "role", "Your role", true),
        ],
        "disableGuests": false, "slotInterval": null, "minimumBookingNotice": 120,
        "beforeEventBuffer": 0, "afterEventBuffer": 0, "recurrence": null, "metadata": {},
        "price": 0, "currency": "usd", "lockTimeZoneToggleOnBookingPage": false,
        "seatsPerTimeSlot": null, "forwardParamsSuccessRedirect": null, "successRedirectUrl": null,
        "isInstantEvent": false, "scheduleId": 55, "hidden": false, "bookingRequiresAuthentication": false,
        "confirmationPolicy": if confirm { json!({"type": "always"}) } else { Value::Null },
        "ownerId": 10, "users": [ { "id": 10, "name": "Bob", "username": "bob" } ]
    })
}

async fn event_type_route(
    State(fake): State<Arc<Calcom>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/v2/event-types/{id}");
    if version(&headers) != "2024-06-14" {
        return legacy_404("GET", &path);
    }
    if let Some(denied) = fake.auth(&headers, true, &path) {
        return denied;
    }
    if id != EVENT_TYPE_ID.to_string() {
        let message = format!("Event type with id {id} not found.");
        return error(StatusCode::NOT_FOUND, "NotFoundException", &message, &path);
    }
    let data = lock(&fake.event_type).clone();
    Json(json!({ "status": "success", "data": data })).into_response()
}

async fn slots(
    State(fake): State<Arc<Calcom>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let path = "/v2/slots";
    if version(&headers) != "2024-09-04" {
        return legacy_404("GET", path);
    }
    if let Some(denied) = fake.auth(&headers, false, path) {
        return denied;
    }
    let parse = |name: &str| q.get(name).and_then(|v| instant(&json!(v)));
    let (Some(start), Some(end)) = (parse("start"), parse("end")) else {
        return bad_request("start and end must be valid ISO 8601 date strings", path);
    };
    if q.get("eventTypeId").map(String::as_str) != Some(&EVENT_TYPE_ID.to_string()) {
        let message = format!(
            "Event type with id {} not found.",
            q.get("eventTypeId").map_or("", |s| s)
        );
        return error(StatusCode::NOT_FOUND, "NotFoundException", &message, path);
    }
    let zone: Tz = match q.get("timeZone").map_or(Ok(Tz::UTC), |z| z.parse()) {
        Ok(zone) => zone,
        Err(_) => return bad_request("timeZone must be a valid IANA time zone", path),
    };
    let fixed = lock(&fake.event_type)["lengthInMinutes"]
        .as_i64()
        .unwrap_or(30);
    let duration = q
        .get("duration")
        .and_then(|d| d.parse().ok())
        .unwrap_or(fixed);
    let mut data: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    // A booking being moved does not stand in its own way.
    let moving = q.get("bookingUidToReschedule").map(String::as_str);
    let mut busy = fake.busy_except(moving);
    busy.extend(fake.reserved(None));
    for start in fake.schedule.free(start, end, duration, &busy) {
        let local = start.with_timezone(&zone);
        data.entry(local.format("%Y-%m-%d").to_string())
            .or_default()
            .push(json!({ "start": local.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string() }));
    }
    Json(json!({ "status": "success", "data": data })).into_response()
}

async fn create(
    State(fake): State<Arc<Calcom>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let path = "/v2/bookings";
    if !matches!(version(&headers), "2024-08-13" | "2026-02-25") {
        // The legacy controller wants a different body; this one fails its validation.
        return bad_request("Bad Request Exception", path);
    }
    if let Some(denied) = fake.auth(&headers, false, path) {
        return denied;
    }
    let event_type = lock(&fake.event_type).clone();
    if body["eventTypeId"] != json!(EVENT_TYPE_ID) {
        let message = format!("Event type with id {} not found.", body["eventTypeId"]);
        return error(StatusCode::NOT_FOUND, "NotFoundException", &message, path);
    }
    let Some(start) = body["start"]
        .as_str()
        .filter(|s| s.ends_with('Z'))
        .and_then(|s| instant(&json!(s)))
    else {
        return bad_request("start must be a valid ISO 8601 date string in UTC", path);
    };
    let attendee = &body["attendee"];
    if !attendee["name"].is_string()
        || attendee["timeZone"]
            .as_str()
            .and_then(|z| z.parse::<Tz>().ok())
            .is_none()
    {
        return bad_request(
            "attendee.name and a valid attendee.timeZone are required",
            path,
        );
    }
    if !attendee["email"].is_string() && !attendee["phoneNumber"].is_string() {
        return bad_request(
            "Attendee must have at least one contact method (email or phone number)",
            path,
        );
    }
    let fixed = event_type["lengthInMinutes"].as_i64().unwrap_or(30);
    let options = event_type["lengthInMinutesOptions"].as_array().cloned();
    let length = match (body.get("lengthInMinutes"), options) {
        (None, _) => fixed,
        (Some(_), None) => {
            return bad_request(
                "Can't specify 'lengthInMinutes' because event type does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request.",
                path,
            )
        }
        (Some(asked), Some(options)) if options.contains(asked) => asked.as_i64().unwrap_or(fixed),
        (Some(_), Some(_)) => {
            return bad_request("lengthInMinutes must be one of the event type's lengths", path)
        }
    };
    let responses = &body["bookingFieldsResponses"];
    for field in event_type["bookingFields"].as_array().into_iter().flatten() {
        let slug = field["slug"].as_str().unwrap_or_default();
        let asked_elsewhere = matches!(slug, "name" | "email" | "guests");
        if field["required"] == true && !asked_elsewhere && responses[slug].is_null() {
            return bad_request(&format!("{slug} - Required"), path);
        }
    }
    if start < Utc::now() {
        return bad_request("Attempting to book a meeting in the past.", path);
    }
    let end = start + TimeDelta::minutes(length);
    let busy = fake.busy();
    if busy.iter().any(|(b0, b1)| start < *b1 && *b0 < end) {
        return bad_request(TAKEN, path);
    }
    if !fake.schedule.is_free(start, length, &[]) {
        return bad_request(OUT_OF_BOUNDS, path);
    }
    // Another's live reservation of the time stands in the way; the booking's own
    // (`reservedSlotUid`) is used up with it.
    let own = body["reservedSlotUid"].as_str();
    let others = fake.reserved(own);
    if others.iter().any(|(r0, r1)| start < *r1 && *r0 < end) {
        return bad_request(&format!("{RESERVED_BY_OTHERS} 300 seconds."), path);
    }
    if let Some(own) = own {
        for r in lock(&fake.reservations).iter_mut() {
            if r.uid == own && r.gone.is_none() {
                r.gone = Some("booked");
            }
        }
    }
    let uid = format!("bk_{}", crate::random_id(16));
    let status = if event_type["confirmationPolicy"].is_null() {
        "accepted"
    } else {
        "pending"
    };
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let booking = json!({
        "id": lock(&fake.bookings).len() + 1, "uid": uid,
        "title": format!("{} between Bob and {}", event_type["title"].as_str().unwrap_or(""), attendee["name"].as_str().unwrap_or("")),
        "description": "", "status": status, "start": at(start), "end": at(end), "duration": length,
        "eventTypeId": EVENT_TYPE_ID, "eventType": { "id": EVENT_TYPE_ID, "slug": "intro" },
        "location": format!("https://app.cal.com/video/{uid}"),
        "hosts": [ { "id": 10, "name": "Bob", "email": "bob@example.com", "username": "bob", "timeZone": "Europe/Rome" } ],
        "attendees": [ attendee ], "guests": body["guests"].clone(),
        "bookingFieldsResponses": responses.clone(), "metadata": body["metadata"].clone(),
        "absentHost": false, "createdAt": at(Utc::now()), "updatedAt": null,
    });
    lock(&fake.bookings).push(booking.clone());
    (
        StatusCode::CREATED,
        Json(json!({ "status": "success", "data": booking })),
    )
        .into_response()
}

/// `GET /v2/bookings` (auth required), filtered the way the proxy's lookup asks.
async fn list(
    State(fake): State<Arc<Calcom>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let path = "/v2/bookings";
    if !matches!(version(&headers), "2024-08-13" | "2026-02-25") {
        return legacy_404("GET", path);
    }
    if let Some(denied) = fake.auth(&headers, true, path) {
        return denied;
    }
    let after = q.get("afterStart").and_then(|v| instant(&json!(v)));
    let before = q.get("beforeEnd").and_then(|v| instant(&json!(v)));
    let data: Vec<Value> = fake
        .bookings()
        .into_iter()
        .filter(|b| {
            let email = q.get("attendeeEmail");
            email.is_none_or(|e| b["attendees"][0]["email"].as_str() == Some(e))
        })
        .filter(|b| after.is_none_or(|a| instant(&b["start"]).is_some_and(|s| s >= a)))
        .filter(|b| before.is_none_or(|e| instant(&b["end"]).is_some_and(|s| s <= e)))
        .collect();
    Json(json!({ "status": "success", "data": data })).into_response()
}

async fn cancel(
    State(fake): State<Arc<Calcom>>,
    Path(uid): Path<String>,
    headers: HeaderMap,
    body: Option<Json<Value>>,
) -> Response {
    let path = format!("/v2/bookings/{uid}/cancel");
    if !matches!(version(&headers), "2024-08-13" | "2026-02-25") {
        return legacy_404("POST", &path);
    }
    let reason = body.and_then(|Json(b)| b.get("cancellationReason").cloned());
    let mut bookings = lock(&fake.bookings);
    match bookings.iter_mut().find(|b| b["uid"] == uid.as_str()) {
        Some(booking) => {
            booking["status"] = json!("cancelled");
            if let Some(reason) = reason {
                booking["cancellationReason"] = reason;
            }
            Json(json!({ "status": "success", "data": booking })).into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "NotFoundException",
            &format!("Booking with uid={uid} was not found in the database"),
            &path,
        ),
    }
}

/// A new booking with a new uid at `start`, of the old one's length; the old one is
/// cancelled and points at it (docs/providers.md, Cal.com: Reschedule).
async fn reschedule(
    State(fake): State<Arc<Calcom>>,
    Path(uid): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/v2/bookings/{uid}/reschedule");
    if !matches!(version(&headers), "2024-08-13" | "2026-02-25") {
        return legacy_404("POST", &path);
    }
    if let Some(denied) = fake.auth(&headers, false, &path) {
        return denied;
    }
    let Some(start) = body["start"]
        .as_str()
        .filter(|s| s.ends_with('Z'))
        .and_then(|s| instant(&json!(s)))
    else {
        return bad_request("start must be a valid ISO 8601 date string in UTC", &path);
    };
    let Some(old) = fake
        .bookings()
        .into_iter()
        .find(|b| b["uid"] == uid.as_str())
    else {
        let message = format!("Booking with uid={uid} not found");
        return error(StatusCode::NOT_FOUND, "NotFoundException", &message, &path);
    };
    if old["status"] == "cancelled" {
        return bad_request("Can't reschedule a cancelled booking", &path);
    }
    if start < Utc::now() {
        return bad_request("Attempting to book a meeting in the past.", &path);
    }
    let length = old["duration"].as_i64().unwrap_or(30);
    let end = start + TimeDelta::minutes(length);
    let busy = fake.busy_except(Some(&uid));
    if busy.iter().any(|(b0, b1)| start < *b1 && *b0 < end) {
        return bad_request(TAKEN, &path);
    }
    let reserved = fake.reserved(None);
    if reserved.iter().any(|(r0, r1)| start < *r1 && *r0 < end) {
        return bad_request(&format!("{RESERVED_BY_OTHERS} 300 seconds."), &path);
    }
    if !fake.schedule.is_free(start, length, &[]) {
        return bad_request(OUT_OF_BOUNDS, &path);
    }
    let new_uid = format!("bk_{}", crate::random_id(16));
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut bookings = lock(&fake.bookings);
    let mut moved = old.clone();
    moved["id"] = json!(bookings.len() + 1);
    moved["uid"] = json!(new_uid);
    moved["start"] = json!(at(start));
    moved["end"] = json!(at(end));
    moved["location"] = json!(format!("https://app.cal.com/video/{new_uid}"));
    moved["rescheduledFromUid"] = json!(uid);
    moved["reschedulingReason"] = body["reschedulingReason"].clone();
    moved["createdAt"] = json!(at(Utc::now()));
    if let Some(before) = bookings.iter_mut().find(|b| b["uid"] == uid.as_str()) {
        before["status"] = json!("cancelled");
        before["rescheduled"] = json!(true);
        before["rescheduledToUid"] = json!(new_uid);
    }
    bookings.push(moved.clone());
    (
        StatusCode::CREATED,
        Json(json!({ "status": "success", "data": moved })),
    )
        .into_response()
}

/// `POST /v2/slots/reservations` (`ReserveSlotInput_2024_09_04`): 201 with the
/// reservation; `reservationDuration` only with the key (else 5 minutes).
async fn reserve(
    State(fake): State<Arc<Calcom>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let path = "/v2/slots/reservations";
    if version(&headers) != "2024-09-04" {
        return legacy_404("POST", path);
    }
    if let Some(denied) = fake.auth(&headers, false, path) {
        return denied;
    }
    if body["eventTypeId"] != json!(EVENT_TYPE_ID) {
        let message = format!("Event type with id {} not found.", body["eventTypeId"]);
        return error(StatusCode::NOT_FOUND, "NotFoundException", &message, path);
    }
    let Some(start) = body["slotStart"]
        .as_str()
        .filter(|s| s.ends_with('Z'))
        .and_then(|s| instant(&json!(s)))
    else {
        return bad_request(
            "slotStart must be a valid ISO 8601 date string in UTC",
            path,
        );
    };
    let minutes = match &body["reservationDuration"] {
        Value::Null => 5,
        _ if headers.get("authorization").is_none() => {
            let message = "reservationDuration can only be used for authenticated requests";
            return error(
                StatusCode::UNAUTHORIZED,
                "UnauthorizedException",
                message,
                path,
            );
        }
        m => match m.as_i64().filter(|m| *m > 0) {
            Some(m) => m,
            None => return bad_request("reservationDuration must be a positive number", path),
        },
    };
    let fixed = lock(&fake.event_type)["lengthInMinutes"]
        .as_i64()
        .unwrap_or(30);
    let length = match &body["slotDuration"] {
        Value::Null => fixed,
        d => match d.as_i64().filter(|d| *d > 0) {
            Some(d) => d,
            None => return bad_request("slotDuration must be a positive number", path),
        },
    };
    let mut busy = fake.busy();
    busy.extend(fake.reserved(None));
    if !fake.schedule.is_free(start, length, &busy) {
        return bad_request(TAKEN, path);
    }
    let now = Utc::now();
    let reservation = Reservation {
        uid: format!("{}-{}", crate::random_id(8), crate::random_id(12)),
        start,
        end: start + TimeDelta::minutes(length),
        until: now + TimeDelta::minutes(minutes),
        gone: None,
    };
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let data = json!({
        "eventTypeId": EVENT_TYPE_ID, "slotStart": at(reservation.start),
        "slotEnd": at(reservation.end), "slotDuration": length,
        "reservationUid": reservation.uid, "reservationDuration": minutes,
        "reservationUntil": at(reservation.until),
    });
    lock(&fake.reservations).push(reservation);
    (
        StatusCode::CREATED,
        Json(json!({ "status": "success", "data": data })),
    )
        .into_response()
}

/// `DELETE /v2/slots/reservations/{uid}`: the slot is offered again.
async fn unreserve(
    State(fake): State<Arc<Calcom>>,
    Path(uid): Path<String>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/v2/slots/reservations/{uid}");
    if version(&headers) != "2024-09-04" {
        return legacy_404("DELETE", &path);
    }
    if let Some(denied) = fake.auth(&headers, false, &path) {
        return denied;
    }
    let now = Utc::now();
    let mut reservations = lock(&fake.reservations);
    match reservations
        .iter_mut()
        .find(|r| r.uid == uid && r.live(now))
    {
        Some(r) => {
            r.gone = Some("deleted");
            Json(json!({ "status": "success" })).into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "NotFoundException",
            &format!("Reserved slot with uid {uid} not found"),
            &path,
        ),
    }
}
