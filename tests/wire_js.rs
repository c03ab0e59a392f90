//! The wire types read from and written as JavaScript values (booking_wire::js, wire/src/js.rs), checked
//! against serde, which is how booking-proxy writes and reads the same JSON.
#![cfg(target_arch = "wasm32")]

use booking_widget::api::{from_json, to_json};
use booking_wire::js::ToJs;
use booking_wire::{
    ApiError, Booking, BookingRequest, BookingStatus, CancelRequest, Created, ErrorCode, Field,
    FieldKind, FieldValue, Hold, HoldRequest, ManagedBooking, Map, Profile, RescheduleRequest,
    Slot, SlotsResponse,
};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().into()
}

fn field(name: &str, kind: FieldKind, default: Option<FieldValue>, options: &[&str]) -> Field {
    Field {
        name: name.into(),
        label: format!("{name}?"),
        kind,
        required: default.is_none(),
        default,
        options: options.iter().map(|o| o.to_string()).collect(),
    }
}

fn profile() -> Profile {
    let mut fields: Vec<Field> = FieldKind::ALL
        .iter()
        .map(|&kind| field(kind.as_str(), kind, None, &[]))
        .collect();
    fields.extend([
        field(
            "size",
            FieldKind::Select,
            Some(FieldValue::Text("M".into())),
            &["S", "M"],
        ),
        field(
            "seats",
            FieldKind::Number,
            Some(FieldValue::Number(2.5)),
            &[],
        ),
        field(
            "news",
            FieldKind::Boolean,
            Some(FieldValue::Bool(false)),
            &[],
        ),
        field(
            "topics",
            FieldKind::Multiselect,
            Some(FieldValue::List(vec!["a".into(), "b".into()])),
            &["a", "b", "c"],
        ),
    ]);
    Profile {
        id: "intro".into(),
        title: "Intro with {{name}}".into(),
        description: "Ünïcödé, \"quotes\" and\nlines".into(),
        time_zone: "Europe/Berlin".into(),
        durations: vec![15, 30, 60],
        location: Some("Video call".into()),
        requires_confirmation: true,
        fields,
        hold_minutes: 0,
    }
}

fn booking(status: BookingStatus, location: Option<&str>) -> Booking {
    Booking {
        id: "bk_1".into(),
        status,
        start: utc("2026-03-29T00:30:00Z"),
        end: utc("2026-03-29T01:30:00.500Z"),
        time_zone: "Europe/London".into(),
        title: "Intro".into(),
        location: location.map(String::from),
    }
}

fn invalid() -> ApiError {
    let mut fields = Map::new();
    fields.insert("email".to_owned(), "Enter an email address.".to_owned());
    ApiError {
        code: ErrorCode::InvalidBooking,
        message: "Some fields need attention.".into(),
        fields: Some(fields),
    }
}

/// What the proxy writes (serde), read by the widget, is the same value.
fn reads_back<T>(value: &T)
where
    T: serde::Serialize + booking_wire::js::FromJs + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(from_json::<T>(&json).as_ref(), Some(value), "{json}");
}

/// Numbers as JavaScript has them: `3.0` and `3` are one number there.
fn numbers_as_js(v: Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_js).collect()),
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_js(v))).collect())
        }
        other => other,
    }
}

/// What the widget writes is, key for key, the JSON serde writes for the same value.
fn writes_as_serde<T: serde::Serialize + ToJs>(value: &T) {
    let ours: Value = serde_json::from_str(&to_json(value)).unwrap();
    let serde = serde_json::to_value(value).unwrap();
    assert_eq!(numbers_as_js(ours), numbers_as_js(serde));
}

