use leptos::prelude::*;

use crate::i18n::{fill, Strings};
use crate::time;

/// Time zone (searchable), clock and duration: how the visitor wants times shown. Only
/// these controls change them, so each starts from the current value and keeps its own.
/// They listen to `input`, as the form's fields do (one kind of listener less in the wasm):
/// a zone applies as soon as the text names one.
#[component]
pub fn Preferences(
    zone: RwSignal<String>,
    hour12: RwSignal<bool>,
    /// The chosen duration in minutes.
    duration: RwSignal<u32>,
    /// The profile's durations; no choice is shown for one.
    durations: Vec<u32>,
    strings: &'static Strings,
) -> impl IntoView {
    let zones = time::zones();
    let on_zone = move |ev| {
        let value = event_target_value(&ev);
        if time::is_zone(&value) {
            zone.set(value);
        }
    };
    let durations_view = (durations.len() > 1).then(|| {
        view! {
            <label class="bw-pref">
                <span>{strings.duration}</span>
                <select class="bw-input" part="input" on:input=move |ev| {
                    if let Ok(m) = event_target_value(&ev).parse() { duration.set(m) }
                }>
                    {durations.into_iter().map(|m| view! {
                        <option value=m.to_string() selected=duration.get_untracked() == m>{fill(strings.minutes, m)}</option>
                    }.into_any()).collect_view()}
                </select>
            </label>
        }
        .into_any()
    });
    view! {
        <div class="bw-prefs">
            <label class="bw-pref">
                <span>{strings.time_zone}</span>
                <input class="bw-input" part="input" list="bw-zones" autocomplete="off"
                    value=zone.get_untracked() on:input=on_zone />
                // Each option's text repeats its value: the same kind of element as the
                // duration choice's options, so no code of its own.
                <datalist id="bw-zones">
                    {zones.into_iter().map(|z| { let shown = z.clone(); view! { <option value=z>{shown}</option> }.into_any() }).collect_view()}
                </datalist>
            </label>
            {durations_view}
            <label class="bw-pref bw-pref--inline">
                <input type="checkbox" part="input" checked=!hour12.get_untracked()
                    on:input=move |ev| hour12.set(!event_target_checked(&ev)) />
                <span>{strings.clock}</span>
            </label>
        </div>
    }
}
