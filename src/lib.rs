//! booking-widget: the embeddable booking widget. The JSON it exchanges with booking-proxy
//! is `booking_wire`'s.

pub mod api;
pub mod app;
pub mod calendar;
pub mod calendar_links;
pub mod components;
pub mod config;
pub mod embed;
pub mod events;
pub mod flow;
pub mod i18n;
pub mod mount;
pub mod options;
pub mod time;
