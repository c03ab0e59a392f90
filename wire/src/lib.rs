//! The JSON that crosses the wire between the widget and booking-proxy, defined once, and
//! the booking-form rules both apply. No UI dependencies; with the `js` feature the same
//! types are read and written as JavaScript values (`js`), for the widget.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "js")]
pub mod js;
mod minutes;
mod names;
pub mod template;
pub mod validate;

use names::wire_names;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The wire's maps (and the widget's): keys in order, as in `BTreeMap`, kept in one sorted
/// `Vec`. LiteMap writes an empty map as `[]`, so map fields skip it when serializing.
pub type Map<K, V> = litemap::LiteMap<K, V>;

/// A booking profile as the widget sees it: what is booked and which fields the form asks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Profile {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The host's IANA zone.
    pub time_zone: String,
    /// Bookable lengths in minutes; the first is the default.
    pub durations: Vec<u32>,
    pub location: Option<String>,
    pub requires_confirmation: bool,
    /// Extra questions; the booker's name and email are always asked and are not listed.
    pub fields: Vec<Field>,
    /// Minutes a chosen time is held for the visitor while they fill the form (0: not held).
    #[serde(default)]
    pub hold_minutes: u32,
}

/// One question of the booking form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    #[serde(default)]
    pub default: Option<FieldValue>,
    #[serde(default)]
    pub options: Vec<String>,
}

wire_names! {
    /// What kind of control a field is, and what its answer may be.
    pub enum FieldKind {
        Text = "text",
        Textarea = "textarea",
        Email = "email",
        Phone = "phone",
        Number = "number",
        Url = "url",
        Select = "select",
        Multiselect = "multiselect",
        /// With `options`: any number of them ticked (a list); without: one tick box (a bool).
        Checkbox = "checkbox",
        Boolean = "boolean",
    }
}

/// An answer to a field: text, a number, yes/no, or a list of chosen options.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum FieldValue {
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<String>),
}

/// By the JSON value's own type. Written out rather than `#[serde(untagged)]`, which
/// buffers the value and tries each variant in turn: 3 KB more wasm for the same result.
impl<'de> Deserialize<'de> for FieldValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Kind;
        impl<'de> serde::de::Visitor<'de> for Kind {
            type Value = FieldValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number, boolean or list of strings")
            }
            fn visit_bool<E>(self, v: bool) -> Result<FieldValue, E> {
                Ok(FieldValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<FieldValue, E> {
                Ok(FieldValue::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<FieldValue, E> {
                Ok(FieldValue::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<FieldValue, E> {
                Ok(FieldValue::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<FieldValue, E> {
                Ok(FieldValue::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<FieldValue, E> {
                Ok(FieldValue::Text(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<FieldValue, A::Error> {
                let mut list = Vec::new();
                while let Some(item) = seq.next_element()? {
                    list.push(item);
                }
                Ok(FieldValue::List(list))
            }
        }
        d.deserialize_any(Kind)
    }
}

/// A bookable interval, in UTC.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SlotsResponse {
    pub time_zone: String,
    pub slots: Vec<Slot>,
}

/// What the booking page `/book/{profile}` carries for the widget, so it draws the
/// calendar without asking the proxy first: the profile, and the free slots of the
/// profile's first duration starting in `[from, to)` — a span that holds the current
/// month in every time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PageData {
    pub profile: Profile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slots: Option<SlotSpan>,
}

/// Every free slot of `duration` minutes starting in `[from, to)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SlotSpan {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub duration: u32,
    pub slots: Vec<Slot>,
}

/// The body of `POST /api/v1/profiles/{profile}/bookings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BookingRequest {
    pub start: DateTime<Utc>,
    /// Minutes, one of the profile's durations.
    #[serde(deserialize_with = "minutes::deserialize")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub duration: u32,
    /// The booker's zone, for the host's and the booker's messages.
    pub time_zone: String,
    /// Not blank; no control characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
        )
    )]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 3,
            max_length = 254,
            pattern = r"^\s*[^@\s\x00-\x1f\x7f-\x9f]+@[^@.\s\x00-\x1f\x7f-\x9f]+(\.[^@.\s\x00-\x1f\x7f-\x9f]+)+\s*$"
        )
    )]
    pub email: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, FieldValue>))]
    pub fields: Map<String, FieldValue>,
    /// Guests' email addresses.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub guests: Vec<String>,
    /// Lines of text; no other control characters.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 5000,
            pattern = r"^[^\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    pub notes: String,
    /// The visitor's language (BCP 47), for the messages they are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The visitor's live hold of this time, which lets the booking take it although it is
    /// hidden from everyone else; an expired or unknown hold counts as none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<String>,
}