#[wasm_bindgen_test]
fn the_widget_reads_what_the_proxy_writes() {
    let mut plain = profile();
    plain.location = None;
    plain.fields.clear();
    for p in [profile(), plain] {
        reads_back(&p);
    }
    reads_back(&SlotsResponse {
        time_zone: "America/Santiago".into(),
        slots: vec![
            Slot {
                start: utc("2026-03-29T00:30:00Z"),
                end: utc("2026-03-29T01:30:00Z"),
            },
            Slot {
                start: utc("2026-10-25T01:15:00+02:00"),
                end: utc("2026-10-25T01:45:00.500-01:00"),
            },
        ],
    });
    reads_back(&booking(BookingStatus::Confirmed, Some("Room 4")));
    reads_back(&booking(BookingStatus::Pending, None));
    // A held profile; a profile from an older proxy has no `hold_minutes`: none.
    let mut held = profile();
    held.hold_minutes = 10;
    reads_back(&held);
    let mut older = serde_json::to_value(profile()).unwrap();
    older.as_object_mut().unwrap().remove("hold_minutes");
    assert_eq!(from_json::<Profile>(&older.to_string()), Some(profile()));
    for token in [Some("tok_abc".to_owned()), None] {
        reads_back(&Created {
            booking: booking(BookingStatus::Confirmed, None),
            manage_token: token,
        });
    }
    for (status, policy) in [
        (BookingStatus::Confirmed, None),
        (
            BookingStatus::Cancelled,
            Some("This booking is cancelled.".to_owned()),
        ),
    ] {
        reads_back(&ManagedBooking {
            booking: booking(status, Some("Room 4")),
            profile: "intro".into(),
            can_cancel: policy.is_none(),
            can_reschedule: false,
            policy,
        });
    }
    reads_back(&Hold {
        hold: "hd_1".into(),
        expires_at: utc("2026-03-02T09:10:00Z"),
    });
    reads_back(&invalid());
    reads_back(&ApiError {
        code: ErrorCode::SlotUnavailable,
        message: "That time was just taken.".into(),
        fields: None,
    });
}

#[wasm_bindgen_test]
fn what_the_widget_writes_is_the_json_serde_writes() {
    writes_as_serde(&profile());
    writes_as_serde(&booking(BookingStatus::Pending, None));
    writes_as_serde(&booking(BookingStatus::Confirmed, Some("Room 4")));
    writes_as_serde(&invalid());
    writes_as_serde(&Slot {
        start: utc("2026-03-29T00:30:00Z"),
        end: utc("2026-03-29T01:30:00Z"),
    });
    let mut request = BookingRequest {
        start: utc("2026-03-02T09:00:00Z"),
        duration: 30,
        time_zone: "Europe/Paris".into(),
        name: "Ada".into(),
        email: "ada@example.com".into(),
        fields: Map::new(),
        guests: vec![],
        notes: String::new(),
        locale: None,
        hold: None,
    };
    // Empty maps are left out, as serde leaves them out.
    writes_as_serde(&request);
    for (name, value) in [
        ("company", FieldValue::Text("Acme".into())),
        ("seats", FieldValue::Number(3.0)),
        ("consent", FieldValue::Bool(true)),
        ("topics", FieldValue::List(vec!["a".into(), "b".into()])),
    ] {
        request.fields.insert(name.into(), value);
    }
    writes_as_serde(&request);
    request.hold = Some("hd_abc".into());
    writes_as_serde(&request);
    writes_as_serde(&HoldRequest {
        start: utc("2026-03-02T09:00:00Z"),
        duration: 30,
    });
    for reason in [None, Some("Ill, sorry.\nNext week?".to_owned())] {
        writes_as_serde(&CancelRequest { reason });
    }
    for duration in [None, Some(45)] {
        writes_as_serde(&RescheduleRequest {
            start: utc("2026-03-02T09:30:00Z"),
            duration,
            time_zone: "Asia/Tokyo".into(),
        });
    }
    // And the proxy reads it back as the same request.
    let back: BookingRequest = serde_json::from_str(&to_json(&request)).unwrap();
    assert_eq!(back, request);
}

