//! Vyte API v2 (docs/providers.md, Vyte): the raw key in `Authorization` (no `Bearer`),
//! `{message}` errors, `/v2/slots` by users or emails with dates in the asked zone, events
//! with Mongo-like ids that are confirmed, cancelled (`OK` as text) or moved. Vyte does not
//! check a create against the calendar; `Knobs` can make it (unknown: docs/providers.md,
//! Vyte: Taken slot).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use rand::Rng;
use serde_json::{json, Value};

use crate::schedule::{at_hour, Schedule};
use crate::{instant, lock};

pub const USER_ID: &str = "5f3feb7821046c3bb9327e6a";
pub const HOST_EMAIL: &str = "host@example.com";
/// The host user's zone: the fake's work hours (09:00–17:00) are in it.
pub const HOST_ZONE: Tz = chrono_tz::Europe::Paris;

/// Behaviour docs/providers.md marks unknown, for tests to choose.
#[derive(Clone, Debug)]
pub struct Knobs {
    /// Status of a successful create (unknown: 200 or 201); default 200.
    pub create_status: u16,
    /// When set, a create overlapping another event is refused with this status and
    /// `{"message": "This time slot is not available"}`; default `None` (Vyte just books).
    pub conflict_status: Option<u16>,
    /// `/v2/slots` ignores events, like a calendar sync that lags behind.
    pub stale_slots: bool,
    /// Creates ignore `confirmed` (the event waits for `POST …/confirm`).
    pub ignore_confirmed_on_create: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            create_status: 200,
            conflict_status: None,
            stale_slots: false,
            ignore_confirmed_on_create: false,
        }
    }
}

pub struct Vyte {
    key: String,
    schedule: Schedule,
    events: Mutex<Vec<Value>>,
    knobs: Mutex<Knobs>,
}

impl Vyte {
    pub fn new(key: &str) -> Arc<Self> {
        Arc::new(Self {
            key: key.to_owned(),
            schedule: Schedule::new(HOST_ZONE),
            events: Mutex::new(Vec::new()),
            knobs: Mutex::new(Knobs::default()),
        })
    }

    /// Events made so far, as the fake stores (and returns) them.
    pub fn bookings(&self) -> Vec<Value> {
        lock(&self.events).clone()
    }

    /// Changes the open behaviour (see `Knobs`).
    pub fn configure(&self, change: impl FnOnce(&mut Knobs)) {
        change(&mut lock(&self.knobs));
    }

    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/v2/auth/test", get(auth_test))
            .route("/v2/users", get(users))
            .route("/v2/users/{id}", get(user_route))
            .route("/v2/slots", get(slots))
            .route("/v2/slots/days", get(slot_days))
            .route("/v2/events", post(create).get(list))
            .route("/v2/events/{id}", get(one).put(update))
            .route("/v2/events/{id}/confirm", post(confirm))
            .route("/v2/events/{id}/cancel", post(cancel))
            .with_state(self.clone())
    }

    /// The raw key only: a missing, wrong or `Bearer …` value is 401.
    fn auth(&self, headers: &HeaderMap) -> Result<(), Refused> {
        match headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some(value) if value == self.key => Ok(()),
            _ => Err(error(StatusCode::UNAUTHORIZED, "Unauthorized")),
        }
    }

    /// Intervals of every date of every event not cancelled.
    fn busy(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.busy_except(None)
    }

    /// As `busy`, without event `except`'s dates (an event being moved).
    fn busy_except(&self, except: Option<&str>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        lock(&self.events)
            .iter()
            .filter(|e| e["cancelled"]["flag"] != true)
            .filter(|e| except.is_none_or(|id| e["_id"] != id))
            .flat_map(|e| e["dates"].as_array().cloned().unwrap_or_default())
            .filter_map(|d| Some((instant(&d["date"])?, instant(&d["end_date"])?)))
            .collect()
    }
}

/// A refusal: a status and `{"message": …}`. Vyte documents only the statuses; the body
/// shape is unknown (docs/providers.md, Vyte: Errors).
struct Refused(StatusCode, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "message": self.1 }))).into_response()
    }
}

fn error(status: StatusCode, message: &str) -> Refused {
    Refused(status, message.to_owned())
}

fn bad_request(message: &str) -> Refused {
    error(StatusCode::BAD_REQUEST, message)
}

