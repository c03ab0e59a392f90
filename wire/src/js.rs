//! The wire types as plain JavaScript values, read and written through `Reflect`. The
//! browser's own `JSON.parse` and `JSON.stringify` handle the text, so the widget needs no
//! JSON code of its own; and reading by hand rather than with serde-wasm-bindgen keeps
//! 13 KB (gzip) of generic deserializer code out of the wasm. The rules are serde's
//! for the same types: a missing or mistyped required key is an error, an `Option` may be
//! missing or `null`, `#[serde(default)]` keys may be missing, unknown keys are ignored
//! (two differences, both about what the proxy never writes: see `whole` and `entries`).
//! `tests/wire_js.rs` checks this against what serde writes and reads.

use chrono::{DateTime, Utc};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

mod write;

pub use write::{date_value, number_text, object, time_text, time_value};

use crate::{
    ApiError, Booking, BookingStatus, Created, ErrorCode, Field, FieldKind, FieldValue, Hold,
    ManagedBooking, Map, PageData, Profile, Slot, SlotSpan, SlotsResponse,
};

/// A wire type read from a JavaScript value; `None` when the value does not fit.
pub trait FromJs: Sized {
    fn from_js(v: &JsValue) -> Option<Self>;
}

/// A wire type as a plain JavaScript object, the shape `JSON.stringify` and event
/// listeners expect.
pub trait ToJs {
    fn to_js(&self) -> JsValue;
}

/// `o[key]`; `undefined` when `o` is not an object (`Reflect.get` throws then).
pub fn get(o: &JsValue, key: &str) -> JsValue {
    get_at(o, &JsValue::from_str(key))
}

/// `o[key]` for a key made once: the items of a list share their keys, and making a key
/// copies its text across to JavaScript.
fn get_at(o: &JsValue, key: &JsValue) -> JsValue {
    Reflect::get(o, key).unwrap_or(JsValue::UNDEFINED)
}

pub fn text(o: &JsValue, key: &str) -> Option<String> {
    get(o, key).as_string()
}

/// An `Option<String>`: `Some(None)` when missing or `null`, `None` when not text.
pub fn optional_text(o: &JsValue, key: &str) -> Option<Option<String>> {
    let v = get(o, key);
    if v.is_null_or_undefined() {
        Some(None)
    } else {
        v.as_string().map(Some)
    }
}

fn flag(o: &JsValue, key: &str) -> Option<bool> {
    get(o, key).as_bool()
}

/// A whole number within `u32`. (JavaScript has one number type, so `30.0` in the JSON
/// reads as 30, where serde would refuse it; the proxy writes integers as integers.)
fn whole(v: &JsValue) -> Option<u32> {
    let n = v.as_f64()?;
    (n >= 0.0 && n <= u32::MAX as f64 && n.fract() == 0.0).then_some(n as u32)
}

/// A whole number that `#[serde(default)]` lets be missing (0).
fn whole_or_zero(o: &JsValue, key: &str) -> Option<u32> {
    let v = get(o, key);
    if v.is_undefined() {
        Some(0)
    } else {
        whole(&v)
    }
}

/// An RFC 3339 time, read by JavaScript's date parser (chrono's parser would add about
/// 10 KB) on the string where it is, not a copy of it in Rust: a month's slots hold
/// thousands. A date and time with an offset (`Z` or `±hh:mm`), as chrono requires: the
/// parser alone would also take a date without a time, or a time without an offset (as
/// local time).
fn time(o: &JsValue, key: &str) -> Option<DateTime<Utc>> {
    instant(&get(o, key))
}