#[wasm_bindgen_test]
fn a_newer_proxys_error_code_is_unknown_not_a_failure() {
    let error: ApiError = from_json(r#"{"code":"quota_exceeded","message":"Later."}"#).unwrap();
    assert_eq!(error.code, ErrorCode::Unknown);
    assert_eq!(error.message, "Later.");
}

#[wasm_bindgen_test]
fn what_does_not_fit_the_wire_is_refused_as_serde_refuses_it() {
    let good = serde_json::to_value(profile()).unwrap();
    let changed = |path: &[&str], value: Option<Value>| {
        let mut v = good.clone();
        let mut at = &mut v;
        for key in &path[..path.len() - 1] {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        let last = path[path.len() - 1];
        match value {
            Some(x) => at[last] = x,
            None => {
                at.as_object_mut().unwrap().remove(last);
            }
        }
        v
    };
    let serde_reads = |v: &Value| serde_json::from_value::<Profile>(v.clone()).is_ok();
    let we_read = |v: &Value| from_json::<Profile>(&v.to_string()).is_some();
    let cases = [
        changed(&["id"], None),
        changed(&["durations"], Some(json!("30"))),
        changed(&["durations"], Some(json!([30, -1]))),
        changed(&["durations"], Some(json!([7.5]))),
        changed(&["requires_confirmation"], Some(json!("yes"))),
        changed(&["fields"], Some(json!({}))),
        changed(&["fields", "0", "kind"], Some(json!("date"))),
        changed(&["fields", "0", "label"], None),
        changed(&["fields", "0", "default"], Some(json!({ "a": 1 }))),
        changed(&["fields", "0", "default"], Some(json!([1]))),
        changed(&["fields", "0", "options"], Some(json!("a,b"))),
        changed(&["location"], Some(json!(3))),
        // These are fine: optional keys missing or null, an unknown key.
        changed(&["location"], None),
        changed(&["location"], Some(Value::Null)),
        changed(&["fields", "0", "default"], Some(Value::Null)),
        changed(&["fields", "0", "options"], None),
        changed(&["surprise"], Some(json!(true))),
    ];
    for case in &cases {
        assert_eq!(we_read(case), serde_reads(case), "{case}");
    }
    assert!(we_read(&good));
    for text in ["", "null", "[]", "\"intro\"", "{"] {
        assert!(from_json::<Profile>(text).is_none(), "{text:?}");
    }
    // Times: what chrono's RFC 3339 reader takes, and nothing else (`Date.parse` alone
    // would read a date, or a time without an offset as local time).
    let slot = |start: &str| {
        from_json::<Slot>(&json!({ "start": start, "end": "2026-03-29T01:30:00Z" }).to_string())
    };
    for start in [
        "soon",
        "2026-03-29",
        "2026-03-29T00:30:00",
        "2026-03-29T00:30",
        "2026-03-29T00:30:00Z",
        "2026-03-29T00:30:00.250Z",
        "2026-03-29 00:30:00Z",
        "2026-03-29T00:30:00+02:00",
        "2026-03-29T00:30:00-09:30",
        "2026-03-29T00:30:00+0200",
    ] {
        let chrono = DateTime::parse_from_rfc3339(start).ok().map(|t| t.to_utc());
        assert_eq!(slot(start).map(|s| s.start), chrono, "{start}");
        // A month's list, read with its keys made once, reads each the same.
        let list = json!({ "time_zone": "UTC", "slots": [
            { "start": "2026-03-28T23:30:00Z", "end": "2026-03-29T00:00:00Z" },
            { "start": start, "end": "2026-03-29T01:30:00Z" },
        ] });
        let read = from_json::<SlotsResponse>(&list.to_string());
        assert_eq!(read.map(|r| r.slots[1].start), chrono, "{start} in a list");
    }
    for item in [json!(null), json!("2026-03-29T00:30:00Z"), json!([])] {
        let list = json!({ "time_zone": "UTC", "slots": [item] });
        assert!(
            from_json::<SlotsResponse>(&list.to_string()).is_none(),
            "{item}"
        );
    }
}

/// "Add to calendar": Google's, Outlook.com's and Office 365's "add event" pages, in that
/// order, each with the booking's title, its UTC times (whole seconds in Google's stamps),
/// place and manage link, encoded by the browser.
#[wasm_bindgen_test]
fn the_calendar_links_carry_the_booking() {
    let mut b = booking(BookingStatus::Confirmed, Some("Room 4; floor 2 & co"));
    b.start = utc("2026-03-29T00:30:00.750Z");
    b.end = utc("2026-03-29T02:15:00+01:00");
    let page = "https://book.example.com/book/intro/manage/tok";
    let links = booking_widget::calendar_links::links(&b, page);
    let read = |href: &str| {
        let url = web_sys::Url::new(href).unwrap();
        let query = url.search_params();
        let get = move |key: &str| query.get(key).unwrap_or_default();
        (format!("{}{}", url.origin(), url.pathname()), get)
    };
    let (at, google) = read(&links[0]);
    assert_eq!(at, "https://calendar.google.com/calendar/render");
    assert_eq!(google("action"), "TEMPLATE");
    assert_eq!(google("text"), "Intro");
    assert_eq!(google("dates"), "20260329T003000Z/20260329T011500Z");
    assert_eq!(google("location"), "Room 4; floor 2 & co");
    assert_eq!(google("details"), format!("Intro\n{page}"));
    for (href, host) in links[1..]
        .iter()
        .zip(["outlook.live.com", "outlook.office.com"])
    {
        let (at, outlook) = read(href);
        assert_eq!(at, format!("https://{host}/calendar/0/action/compose"));
        assert_eq!(outlook("subject"), "Intro");
        let time = |key| DateTime::parse_from_rfc3339(&outlook(key)).map(|t| t.to_utc());
        assert_eq!((time("startdt"), time("enddt")), (Ok(b.start), Ok(b.end)));
        assert_eq!(outlook("location"), "Room 4; floor 2 & co");
        assert_eq!(outlook("body"), format!("Intro\n{page}"));
    }
}

/// The events' details are the objects the embed contract documents.
#[wasm_bindgen_test]
fn event_details_are_plain_objects_with_the_documented_keys() {
    use booking_widget::events::WidgetEvent;
    let detail = |event: &WidgetEvent| -> Value {
        let text = js_sys::JSON::stringify(&event.detail()).unwrap();
        serde_json::from_str(&String::from(text)).unwrap()
    };
    let loaded = WidgetEvent::SlotsLoaded {
        from: "2026-11-01".parse().unwrap(),
        to: "2026-11-30".parse().unwrap(),
        time_zone: "Asia/Tokyo".into(),
        count: 42,
    };
    assert_eq!(
        detail(&loaded),
        json!({ "from": "2026-11-01", "to": "2026-11-30", "time_zone": "Asia/Tokyo", "count": 42 })
    );
    let slot = Slot {
        start: utc("2026-11-02T09:00:00Z"),
        end: utc("2026-11-02T09:30:00Z"),
    };
    let submitted = WidgetEvent::Submitted {
        slot: slot.clone(),
        duration: 30,
        time_zone: "Asia/Tokyo".into(),
    };
    assert_eq!(
        detail(&submitted),
        json!({ "start": "2026-11-02T09:00:00Z", "end": "2026-11-02T09:30:00Z", "duration": 30, "time_zone": "Asia/Tokyo" })
    );
    assert_eq!(
        detail(&WidgetEvent::SlotSelected(slot.clone())),
        serde_json::to_value(&slot).unwrap()
    );
    assert_eq!(
        detail(&WidgetEvent::Failed(invalid()))["fields"]["email"],
        "Enter an email address."
    );
}
