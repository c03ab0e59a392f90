use leptos::prelude::*;

#[cfg(feature = "manage")]
use super::MoveForm;
use super::{BookingForm, Confirmation, ErrorPanel, MonthView, Preferences, TimeList};
use crate::api::ApiClient;
use crate::flow::{Flow, Moving, Step};
use booking_wire::{FieldValue, Map, Profile};

/// The booking flow for a loaded profile: day, time, form, confirmation. The state and
/// its transitions are the `Flow`'s; this is its view.
#[component]
pub fn Booker(
    profile: Profile,
    client: ApiClient,
    /// The element the widget is drawn in, where focus moves look for their target.
    root: web_sys::Element,
    /// The host page's answers, which may change while the flow runs.
    prefill: RwSignal<Map<String, FieldValue>>,
    /// The profile's description as the header shows it, its blanks filled as the visitor
    /// answers.
    description: RwSignal<String>,
    /// A booking to move instead of booking anew.
    #[prop(optional)]
    moving: Option<Moving>,
) -> impl IntoView {
    let flow = Flow::new(profile, client, root, prefill, description, moving);
    // Drawn again for a new step and for a new language (the views read the strings when
    // drawn); the flow's state stays.
    let body = move || {
        flow.config.locale.track();
        match flow.step.get() {
            // The settings first, under the profile's details; the times right after the
            // grid, in the tab order too. On a phone the month and the times take turns
            // (`Flow::show_times`). Drawn a task after the profile's header (`UseSlots::parts`).
            Step::Pick if !flow.slots.parts[0].get() => ().into_any(),
            Step::Pick => view! {
                <div class="bw-booker__pick">
                    <Preferences flow />
                    <MonthView month=flow.month on_pick=move |d| flow.pick_day(d) busy=flow.slots.busy />
                    <div class="bw-booker__side">
                        {notices(flow)}
                        // Always drawn, so focus on its heading survives a refresh of the slots.
                        <TimeList flow />
                    </div>
                </div>
            }
            .into_any(),
            #[cfg(feature = "manage")]
            Step::Form(chosen) if flow.moving().is_some() => {
                view! { <MoveForm flow chosen /> }.into_any()
            }
            Step::Form(chosen) => view! { <BookingForm flow chosen /> }.into_any(),
            Step::Done(booking, token) => view! { <Confirmation flow booking token /> }.into_any(),
        }
    };
    view! {
        <div class="bw-booker">
            <p class="bw-visually-hidden" role="status" aria-live="polite">{move || flow.announce.get()}</p>
            {body}
        </div>
    }
}

/// What the times step says above the times: a time just taken, nothing free, or a failed
/// fetch with a retry.
fn notices(flow: Flow) -> impl IntoView {
    let strings = flow.config.strings();
    view! {
        {move || flow.notice.get().map(|n| view! { <p class="bw-notice" part="error" role="alert">{n}</p> }.into_any())}
        {move || flow.nothing_free().then(|| view! { <p class="bw-notice">{strings.nothing_free}</p> }.into_any())}
        {move || flow.slots.slots.with(|s| match s {
            Some(Err(failure)) => Some(failure.message(strings.unreachable)),
            _ => None,
        }).map(|message| view! {
            <ErrorPanel message on_retry=Some(Callback::new(move |()| flow.slots.reload())) retry_label=strings.retry />
        }.into_any())}
    }
}
