use leptos::prelude::*;

use crate::flow::Flow;
use crate::ics;
use crate::time;
use booking_wire::{Booking, BookingStatus};

/// What was booked, when (the visitor's zone and, where it differs, the host's), where, and
/// an .ics file.
#[component]
pub fn Confirmation(flow: Flow, booking: Booking) -> impl IntoView {
    let config = flow.config;
    let (locale, strings) = (config.tag(), config.strings());
    let (zone, hour12) = (config.zone.get_untracked(), config.hour12.get_untracked());
    let host_zone = flow.profile.with_value(|p| p.time_zone.clone());
    let heading = match booking.status {
        BookingStatus::Pending => strings.pending,
        _ => strings.confirmed,
    };
    let yours = time::date_time(booking.start, &locale, &zone, hour12);
    let host =
        (host_zone != zone).then(|| time::date_time(booking.start, &locale, &host_zone, hour12));
    let ics_url = ics::object_url(&booking);
    // The file's URL holds the file until it is revoked: it goes with the confirmation.
    if let Some(url) = ics_url.clone() {
        on_cleanup(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
    }
    view! {
        <section class="bw-confirmation" part="confirmation" aria-labelledby="bw-done-title">
            <h3 class="bw-confirmation__title" id="bw-done-title" tabindex="-1">{heading}</h3>
            <p class="bw-confirmation__what">{booking.title.clone()}</p>
            <dl class="bw-confirmation__details">
                <dt>{strings.your_time}</dt>
                <dd>{yours}</dd>
                {host.map(|h| view! { <dt>{strings.host_time}</dt><dd>{h}</dd> }.into_any())}
                {booking.location.clone().map(|l| view! { <dt>{strings.where_}</dt><dd>{l}</dd> }.into_any())}
            </dl>
            <div class="bw-actions">
                {ics_url.map(|url| view! {
                    <a class="bw-button" part="button" href=url download="booking.ics">{strings.add_to_calendar}</a>
                }.into_any())}
                <button type="button" class="bw-button bw-button--primary" part="button primary-button"
                    on:click=move |_| flow.book_another()>{strings.book_another}</button>
            </div>
        </section>
    }
}