/// The list of a month's slots: thousands, so their two keys are made once for the list.
fn slots(v: &JsValue) -> Option<Vec<Slot>> {
    let (start, end) = (JsValue::from_str("start"), JsValue::from_str("end"));
    if !Array::is_array(v) {
        return None;
    }
    let slot = |s: JsValue| {
        Some(Slot {
            start: instant(&get_at(&s, &start))?,
            end: instant(&get_at(&s, &end))?,
        })
    };
    v.unchecked_ref::<Array>().iter().map(slot).collect()
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Date.parse`: a date's text as milliseconds, with no `Date` made to hold them.
    #[wasm_bindgen(js_namespace = Date, js_name = parse)]
    fn parse_date(text: &js_sys::JsString) -> f64;
}

/// `time`'s reading of a value.
fn instant(v: &JsValue) -> Option<DateTime<Utc>> {
    let text = v.dyn_ref::<js_sys::JsString>()?;
    let n = text.length();
    let at = |i: u32| text.char_code_at(i) as u8;
    let offset = (n >= 20 && matches!(at(n - 1), b'Z' | b'z'))
        || (n >= 25 && matches!(at(n - 6), b'+' | b'-') && at(n - 3) == b':');
    if !(offset && matches!(at(10), b'T' | b't' | b' ')) {
        return None;
    }
    let millis = parse_date(text);
    if millis.is_finite() {
        DateTime::from_timestamp_millis(millis as i64)
    } else {
        None
    }
}

/// The elements of an array, each read by `read` (in place: `Array::from` would copy it).
fn items<T>(v: &JsValue, read: fn(&JsValue) -> Option<T>) -> Option<Vec<T>> {
    if !Array::is_array(v) {
        return None;
    }
    v.unchecked_ref::<Array>()
        .iter()
        .map(|item| read(&item))
        .collect()
}

/// A list that `#[serde(default)]` lets be missing.
fn items_or_empty<T>(o: &JsValue, key: &str, read: fn(&JsValue) -> Option<T>) -> Option<Vec<T>> {
    let v = get(o, key);
    if v.is_undefined() {
        Some(vec![])
    } else {
        items(&v, read)
    }
}

fn as_text(v: &JsValue) -> Option<String> {
    v.as_string()
}

/// An object's entries, each value read by `read`; `None` when it is not a plain object
/// (litemap's serde would also take a list of pairs; the proxy writes maps as objects).
fn entries<T>(v: &JsValue, read: fn(&JsValue) -> Option<T>) -> Option<Map<String, T>> {
    if !v.is_object() || Array::is_array(v) {
        return None;
    }
    let mut map = Map::new();
    for pair in Object::entries(v.unchecked_ref()).iter() {
        let pair = Array::from(&pair);
        map.insert(pair.get(0).as_string()?, read(&pair.get(1))?);
    }
    Some(map)
}

/// Answers by name (the booking's fields, the embed's prefill); missing is empty.
pub fn answers(o: &JsValue, key: &str) -> Option<Map<String, FieldValue>> {
    let v = get(o, key);
    if v.is_undefined() {
        Some(Map::new())
    } else {
        entries(&v, FieldValue::from_js)
    }
}

impl FromJs for FieldValue {
    fn from_js(v: &JsValue) -> Option<Self> {
        if let Some(b) = v.as_bool() {
            Some(Self::Bool(b))
        } else if let Some(n) = v.as_f64() {
            Some(Self::Number(n))
        } else if let Some(s) = v.as_string() {
            Some(Self::Text(s))
        } else {
            items(v, as_text).map(Self::List)
        }
    }
}

impl FromJs for Field {
    fn from_js(v: &JsValue) -> Option<Self> {
        let kind = text(v, "kind")?;
        let default = get(v, "default");
        Some(Self {
            name: text(v, "name")?,
            label: text(v, "label")?,
            kind: FieldKind::from_name(&kind)?,
            required: flag(v, "required")?,
            default: match default.is_null_or_undefined() {
                true => None,
                false => Some(FieldValue::from_js(&default)?),
            },
            options: items_or_empty(v, "options", as_text)?,
        })
    }
}

impl FromJs for Profile {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Self {
            id: text(v, "id")?,
            title: text(v, "title")?,
            description: text(v, "description")?,
            time_zone: text(v, "time_zone")?,
            durations: items(&get(v, "durations"), whole)?,
            location: optional_text(v, "location")?,
            requires_confirmation: flag(v, "requires_confirmation")?,
            fields: items(&get(v, "fields"), Field::from_js)?,
            hold_minutes: whole_or_zero(v, "hold_minutes")?,
        })
    }
}

impl FromJs for Slot {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Self {
            start: time(v, "start")?,
            end: time(v, "end")?,
        })
    }
}

impl FromJs for SlotsResponse {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Self {
            time_zone: text(v, "time_zone")?,
            slots: slots(&get(v, "slots"))?,
        })
    }
}

impl FromJs for PageData {
    fn from_js(v: &JsValue) -> Option<Self> {
        let slots = get(v, "slots");
        Some(Self {
            profile: Profile::from_js(&get(v, "profile"))?,
            slots: match slots.is_null_or_undefined() {
                true => None,
                false => Some(SlotSpan::from_js(&slots)?),
            },
        })
    }
}

impl FromJs for SlotSpan {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Self {
            from: time(v, "from")?,
            to: time(v, "to")?,
            duration: whole(&get(v, "duration"))?,
            slots: slots(&get(v, "slots"))?,
        })
    }
}

impl FromJs for Booking {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Self {
            id: text(v, "id")?,
            status: BookingStatus::from_name(&text(v, "status")?)?,
            start: time(v, "start")?,
            end: time(v, "end")?,
            time_zone: text(v, "time_zone")?,
            title: text(v, "title")?,
            location: optional_text(v, "location")?,
        })
    }
}

impl FromJs for Created {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Self {
            booking: Booking::from_js(v)?,
            manage_token: optional_text(v, "manage_token")?,
        })
    }
}

impl FromJs for ManagedBooking {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Self {
            booking: Booking::from_js(v)?,
            profile: text(v, "profile")?,
            can_cancel: flag(v, "can_cancel")?,
            can_reschedule: flag(v, "can_reschedule")?,
            policy: optional_text(v, "policy")?,
        })
    }
}

impl FromJs for Hold {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Self {
            hold: text(v, "hold")?,
            expires_at: time(v, "expires_at")?,
        })
    }
}

/// The error object of the envelope `{"error": {...}}`.
impl FromJs for ApiError {
    fn from_js(v: &JsValue) -> Option<Self> {
        let fields = get(v, "fields");
        Some(Self {
            // A code this build does not know is not an error (a newer proxy).
            code: ErrorCode::from_name(&text(v, "code")?).unwrap_or(ErrorCode::Unknown),
            message: text(v, "message")?,
            fields: match fields.is_null_or_undefined() {
                true => None,
                false => Some(entries(&fields, as_text)?),
            },
        })
    }
}
