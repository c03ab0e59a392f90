use leptos::prelude::*;

use crate::calendar_links;
use crate::config::Config;
use crate::flow::Flow;
use crate::time;
use booking_wire::{Booking, BookingStatus};

/// What was booked (or where it moved), when (the visitor's zone and, where it differs, the
/// host's), where, the manage link of a new booking, and "Add to calendar".
#[component]
pub fn Confirmation(
    flow: Flow,
    booking: Booking,
    /// The booking's manage token (its page is shown once).
    token: Option<String>,
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
    // In the launcher's dialog the visitor is done; inline, they may book another time.
    let next = match flow.dialog() {
        Some(_) => strings.done,
        None => strings.book_another,
    };
    // The manage page (a moved booking's is the one the visitor is on) and "Add to
    // calendar": a menu of the calendar services' own "add event" pages and the proxy's
    // file. A replayed answer has no token, so neither.
    let links = token.map(|token| {
        let (page, file) = flow.links(&token);
        let [google, outlook, office] = calendar_links::links(&booking, &page);
        view! {
            {(!moved).then(|| view! {
                <p class="bw-confirmation__manage">
                    <a href=page>{strings.manage}</a>" "{strings.manage_hint}
                </p>
            }.into_any())}
            <details class="bw-menu">
                <summary class="bw-button" part="button">{strings.add_to_calendar}</summary>
                <a href=google target="_blank">"Google"</a>
                <a href=outlook target="_blank">"Outlook.com"</a>
                <a href=office target="_blank">"Office 365"</a>
                <a href=file>{strings.ics_file}</a>
            </details>
        }
        .into_any()
    });
    view! {
        <div class="bw-confirmation" part="confirmation">
            <h3 class="bw-confirmation__title" id="bw-done-title" tabindex="-1">{heading}</h3>
            {details(flow.config, &booking, &host_zone)}
            {links}
            <div class="bw-actions">
                {(!moved).then(|| view! {
                    <button type="button" class="bw-button bw-button--primary" part="button primary-button"
                        on:click=move |_| flow.done()>{next}</button>
                }.into_any())}
            </div>
        </div>
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
