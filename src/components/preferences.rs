use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::flow::Flow;
use crate::i18n::fill;
use crate::time;

/// How the visitor wants the times: the duration as a segmented toggle (a radio group), the
/// 24-hour clock as a switch, and the time zone as a searchable list. Each control starts
/// from the current value and keeps its own (the flow draws them again when the host page
/// changes one). They listen to `input`, as the form's fields do (S10): a zone applies as
/// soon as the text names one.
#[component]
pub fn Preferences(flow: Flow) -> impl IntoView {
    let config = flow.config;
    let strings = config.strings();
    let on_zone = move |ev| {
        if let Some(zone) = time::zone_name(&event_target_value(&ev)) {
            flow.choose_zone(zone);
        }
    };
    // The browser's 400-odd zones go into the list when the field is focused, not when the
    // step is drawn (its first drawing stays short on a slow phone), and again at each
    // focus, with the times and the clock of that moment.
    let list_zones = move |ev: web_sys::FocusEvent| {
        if let Some(list) = event_target::<web_sys::HtmlInputElement>(&ev).list() {
            let names = ZoneNames {
                list,
                first: None,
                zones: time::zones(),
                now: time::now(),
                locale: config.tag(),
                hour12: config.hour12.get_untracked(),
            };
            names.start();
        }
    };
    // A duration is always shown; with several, the visitor picks one (arrow keys move
    // within the group, as in any radio group).
    let (current, hour12) = (flow.duration.get_untracked(), config.hour12.get_untracked());
    let durations = flow.profile.with_value(|p| p.durations.clone());
    let durations = durations
        .into_iter()
        .map(|m| {
            view! {
                <label>
                    <input type="radio" name="bw-duration" value=m.to_string() checked=current == m />
                    {fill(strings.minutes, m)}
                </label>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <div class="bw-prefs">
            <div class="bw-seg" role="radiogroup" aria-label=strings.duration on:input=move |ev| {
                if let Ok(m) = event_target_value(&ev).parse() { flow.choose_duration(m) }
            }>{durations}</div>
            <label class="bw-switch">
                <input type="checkbox" role="switch" checked=!hour12
                    on:input=move |ev| flow.choose_clock(!event_target_checked(&ev)) />
                {strings.clock}
            </label>
            <label class="bw-pref">
                <span class="bw-visually-hidden">{strings.time_zone}</span>
                <input class="bw-input" part="input" list="bw-zones" autocomplete="off"
                    value=config.zone.get_untracked() on:input=on_zone on:focus=list_zones />
                <datalist id="bw-zones"></datalist>
            </label>
        </div>
    }
}

/// The zone list, each zone read as the browser names it in the visitor's language with its
/// time now. Every zone is in the list at once; their names come a slice a frame, as 400
/// formatters built in one go hold the main thread about 400 ms on a 4× slower CPU
/// (`scripts/bench/zones.mjs`).
struct ZoneNames {
    list: web_sys::HtmlElement,
    /// The list's first option as this filling wrote it: another focus's filling replaces
    /// it, and this one stops.
    first: Option<web_sys::Element>,
    zones: Vec<String>,
    now: DateTime<Utc>,
    locale: String,
    hour12: bool,
}

impl ZoneNames {
    /// Fills the list with every zone, then names them a slice a frame.
    fn start(mut self) {
        let mut options = String::new();
        for zone in &self.zones {
            // Zone names are letters, digits and `/_+-`: an unquoted attribute value.
            options.push_str(&format!("<option value={zone}>"));
        }
        self.list.set_inner_html(&options);
        self.first = self.list.first_element_child();
        request_animation_frame(move || self.next(0));
    }

    /// Names the zones from `from` on: a slice now, the rest on the next frames.
    fn next(self, from: usize) {
        if self.list.first_element_child() != self.first {
            return;
        }
        let to = self.zones.len().min(from + 20);
        for zone in &self.zones[from..to] {
            let option = self.list.query_selector(&format!("[value='{zone}']"));
            if let Ok(Some(option)) = option {
                let label = time::zone_label(self.now, &self.locale, zone, self.hour12);
                let _ = option.set_attribute("label", &label);
            }
        }
        if to < self.zones.len() {
            request_animation_frame(move || self.next(to));
        }
    }
}