fn not_found() -> Refused {
    error(StatusCode::NOT_FOUND, "Resource not found")
}

/// As Vyte stores instants: UTC with milliseconds.
fn stored(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn object_id() -> String {
    let mut rng = rand::thread_rng();
    (0..24)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// An input date: with an offset, or naive and then read in the creator's zone (the
/// behaviour the events doc shows).
fn input_date(v: &Value) -> Option<DateTime<Utc>> {
    let text = v.as_str()?;
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").ok()?;
    HOST_ZONE
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn user() -> Value {
    json!({
        "_id": USER_ID, "first_name": "Hosty", "last_name": "Host", "full_name": "Hosty Host",
        "timezone": HOST_ZONE.name(), "language": "en", "signedup_with": "email",
        "calendarList": "5f1175516b229dad991a7949", "picture_url": "",
        "account": { "organization": { "name": "Fake Org", "id": "5f117442d7535f4c7ba5b3e7", "admin": true },
                     "plan": "pro", "app_url": "https://hosty.vyte.in" },
        "emails": [HOST_EMAIL],
        "calendars": { "google": true, "office365": false, "exchange": false, "icloud": false, "caldav": false }
    })
}

async fn auth_test(State(fake): State<Arc<Vyte>>, headers: HeaderMap) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    Json(json!({
        "_id": "5f117442d7535f4c7ba5b3e7", "name": "Fake Org", "plan": "pro", "lang": "en",
        "private": false, "admins": [USER_ID], "members": [USER_ID]
    }))
    .into_response()
}

async fn users(State(fake): State<Arc<Vyte>>, headers: HeaderMap) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    Json(json!([user()])).into_response()
}

async fn user_route(
    State(fake): State<Arc<Vyte>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    if id != USER_ID {
        return not_found().into_response();
    }
    Json(user()).into_response()
}

/// A checked slots query: duration, the day window in the zone, and the zone.
struct SlotsAsk {
    duration: i64,
    from: NaiveDate,
    to: NaiveDate,
    zone: Tz,
}

fn slots_ask(q: &BTreeMap<String, String>) -> Result<SlotsAsk, Refused> {
    let duration = q
        .get("duration")
        .and_then(|d| d.parse::<i64>().ok())
        .filter(|d| *d > 0)
        .ok_or_else(|| bad_request("duration is required"))?;
    let day = |name: &str| {
        q.get(name)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| bad_request(&format!("{name} is required (YYYY-MM-DD)")))
    };
    let (from, to) = (day("from")?, day("to")?);
    let list = |name: &str| -> Option<Vec<String>> {
        q.get(name)
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
    };
    match (list("users"), list("emails"), q.get("team")) {
        (Some(users), None, None) => {
            if users.iter().any(|u| u != USER_ID) {
                return Err(bad_request("Unknown user"));
            }
        }
        (None, Some(emails), None) => {
            if emails.iter().any(|e| !e.eq_ignore_ascii_case(HOST_EMAIL)) {
                return Err(bad_request("Unknown email"));
            }
        }
        (None, None, Some(_)) => return Err(bad_request("Unknown team")),
        _ => return Err(bad_request("Give one of emails, users or team")),
    }
    let zone = match q.get("timezone") {
        None => HOST_ZONE,
        Some(z) => z.parse().map_err(|_| bad_request("Invalid timezone"))?,
    };
    Ok(SlotsAsk {
        duration,
        from,
        to,
        zone,
    })
}

/// Free slots of the asked days, rendered in the asked zone, and `nextAvailability` when
/// there are none (its shape is unknown: docs/providers.md, Vyte: Slots).
fn free_slots(fake: &Vyte, ask: &SlotsAsk) -> (Vec<(NaiveDate, Value)>, Option<Value>) {
    let start = at_hour(ask.zone, ask.from, 0);
    let end = ask
        .to
        .checked_add_days(Days::new(1))
        .and_then(|d| at_hour(ask.zone, d, 0));
    let (Some(start), Some(end)) = (start, end) else {
        return (vec![], None);
    };
    let busy = if lock(&fake.knobs).stale_slots {
        vec![]
    } else {
        fake.busy()
    };
    let render = |t: DateTime<Utc>| {
        let local = t.with_timezone(&ask.zone);
        let length = TimeDelta::minutes(ask.duration);
        let end = (t + length).with_timezone(&ask.zone);
        let at = |l: DateTime<Tz>| l.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
        (
            local.date_naive(),
            json!({ "start": { "dateTime": at(local) }, "end": { "dateTime": at(end) } }),
        )
    };
    let slots: Vec<_> = fake
        .schedule
        .free(start, end, ask.duration, &busy)
        .into_iter()
        .map(render)
        .collect();
    let next = if slots.is_empty() {
        let later = end + TimeDelta::days(fake.schedule.horizon_days as i64);
        fake.schedule
            .free(end, later, ask.duration, &busy)
            .first()
            .map(|t| render(*t).1)
    } else {
        None
    };
    (slots, next)
}

