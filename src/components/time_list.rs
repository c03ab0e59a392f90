use leptos::prelude::*;

use crate::i18n::{fill, Strings};
use crate::time;
use crate::wire::Slot;

/// The free times of the chosen day, in the visitor's zone and clock.
#[component]
pub fn TimeList(
    /// Heading, e.g. "Times on Monday 23 November".
    heading: Signal<String>,
    /// The day's free slots.
    slots: Signal<Vec<Slot>>,
    /// Whether a day is chosen (before that, nothing is said about times).
    chosen: Signal<bool>,
    /// The visitor's zone.
    zone: RwSignal<String>,
    /// 12-hour clock.
    hour12: RwSignal<bool>,
    /// Called with the picked slot.
    on_pick: Callback<Slot>,
    locale: String,
    strings: &'static Strings,
) -> impl IntoView {
    let times = move || {
        let locale = locale.clone();
        slots
            .get()
            .into_iter()
            .map(|slot| {
                let label = time::time(slot.start, &locale, &zone.get(), hour12.get());
                view! {
                    <li>
                        <button type="button" class="bw-slot" part="slot" data-start=slot.start.to_rfc3339()
                            on:click=move |_| on_pick.run(slot.clone())>{label}</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="bw-times" aria-labelledby="bw-times-title">
            <h3 class="bw-times__title" id="bw-times-title" tabindex="-1">{heading}</h3>
            <Show when=move || !slots.with(Vec::is_empty) fallback=move || chosen.get().then(|| view! { <p>{strings.no_times}</p> })>
                <p class="bw-visually-hidden">{move || fill(strings.n_times, slots.with(Vec::len))}</p>
                <ul class="bw-times__list" role="list">{times.clone()}</ul>
            </Show>
        </section>
    }
}
