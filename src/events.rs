//! What the widget tells its host page: `booking:*` CustomEvents on the element, bubbling
//! and composed (they cross the shadow boundary).

use chrono::NaiveDate;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

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
    /// Moved through its manage link: detail is the booking at its new time.
    Rescheduled(Booking),
    /// Cancelled through its manage link: detail is the booking.
    Cancelled(Booking),
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
            Self::Rescheduled(_) => "booking:rescheduled",
            Self::Cancelled(_) => "booking:cancelled",
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
            Self::Created(b) | Self::Rescheduled(b) | Self::Cancelled(b) => b.to_js(),
            Self::Failed(e) => e.to_js(),
        }
    }
}

/// Sends events to the host page, when one listens: the element they are dispatched on,
/// stored in the widget's owner so that it is let go with the widget; none on the public
/// page and in tests.
#[derive(Clone, Copy, Default)]
pub struct Events(pub Option<StoredValue<Element, LocalStorage>>);

impl Events {
    /// Sends `event` as a `CustomEvent` that bubbles out of the shadow root. Last in any
    /// transition: a listener on the host page may remove the widget.
    pub fn send(&self, event: WidgetEvent) {
        let Some(target) = self.0.and_then(|t| t.try_get_value()) else {
            return;
        };
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&event.detail());
        if let Ok(e) = CustomEvent::new_with_event_init_dict(event.name(), &init) {
            let _ = target.dispatch_event(&e);
        }
    }
}
