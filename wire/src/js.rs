//! The wire types as plain JavaScript values, read and written through `Reflect`. The
//! browser's own `JSON.parse` and `JSON.stringify` handle the text, so the widget needs no
//! JSON code of its own; and reading by hand rather than with serde-wasm-bindgen keeps
//! 13 KB (gzip) of generic deserializer code out of the wasm. The rules are serde's
//! for the same types: a missing or mistyped required key is an error, an `Option` may be
//! missing or `null`, `#[serde(default)]` keys may be missing, unknown keys are ignored
//! (two differences, both about what the proxy never writes: see `whole` and `entries`).
//! `tests/wire_js.rs` checks this against what serde writes and reads.

use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::{
    ApiError, Booking, BookingRequest, BookingStatus, ErrorCode, Field, FieldKind, FieldValue, Map,
    PageData, Profile, Slot, SlotSpan, SlotsResponse,
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

/// `o[key]`; `undefined` when `o` is not an object.
pub fn get(o: &JsValue, key: &str) -> JsValue {
    if !o.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(o, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
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

/// An RFC 3339 time, read by `Date.parse` (chrono's parser would add about 10 KB). A date
/// and time with an offset (`Z` or `±hh:mm`), as chrono requires: `Date.parse` alone would
/// also take a date without a time, or a time without an offset (as local time).
fn time(o: &JsValue, key: &str) -> Option<DateTime<Utc>> {
    let text = text(o, key)?;
    let b = text.as_bytes();
    let n = b.len();
    let offset = (n >= 20 && matches!(b[n - 1], b'Z' | b'z'))
        || (n >= 25 && matches!(b[n - 6], b'+' | b'-') && b[n - 3] == b':');
    if !(offset && matches!(b[10], b'T' | b't' | b' ')) {
        return None;
    }
    let millis = js_sys::Date::parse(&text);
    if millis.is_finite() {
        DateTime::from_timestamp_millis(millis as i64)
    } else {
        None
    }
}

/// The elements of an array, each read by `read`.
fn items<T>(v: &JsValue, read: fn(&JsValue) -> Option<T>) -> Option<Vec<T>> {
    if !Array::is_array(v) {
        return None;
    }
    Array::from(v).iter().map(|item| read(&item)).collect()
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
            slots: items(&get(v, "slots"), Slot::from_js)?,
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
            slots: items(&get(v, "slots"), Slot::from_js)?,
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

/// A plain object from key and value pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(key), value);
    }
    o.into()
}

fn string(s: &str) -> JsValue {
    JsValue::from_str(s)
}

fn optional(s: &Option<String>) -> JsValue {
    s.as_deref().map_or(JsValue::NULL, string)
}

fn array<T>(list: &[T], write: fn(&T) -> JsValue) -> JsValue {
    list.iter().map(write).collect::<Array>().into()
}

/// As chrono's serde writes it: `2026-03-02T09:00:00Z`, with fractions of a second only
/// when there are some (written by the browser: chrono's formatting costs 2 KB of wasm).
pub fn time_text(t: &DateTime<Utc>) -> String {
    let iso = String::from(
        js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64)).to_iso_string(),
    );
    match iso.strip_suffix(".000Z") {
        Some(whole) => format!("{whole}Z"),
        None => iso,
    }
}

pub fn time_value(t: &DateTime<Utc>) -> JsValue {
    string(&time_text(t))
}

/// A number as JavaScript writes it (Rust's float formatting costs 5 KB of wasm).
pub fn number_text(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

pub fn date_value(d: &NaiveDate) -> JsValue {
    string(&d.to_string())
}

fn map<T>(m: &Map<String, T>, write: fn(&T) -> JsValue) -> JsValue {
    let o = Object::new();
    for (key, value) in m.iter() {
        let _ = Reflect::set(&o, &string(key), &write(value));
    }
    o.into()
}

impl ToJs for FieldValue {
    fn to_js(&self) -> JsValue {
        match self {
            Self::Bool(b) => JsValue::from_bool(*b),
            Self::Number(n) => JsValue::from_f64(*n),
            Self::Text(s) => string(s),
            Self::List(l) => array(l, |s| string(s)),
        }
    }
}

impl ToJs for Field {
    fn to_js(&self) -> JsValue {
        object(&[
            ("name", string(&self.name)),
            ("label", string(&self.label)),
            ("kind", string(self.kind.as_str())),
            ("required", self.required.into()),
            (
                "default",
                self.default.as_ref().map_or(JsValue::NULL, ToJs::to_js),
            ),
            ("options", array(&self.options, |s| string(s))),
        ])
    }
}

impl ToJs for Profile {
    fn to_js(&self) -> JsValue {
        object(&[
            ("id", string(&self.id)),
            ("title", string(&self.title)),
            ("description", string(&self.description)),
            ("time_zone", string(&self.time_zone)),
            ("durations", array(&self.durations, |m| (*m).into())),
            ("location", optional(&self.location)),
            ("requires_confirmation", self.requires_confirmation.into()),
            ("fields", array(&self.fields, ToJs::to_js)),
        ])
    }
}

impl ToJs for Slot {
    fn to_js(&self) -> JsValue {
        object(&[
            ("start", time_value(&self.start)),
            ("end", time_value(&self.end)),
        ])
    }
}

impl ToJs for Booking {
    fn to_js(&self) -> JsValue {
        object(&[
            ("id", string(&self.id)),
            ("status", string(self.status.as_str())),
            ("start", time_value(&self.start)),
            ("end", time_value(&self.end)),
            ("time_zone", string(&self.time_zone)),
            ("title", string(&self.title)),
            ("location", optional(&self.location)),
        ])
    }
}

impl ToJs for ApiError {
    fn to_js(&self) -> JsValue {
        let o = object(&[
            ("code", string(self.code.as_str())),
            ("message", string(&self.message)),
        ]);
        // Present only for validation errors, as the proxy writes it.
        if let Some(fields) = self.fields.as_ref().filter(|f| !f.is_empty()) {
            let _ = Reflect::set(&o, &string("fields"), &map(fields, |s| string(s)));
        }
        o
    }
}

impl ToJs for BookingRequest {
    fn to_js(&self) -> JsValue {
        let o = object(&[
            ("start", time_value(&self.start)),
            ("duration", self.duration.into()),
            ("time_zone", string(&self.time_zone)),
            ("name", string(&self.name)),
            ("email", string(&self.email)),
            ("guests", array(&self.guests, |s| string(s))),
            ("notes", string(&self.notes)),
        ]);
        if let Some(locale) = &self.locale {
            let _ = Reflect::set(&o, &string("locale"), &string(locale));
        }
        // An empty map is left out, as serde writes it.
        if !self.fields.is_empty() {
            let _ = Reflect::set(&o, &string("fields"), &map(&self.fields, ToJs::to_js));
        }
        o
    }
}
