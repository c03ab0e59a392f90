use leptos::prelude::*;

use crate::config::Config;
use crate::flow::Flow;
use crate::ics;
use crate::time;
use booking_wire::{Booking, BookingStatus};

/// What was booked (or where it moved), when (the visitor's zone and, where it differs, the
/// host's), where, the manage link of a new booking, and an .ics file.
#[component]
pub fn Confirmation(
    flow: Flow,
    booking: Booking,
    /// The booking's manage page, shown once.
    link: Option<String>,
) -> impl IntoView {
    let strings = flow.config.strings();
    let moved = flow.moving().is_some();
    let heading = match booking.status {
        BookingStatus::Pending => strings.pending,
        _ => strings.confirmed,
    };
    #[cfg(feature = "manage")]
    let heading = match moved {
        true => flow.config.manage_strings().rescheduled,
        false => heading,
    };
    let host_zone = flow.profile.with_value(|p| p.time_zone.clone());
    let ics_url = ics::object_url(&booking, link.as_deref());
    // The file's URL holds the file until it is revoked: it goes with the confirmation.
    if let Some(url) = ics_url.clone() {
        on_cleanup(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
    }
    view! {
        <section class="bw-confirmation" part="confirmation" aria-labelledby="bw-done-title">
            <h3 class="bw-confirmation__title" id="bw-done-title" tabindex="-1">{heading}</h3>
            {details(flow.config, &booking, &host_zone)}
            {link.map(|href| view! {
                <p class="bw-confirmation__manage">
                    <a href=href>{strings.manage}</a>" "{strings.manage_hint}
                </p>
            }.into_any())}
            <div class="bw-actions">
                {ics_url.map(|url| view! {
                    <a class="bw-button" part="button" href=url download="booking.ics">{strings.add_to_calendar}</a>
                }.into_any())}
                {(!moved).then(|| view! {
                    <button type="button" class="bw-button bw-button--primary" part="button primary-button"
                        on:click=move |_| flow.book_another()>{strings.book_another}</button>
                }.into_any())}
            </div>
        </section>
    }
}

/// A booking's title, times (the visitor's zone and, where it differs, the host's) and
/// place: the confirmation's and the manage page's.
pub fn details(config: Config, booking: &Booking, host_zone: &str) -> impl IntoView {
    let (locale, strings) = (config.tag(), config.strings());
    let (zone, hour12) = (config.zone.get_untracked(), config.hour12.get_untracked());
    let yours = time::date_time(booking.start, &locale, &zone, hour12);
    let host =
        (host_zone != zone).then(|| time::date_time(booking.start, &locale, host_zone, hour12));
    view! {
        <p class="bw-confirmation__what">{booking.title.clone()}</p>
        <dl class="bw-confirmation__details">
            <dt>{strings.your_time}</dt>
            <dd>{yours}</dd>
            {host.map(|h| view! { <dt>{strings.host_time}</dt><dd>{h}</dd> }.into_any())}
            {booking.location.clone().map(|l| view! { <dt>{strings.where_}</dt><dd>{l}</dd> }.into_any())}
        </dl>
    }
}