/// The key, then the slot query (`/v2/slots` and `/v2/slots/days` ask the same).
fn checked_ask(
    fake: &Vyte,
    headers: &HeaderMap,
    q: &BTreeMap<String, String>,
) -> Result<SlotsAsk, Refused> {
    fake.auth(headers)?;
    slots_ask(q)
}

async fn slots(
    State(fake): State<Arc<Vyte>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let ask = match checked_ask(&fake, &headers, &q) {
        Ok(ask) => ask,
        Err(refused) => return refused.into_response(),
    };
    let (slots, next) = free_slots(&fake, &ask);
    let slots: Vec<Value> = slots.into_iter().map(|(_, s)| s).collect();
    let mut body = json!({ "timezone": ask.zone.name(), "from": ask.from.to_string(),
                           "to": ask.to.to_string(), "slots": slots });
    if let Some(next) = next {
        body["nextAvailability"] = next;
    }
    Json(body).into_response()
}

async fn slot_days(
    State(fake): State<Arc<Vyte>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let ask = match checked_ask(&fake, &headers, &q) {
        Ok(ask) => ask,
        Err(refused) => return refused.into_response(),
    };
    let (slots, next) = free_slots(&fake, &ask);
    let mut days: BTreeMap<String, Value> = BTreeMap::new();
    for (day, slot) in slots {
        let entry = days
            .entry(day.to_string())
            .or_insert_with(|| json!({ "slots": [] }));
        if let Some(list) = entry["slots"].as_array_mut() {
            list.push(slot);
        }
    }
    let mut body = json!({ "timezone": ask.zone.name(), "from": ask.from.to_string(),
                           "to": ask.to.to_string(), "days": days });
    if let Some(next) = next {
        body["nextAvailability"] = next;
    }
    Json(body).into_response()
}

/// `dates[]` as stored (UTC, each with an `_id`), or why they are refused.
fn dates(body: &Value) -> Result<Vec<Value>, Refused> {
    let mut out = Vec::new();
    for d in body["dates"].as_array().into_iter().flatten() {
        let (Some(start), Some(end)) = (input_date(&d["date"]), input_date(&d["end_date"])) else {
            return Err(bad_request("dates need a valid date and end_date"));
        };
        if end <= start {
            return Err(bad_request("end_date must be after date"));
        }
        let now = stored(Utc::now());
        out.push(json!({
            "_id": object_id(), "all_day": d["all_day"].as_bool().unwrap_or(false),
            "date": stored(start), "end_date": stored(end), "confirmed": false,
            "confirmed_invitees": [], "votes": { "yes": [ { "created_by": { "user": USER_ID }, "_id": object_id() } ], "no": [] },
            "created_by": { "user": USER_ID }, "createdAt": now, "updatedAt": now
        }));
    }
    Ok(out)
}

fn places(body: &Value) -> Result<Vec<Value>, Refused> {
    let mut out = Vec::new();
    for p in body["places"].as_array().into_iter().flatten() {
        let Some(name) = p["name"].as_str() else {
            return Err(bad_request("places need a name"));
        };
        let mut place = json!({ "_id": object_id(), "name": name, "source": "app",
                                "votes": { "yes": [], "no": [] } });
        if let Some(address) = p["address"].as_str() {
            place["address"] = json!(address);
        }
        out.push(place);
    }
    Ok(out)
}

/// The `confirmed` object for a date (and place) chosen now.
fn confirmed(date: &Value, place: Option<&Value>) -> Value {
    json!({ "flag": true, "updated_at": stored(Utc::now()), "date_id": date["_id"],
            "place_id": place.map_or(Value::Null, |p| p["_id"].clone()) })
}

