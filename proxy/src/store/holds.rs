//! Holds: a slot kept for one visitor until it expires. Expiry is the comparison of
//! `expires_at` with the caller's clock in every query, so nothing has to sweep for
//! correctness; rows that expired are deleted whenever a hold of the profile is placed.

use booking_wire::Slot;
use chrono::{DateTime, TimeDelta, Utc};

/// One row of `holds`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHold {
    pub id: String,
    pub profile: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The provider's reservation id, where the provider keeps the hold.
    pub provider_ref: Option<String>,
}

/// How a booking counts holds: the live ones as of `now` are in its way, but `own`.
#[derive(Debug, Clone, Copy)]
pub struct Holding<'a> {
    pub now: DateTime<Utc>,
    pub own: Option<&'a str>,
}

/// What is near a slot about to be held, for the caller to judge.
pub struct Nearby {
    /// Active bookings of the profile within a day.
    pub bookings: Vec<Slot>,
    /// Other clients' live holds of the profile within a day.
    pub holds: Vec<Slot>,
}

/// What happened to a hold being placed.
#[derive(Debug, PartialEq)]
pub enum Placed {
    /// Placed; the client's earlier hold of the profile, if any, was removed for it, and
    /// so were the profile's holds that had expired (`lapsed`).
    Done {
        replaced: Option<StoredHold>,
        lapsed: Vec<StoredHold>,
    },
    Taken,
}

/// A day either side of a slot: what can stand in its way, buffers included.
pub fn around(start: DateTime<Utc>, end: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let margin = TimeDelta::days(1);
    (
        start.checked_sub_signed(margin).unwrap_or(start),
        end.checked_add_signed(margin).unwrap_or(end),
    )
}