/// The body of `POST /api/v1/profiles/{profile}/holds`: the slot to keep while the visitor
/// fills the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HoldRequest {
    pub start: DateTime<Utc>,
    /// Minutes, one of the profile's durations.
    #[serde(deserialize_with = "minutes::deserialize")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub duration: u32,
}

/// A slot held for one visitor: hidden from everyone else until `expires_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Hold {
    /// The hold's id, for the booking's `hold` and `DELETE /api/v1/holds/{id}`.
    pub hold: String,
    pub expires_at: DateTime<Utc>,
}

wire_names! {
    /// Whether the host has the booking in their calendar yet.
    pub enum BookingStatus {
        Confirmed = "confirmed",
        /// The host must still accept it.
        Pending = "pending",
        Cancelled = "cancelled",
    }
}

/// A created booking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Booking {
    pub id: String,
    pub status: BookingStatus,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub time_zone: String,
    pub title: String,
    pub location: Option<String>,
}

/// The 201 of a booking: the booking and, in that one answer only, the visitor's manage
/// token (the proxy keeps only its hash).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Created {
    #[serde(flatten)]
    pub booking: Booking,
    /// The private credential of `/api/v1/bookings/{token}`; absent from a replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_token: Option<String>,
}

/// A booking as its manage link shows it: what may still be done with it, and why not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ManagedBooking {
    #[serde(flatten)]
    pub booking: Booking,
    /// The booking profile's id.
    pub profile: String,
    pub can_cancel: bool,
    pub can_reschedule: bool,
    /// Why cancelling or rescheduling is not possible, when one is not.
    #[serde(default)]
    pub policy: Option<String>,
}

/// The body of `POST /api/v1/bookings/{token}/cancel`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CancelRequest {
    /// Lines of text; no other control characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = r"^[^\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
        )
    )]
    pub reason: Option<String>,
}

/// The body of `POST /api/v1/bookings/{token}/reschedule`: the new start, in UTC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RescheduleRequest {
    pub start: DateTime<Utc>,
    /// Minutes; default the booking's own length.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "minutes::option::deserialize"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub duration: Option<u32>,
    /// The visitor's zone.
    pub time_zone: String,
}

/// Every error response: `{"error": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorEnvelope {
    pub error: ApiError,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Present only for validation errors: field name → what is wrong with it.
    #[serde(default, skip_serializing_if = "no_fields")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<std::collections::BTreeMap<String, String>>))]
    pub fields: Option<Map<String, String>>,
}

wire_names! {
    /// What went wrong, for programs: the `code` of the error envelope.
    pub enum ErrorCode {
        BadRequest = "bad_request",
        NotFound = "not_found",
        ProfileNotFound = "profile_not_found",
        SlotUnavailable = "slot_unavailable",
        InvalidBooking = "invalid_booking",
        IdempotencyKeyReused = "idempotency_key_reused",
        RequestInProgress = "request_in_progress",
        PayloadTooLarge = "payload_too_large",
        RateLimited = "rate_limited",
        UpstreamError = "upstream_error",
        UpstreamTimeout = "upstream_timeout",
        /// The request took longer than the proxy allows (408).
        RequestTimeout = "request_timeout",
        /// No booking has this manage token (or it is not a token at all).
        BookingNotFound = "booking_not_found",
        /// The booking's policy or its provider does not allow this (cancelled, past the
        /// cut-off, the reschedule limit reached, or not offered).
        NotAllowed = "not_allowed",
        /// The path exists but not for this method (405).
        MethodNotAllowed = "method_not_allowed",
        /// The admin API's bearer token is missing or wrong (401).
        Unauthorized = "unauthorized",
        Internal = "internal",
        /// A code this build does not know yet (a newer proxy's).
        Unknown = "unknown",
    }
    else Unknown
}

fn no_fields(fields: &Option<Map<String, String>>) -> bool {
    fields.as_ref().is_none_or(Map::is_empty)
}

#[cfg(test)]
mod tests;