fn parse_body(bytes: &Bytes) -> Result<Value, Refused> {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| bad_request("Body must be a JSON object"))
}

async fn create(State(fake): State<Arc<Vyte>>, headers: HeaderMap, bytes: Bytes) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    let body = match parse_body(&bytes) {
        Ok(body) => body,
        Err(bad) => return bad.into_response(),
    };
    match new_event(&fake, &body) {
        Ok(event) => {
            let status = lock(&fake.knobs).create_status;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            lock(&fake.events).push(event.clone());
            (status, Json(event)).into_response()
        }
        Err(refused) => refused.into_response(),
    }
}

fn new_event(fake: &Vyte, body: &Value) -> Result<Value, Refused> {
    let knobs = lock(&fake.knobs).clone();
    if body["title"].as_str().is_none_or(|t| t.trim().is_empty()) {
        return Err(bad_request("title is required"));
    }
    let creator = &body["created_by"];
    let by_user = creator["user"].as_str() == Some(USER_ID);
    let by_email = creator["email"]
        .as_str()
        .is_some_and(|e| e.eq_ignore_ascii_case(HOST_EMAIL));
    if !(by_user || by_email) {
        return Err(bad_request(
            "created_by must be the email or id of a user of your organization",
        ));
    }
    let dates = dates(body)?;
    let places = places(body)?;
    let mut invitees = Vec::new();
    for i in body["invitees"].as_array().into_iter().flatten() {
        let Some(email) = i["email"].as_str().filter(|e| e.contains('@')) else {
            return Err(bad_request("invitees need an email"));
        };
        let mut invitee = json!({ "_id": object_id(), "email": email });
        for key in ["full_name", "phone"] {
            if let Some(v) = i[key].as_str() {
                invitee[key] = json!(v);
            }
        }
        invitees.push(invitee);
    }
    let mut messages = Vec::new();
    for m in body["messages"].as_array().into_iter().flatten() {
        let Some(text) = m["body"].as_str() else {
            return Err(bad_request("messages need a body"));
        };
        messages.push(json!({ "_id": object_id(), "body": text, "from": HOST_EMAIL }));
    }
    if let Some(zone) = body.get("timezone") {
        if zone.as_str().and_then(|z| z.parse::<Tz>().ok()).is_none() {
            return Err(bad_request("Invalid timezone"));
        }
    }
    refuse_overlap(fake, &dates, None)?;
    let confirm = body["confirmed"]["flag"] == true && !knobs.ignore_confirmed_on_create;
    let confirmed = match dates.first() {
        Some(date) if confirm => self::confirmed(date, places.first()),
        _ => json!({ "flag": false, "updated_at": null }),
    };
    let now = stored(Utc::now());
    let group_ids = body["third_party"]["group_ids"].clone();
    Ok(json!({
        "_id": object_id(), "title": body["title"],
        "created_by": { "email": HOST_EMAIL, "user": USER_ID, "picture_url": "", "full_name": "Hosty Host" },
        "confirmed": confirmed, "dates": dates, "places": places, "invitees": invitees,
        "messages": messages, "lang": body["lang"].as_str().unwrap_or("en"),
        "locale": body["lang"].as_str().unwrap_or("en"),
        "timezone": body["timezone"].as_str().unwrap_or(HOST_ZONE.name()),
        "vyteme": body["vyteme"].as_bool().unwrap_or(false), "api": true,
        "third_party": { "group_ids": if group_ids.is_array() { group_ids } else { json!([]) } },
        "ics_sequence": 0, "version": 0, "declines": [],
        "invitees_length": invitees_len(body),
        "email": format!("reply-to-participants-{}@vytein.mailgun.org", crate::random_id(9).to_lowercase()),
        "createdAt": now, "updatedAt": now, "__v": 0
    }))
}

/// The invitees plus the creator, as Vyte counts them.
/// With `conflict_status` set, dates overlapping another event (not `except`) are refused.
fn refuse_overlap(fake: &Vyte, dates: &[Value], except: Option<&str>) -> Result<(), Refused> {
    let Some(status) = lock(&fake.knobs).conflict_status else {
        return Ok(());
    };
    let busy = fake.busy_except(except);
    let taken = dates.iter().any(|d| {
        let (Some(s), Some(e)) = (instant(&d["date"]), instant(&d["end_date"])) else {
            return false;
        };
        busy.iter().any(|(b0, b1)| s < *b1 && *b0 < e)
    });
    if taken {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CONFLICT);
        return Err(error(status, "This time slot is not available"));
    }
    Ok(())
}

