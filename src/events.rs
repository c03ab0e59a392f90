//! What the widget tells its host page: `booking:*` CustomEvents on the element, bubbling
//! and composed (they cross the shadow boundary).

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::api::to_js;

use crate::wire::{ApiError, Booking, Profile, Slot};

#[derive(Clone, Debug)]
pub enum WidgetEvent {
    /// The profile loaded: detail is the profile.
    Ready(Profile),
    /// A month's slots arrived.
    SlotsLoaded {
        from: NaiveDate,
        to: NaiveDate,
        time_zone: String,
        count: usize,
    },
    /// The visitor picked a time: detail is the slot.
    SlotSelected(Slot),
    /// The booking was sent: its time only (no personal data).
    Submitted {
        slot: Slot,
        duration: u32,
        time_zone: String,
    },
    /// Booked: detail is the booking.
    Created(Booking),
    /// Booking failed: detail is the error object.
    Failed(ApiError),
}

#[derive(Serialize)]
struct SlotsLoaded<'a> {
    from: NaiveDate,
    to: NaiveDate,
    time_zone: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct Submitted<'a> {
    start: &'a chrono::DateTime<chrono::Utc>,
    end: &'a chrono::DateTime<chrono::Utc>,
    duration: u32,
    time_zone: &'a str,
}

impl WidgetEvent {
    /// The event type, e.g. `booking:created`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ready(_) => "booking:ready",
            Self::SlotsLoaded { .. } => "booking:slots-loaded",
            Self::SlotSelected(_) => "booking:slot-selected",
            Self::Submitted { .. } => "booking:submitted",
            Self::Created(_) => "booking:created",
            Self::Failed(_) => "booking:failed",
        }
    }

    /// The event's `detail`, as a plain object.
    pub fn detail(&self) -> JsValue {
        let detail = match self {
            Self::Ready(p) => to_js(p),
            Self::SlotsLoaded {
                from,
                to,
                time_zone,
                count,
            } => to_js(&SlotsLoaded {
                from: *from,
                to: *to,
                time_zone,
                count: *count,
            }),
            Self::SlotSelected(s) => to_js(s),
            Self::Submitted {
                slot,
                duration,
                time_zone,
            } => to_js(&Submitted {
                start: &slot.start,
                end: &slot.end,
                duration: *duration,
                time_zone,
            }),
            Self::Created(b) => to_js(b),
            Self::Failed(e) => to_js(e),
        };
        detail.unwrap_or(JsValue::NULL)
    }
}

/// Where events go; provided by the mount, absent in tests and on its own.
#[derive(Clone, Copy)]
pub struct Emit(pub Callback<WidgetEvent>);
