//! What the widget tells its host page: `booking:*` CustomEvents on the element, bubbling
//! and composed (they cross the shadow boundary).

use chrono::NaiveDate;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use booking_wire::js::{date_value, object, time_value, ToJs};

use booking_wire::{ApiError, Booking, Profile, Slot};

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
        match self {
            Self::Ready(p) => p.to_js(),
            Self::SlotsLoaded {
                from,
                to,
                time_zone,
                count,
            } => object(&[
                ("from", date_value(from)),
                ("to", date_value(to)),
                ("time_zone", time_zone.into()),
                ("count", (*count as u32).into()),
            ]),
            Self::SlotSelected(s) => s.to_js(),
            Self::Submitted {
                slot,
                duration,
                time_zone,
            } => object(&[
                ("start", time_value(&slot.start)),
                ("end", time_value(&slot.end)),
                ("duration", (*duration).into()),
                ("time_zone", time_zone.into()),
            ]),
            Self::Created(b) => b.to_js(),
            Self::Failed(e) => e.to_js(),
        }
    }
}

/// Where events go: provided by the mount inside the widget's owner, so it goes when the
/// widget does; absent on the public page and in tests.
#[derive(Clone, Copy)]
pub struct Emit(pub Callback<WidgetEvent>);

/// Sends events to the host page, when one listens.
#[derive(Clone, Copy)]
pub struct Events(Option<Callback<WidgetEvent>>);

impl Events {
    /// Sends `event`. Last in any transition: a listener on the host page may remove the
    /// widget.
    pub fn send(&self, event: WidgetEvent) {
        if let Some(c) = self.0 {
            c.run(event);
        }
    }
}

/// The mount's events, taken while the owner's context can be read (when a component or
/// the flow is created, not in a task).
pub fn use_events() -> Events {
    Events(use_context::<Emit>().map(|Emit(c)| c))
}
