//! Writing the wire types as JavaScript values.

use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use super::ToJs;
use crate::{
    ApiError, Booking, BookingRequest, CancelRequest, Field, FieldValue, HoldRequest, Map, Profile,
    RescheduleRequest, Slot,
};

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
            ("hold_minutes", self.hold_minutes.into()),
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
        if let Some(hold) = &self.hold {
            let _ = Reflect::set(&o, &string("hold"), &string(hold));
        }
        // An empty map is left out, as serde writes it.
        if !self.fields.is_empty() {
            let _ = Reflect::set(&o, &string("fields"), &map(&self.fields, ToJs::to_js));
        }
        o
    }
}

impl ToJs for HoldRequest {
    fn to_js(&self) -> JsValue {
        object(&[
            ("start", time_value(&self.start)),
            ("duration", self.duration.into()),
        ])
    }
}

impl ToJs for CancelRequest {
    fn to_js(&self) -> JsValue {
        // No reason is no key, as serde writes it.
        match &self.reason {
            Some(reason) => object(&[("reason", string(reason))]),
            None => object(&[]),
        }
    }
}

impl ToJs for RescheduleRequest {
    fn to_js(&self) -> JsValue {
        let o = object(&[
            ("start", time_value(&self.start)),
            ("time_zone", string(&self.time_zone)),
        ]);
        if let Some(duration) = self.duration {
            let _ = Reflect::set(&o, &string("duration"), &duration.into());
        }
        o
    }
}