fn invitees_len(body: &Value) -> usize {
    body["invitees"].as_array().map_or(0, Vec::len) + 1
}

/// `GET /v2/events`, filtered by `group_ids` (comma-separated) and `limit`.
async fn list(
    State(fake): State<Arc<Vyte>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    let groups: Option<Vec<&str>> = q.get("group_ids").map(|g| g.split(',').collect());
    let limit = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let events: Vec<Value> = fake
        .bookings()
        .into_iter()
        .filter(|e| {
            groups.as_ref().is_none_or(|groups| {
                e["third_party"]["group_ids"]
                    .as_array()
                    .is_some_and(|ids| ids.iter().any(|id| groups.iter().any(|g| id == g)))
            })
        })
        .take(limit)
        .collect();
    Json(events).into_response()
}

async fn one(
    State(fake): State<Arc<Vyte>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    match fake
        .bookings()
        .into_iter()
        .find(|e| e["_id"] == id.as_str())
    {
        Some(event) => Json(event).into_response(),
        None => not_found().into_response(),
    }
}

/// `PUT /v2/events/{id}`: new `dates` and/or `places`; the event must be confirmed again.
async fn update(
    State(fake): State<Arc<Vyte>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    let body = match parse_body(&bytes) {
        Ok(body) => body,
        Err(bad) => return bad.into_response(),
    };
    let (dates, places) = match (dates(&body), places(&body)) {
        (Ok(d), Ok(p)) => (d, p),
        (Err(bad), _) | (_, Err(bad)) => return bad.into_response(),
    };
    if body.get("dates").is_some() {
        if let Err(taken) = refuse_overlap(&fake, &dates, Some(&id)) {
            return taken.into_response();
        }
    }
    let mut events = lock(&fake.events);
    let Some(event) = events.iter_mut().find(|e| e["_id"] == id.as_str()) else {
        return not_found().into_response();
    };
    if body.get("dates").is_some() {
        event["dates"] = json!(dates);
        event["confirmed"] = json!({ "flag": false, "updated_at": null });
    }
    if body.get("places").is_some() {
        event["places"] = json!(places);
    }
    event["version"] = json!(event["version"].as_i64().unwrap_or(0) + 1);
    event["updatedAt"] = json!(stored(Utc::now()));
    Json(event.clone()).into_response()
}

/// `POST /v2/events/{id}/confirm?d=<date id>&p=<place id>`; without them the first ones.
async fn confirm(
    State(fake): State<Arc<Vyte>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    let mut events = lock(&fake.events);
    let Some(event) = events.iter_mut().find(|e| e["_id"] == id.as_str()) else {
        return not_found().into_response();
    };
    let pick = |list: &Value, wanted: Option<&String>| -> Result<Option<Value>, Refused> {
        let items = list.as_array().cloned().unwrap_or_default();
        match wanted {
            None => Ok(items.first().cloned()),
            Some(w) => match items.into_iter().find(|i| i["_id"] == w.as_str()) {
                Some(item) => Ok(Some(item)),
                None => Err(bad_request("Unknown date or place")),
            },
        }
    };
    let date = match pick(&event["dates"], q.get("d")) {
        Ok(Some(date)) => date,
        Ok(None) => return bad_request("The event has no date to confirm").into_response(),
        Err(bad) => return bad.into_response(),
    };
    let place = match pick(&event["places"], q.get("p")) {
        Ok(place) => place,
        Err(bad) => return bad.into_response(),
    };
    event["confirmed"] = confirmed(&date, place.as_ref());
    Json(event.clone()).into_response()
}

/// `POST /v2/events/{id}/cancel` → the text `OK`. The stored `cancelled` object is the
/// fake's own bookkeeping (Vyte does not show how a cancelled event looks).
async fn cancel(
    State(fake): State<Arc<Vyte>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = fake.auth(&headers) {
        return denied.into_response();
    }
    let mut events = lock(&fake.events);
    let Some(event) = events.iter_mut().find(|e| e["_id"] == id.as_str()) else {
        return not_found().into_response();
    };
    event["cancelled"] = json!({ "flag": true, "updated_at": stored(Utc::now()) });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "OK",
    )
        .into_response()
}
