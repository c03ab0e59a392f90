use leptos::prelude::*;

use super::FieldInput;
use crate::flow::Flow;
use crate::time;
use booking_wire::{Field, FieldKind, Slot};

/// Name, email and the profile's fields for the chosen time, with inline messages.
#[component]
pub fn BookingForm(
    flow: Flow,
    /// The time being booked.
    chosen: Slot,
) -> impl IntoView {
    let config = flow.config;
    let strings = config.strings();
    // What is being booked, e.g. "Monday 23 November, 14:30".
    let summary = time::date_time(
        chosen.start,
        &config.tag(),
        &config.zone.get_untracked(),
        config.hour12.get_untracked(),
    );
    let booker = [
        ("name", strings.name, FieldKind::Text),
        ("email", strings.email, FieldKind::Email),
    ]
    .map(|(name, label, kind)| Field {
        name: name.into(),
        label: label.into(),
        kind,
        required: true,
        default: None,
        options: vec![],
    });
    let answers = flow.answers;
    // The proxy lists the required fields first.
    let controls = booker
        .into_iter()
        .chain(flow.profile.with_value(|p| p.fields.clone()))
        .map(|field| view! { <FieldInput field answers /> })
        .collect_view();
    let (busy, notice) = (flow.busy, flow.form_notice);
    view! {
        // `input` bubbles here after the field has kept its answer (FieldInput).
        <form class="bw-form" part="form" novalidate on:input=move |_| flow.answered() on:submit=move |ev| {
            ev.prevent_default();
            flow.submit();
        }>
            <h3 class="bw-form__title" id="bw-form-title" tabindex="-1">{strings.your_details}</h3>
            // The chosen time as a card, with the way back to the times.
            <p class="bw-form__summary">
                <span>{summary}</span>
                <button type="button" class="bw-link" on:click=move |_| flow.back()>{strings.change}</button>
            </p>
            {controls}
            {move || notice.get().map(|n| view! { <p class="bw-notice" part="error" role="alert">{n}</p> }.into_any())}
            <div class="bw-actions">
                <button type="submit" class="bw-button bw-button--primary" part="button primary-button"
                    aria-disabled=move || Some(busy.get().to_string())>
                    // `Option<String>` and `String`, the kinds the other reactive attributes and
                    // texts are: each other kind adds its own drawing code (S11).
                    {move || String::from(if busy.get() { strings.booking } else { strings.book })}
                </button>
            </div>
        </form>
    }
}
