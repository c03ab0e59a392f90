//! booking-widget: the embeddable booking widget, and the wire types shared with booking-proxy.

pub mod wire;

#[cfg(feature = "ui")]
pub mod api;
#[cfg(feature = "ui")]
pub mod app;
#[cfg(feature = "ui")]
pub mod calendar;
#[cfg(feature = "ui")]
pub mod components;
#[cfg(feature = "ui")]
pub mod embed;
#[cfg(feature = "ui")]
pub mod events;
#[cfg(feature = "ui")]
pub mod i18n;
#[cfg(feature = "ui")]
pub mod ics;
#[cfg(feature = "ui")]
pub mod mount;
#[cfg(feature = "ui")]
pub mod time;
