use leptos::prelude::*;

use crate::flow::Flow;
use crate::i18n::{self, fill};
use crate::time;
use booking_wire::js::time_text;

/// The free times of the chosen day, in the visitor's zone and clock.
#[component]
pub fn TimeList(flow: Flow) -> impl IntoView {
    let config = flow.config;
    let (locale, strings) = (config.tag(), config.strings());
    let (selected, days) = (flow.month.selected, flow.month.days);
    let slots = move || {
        selected
            .get()
            .and_then(|d| days.with(|m| m.get(&d).cloned()))
            .unwrap_or_default()
    };
    let heading = {
        let locale = locale.clone();
        move || match selected.get() {
            // Short, on one line above the times; the day's whole date is its button's name.
            Some(d) => fill(strings.times_heading, time::short_date(d, &locale)),
            // Before a day is chosen, nothing is said about times.
            None => strings.choose_day.into(),
        }
    };
    #[cfg(feature = "manage")]
    let current = flow.moving().map(|m| m.current.start);
    let times = move || {
        let locale = locale.clone();
        slots()
            .into_iter()
            .map(|slot| {
                let label = time::time(slot.start, &locale, &config.zone.get(), config.hour12.get());
                let start = time_text(&slot.start);
                // Moving a booking, its own time is marked and is no choice (the booking
                // bundle moves none, and leaves `aria-current` out: an attribute costs S8).
                #[cfg(feature = "manage")]
                if current == Some(slot.start) {
                    let label = format!("{label} · {}", config.manage_strings().current_time);
                    return view! {
                        <li><button type="button" class="bw-slot" part="slot" data-start=start aria-current="true">{label}</button></li>
                    }.into_any();
                }
                let pick = move |_| flow.pick_slot(slot.clone());
                view! {
                    <li><button type="button" class="bw-slot" part="slot" data-start=start on:click=pick>{label}</button></li>
                }.into_any()
            })
            .collect_view()
    };
    view! {
        <div class="bw-times">
            // On a phone the day's times are a step of their own: "Change" goes back to
            // the month (CSS shows it there only).
            <h3 class="bw-times__title" id="bw-times-title" tabindex="-1">{heading}</h3>
            <button type="button" class="bw-link bw-times__back" on:click=move |_| flow.show_times(false)>{strings.change}</button>
            {move || match slots().len() {
                0 if selected.with(Option::is_some) => view! { <p>{strings.no_times}</p> }.into_any(),
                0 => ().into_any(),
                n => view! {
                    <p class="bw-visually-hidden">{i18n::n_times(strings, n)}</p>
                    <ul class="bw-times__list" role="list">{times.clone()}</ul>
                }
                .into_any(),
            }}
        </div>
    }
}
