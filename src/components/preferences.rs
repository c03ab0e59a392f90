use leptos::prelude::*;

use crate::flow::Flow;
use crate::i18n::fill;
use crate::time;

/// Time zone (searchable), clock and duration: how the visitor wants times shown. Each
/// control starts from the current value and keeps its own (the flow draws them again when
/// the host page changes one). They listen to `input`, as the form's fields do (S10): a
/// zone applies as soon as the text names one.
#[component]
pub fn Preferences(flow: Flow) -> impl IntoView {
    let strings = flow.config.strings();
    let on_zone = move |ev| {
        if let Some(zone) = time::zone_name(&event_target_value(&ev)) {
            flow.choose_zone(zone);
        }
    };
    // The browser's 400-odd zone names go into the list when the field is first focused,
    // not when the step is drawn: its first drawing stays short on a slow phone.
    let list_zones = move |ev: web_sys::FocusEvent| {
        let list = event_target::<web_sys::HtmlInputElement>(&ev).list();
        if let Some(list) = list.filter(|l| !l.has_child_nodes()) {
            let mut options = String::new();
            for zone in time::zones() {
                // Zone names are letters, digits and `/_+-`: an unquoted attribute value.
                for part in ["<option value=", &zone, ">"] {
                    options.push_str(part);
                }
            }
            list.set_inner_html(&options);
        }
    };
    // No choice is shown for one duration.
    let durations = flow.profile.with_value(|p| p.durations.clone());
    let durations_view = (durations.len() > 1).then(|| {
        let current = flow.duration.get_untracked();
        view! {
            <label class="bw-pref">
                <span>{strings.duration}</span>
                <select class="bw-input" part="input" on:input=move |ev| {
                    if let Ok(m) = event_target_value(&ev).parse() { flow.choose_duration(m) }
                }>
                    {durations.into_iter().map(|m| view! {
                        <option value=m.to_string() selected=current == m>{fill(strings.minutes, m)}</option>
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
                    value=flow.config.zone.get_untracked() on:input=on_zone on:focus=list_zones />
                <datalist id="bw-zones"></datalist>
            </label>
            {durations_view}
            <label class="bw-pref bw-pref--inline">
                <input type="checkbox" part="input" checked=!flow.config.hour12.get_untracked()
                    on:input=move |ev| flow.choose_clock(!event_target_checked(&ev)) />
                <span>{strings.clock}</span>
            </label>
        </div>
    }
}
