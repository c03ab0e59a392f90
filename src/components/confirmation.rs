use leptos::prelude::*;

use crate::i18n::Strings;
use crate::ics;
use crate::time;
use booking_wire::{Booking, BookingStatus};

/// What was booked, when (the visitor's zone and the host's), where, and an .ics file.
#[component]
pub fn Confirmation(
    booking: Booking,
    /// The host's zone, shown when it differs from the visitor's.
    host_zone: String,
    zone: String,
    hour12: bool,
    on_again: Callback<()>,
    locale: String,
    strings: &'static Strings,
) -> impl IntoView {
    let heading = match booking.status {
        BookingStatus::Pending => strings.pending,
        _ => strings.confirmed,
    };
    let yours = time::date_time(booking.start, &locale, &zone, hour12);
    let host =
        (host_zone != zone).then(|| time::date_time(booking.start, &locale, &host_zone, hour12));
    let ics_url = ics::object_url(&booking);
    view! {
        <section class="bw-confirmation" part="confirmation" aria-labelledby="bw-done-title">
            <h3 id="bw-done-title" tabindex="-1">{heading}</h3>
            <p class="bw-confirmation__what">{booking.title.clone()}</p>
            <dl>
                <dt>{strings.your_time}</dt>
                <dd>{yours}</dd>
                {host.map(|h| view! { <dt>{strings.host_time}</dt><dd>{h}</dd> }.into_any())}
                {booking.location.clone().map(|l| view! { <dt>{strings.where_}</dt><dd>{l}</dd> }.into_any())}
            </dl>
            <div class="bw-form__actions">
                {ics_url.map(|url| view! {
                    <a class="bw-button" part="button" href=url download="booking.ics">{strings.add_to_calendar}</a>
                }.into_any())}
                <button type="button" class="bw-button bw-button--primary" part="button primary-button"
                    on:click=move |_| on_again.run(())>{strings.book_another}</button>
            </div>
        </section>
    }
}
