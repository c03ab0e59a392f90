use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::calendar::{first_weekday, month_weeks, move_focus, GridKey};
use crate::config::use_config;
use crate::flow::MonthState;
use crate::time;

/// The month grid (WAI-ARIA date grid): days with free times are enabled and marked; arrow
/// keys, Home/End and PageUp/PageDown move a roving focus.
#[component]
pub fn MonthView(
    /// The month shown, the tab stop, the chosen day and the free days.
    month: MonthState,
    /// Called when the visitor picks a day with free times.
    on_pick: impl Fn(NaiveDate) + Copy + Send + Sync + 'static,
    /// The month's free days are on their way.
    busy: RwSignal<bool>,
) -> impl IntoView {
    let config = use_config();
    let (locale, strings) = (config.tag(), config.strings());
    let MonthState {
        month: shown,
        focus,
        selected,
        days,
        with_days,
    } = month;
    let first = first_weekday(&locale);
    let rtl = crate::i18n::is_rtl(&locale);
    let loc = locale.clone();
    let title = move || time::month_title(shown.get(), &loc);
    // The weekday names depend on the locale only: drawn once, not per month. A `th` of the
    // `thead` heads its column without `scope` (an attribute name of its own: S8).
    let start = shown.get_untracked();
    let first_day = start - chrono::Days::new(start.weekday().days_since(first) as u64);
    let headers = (0..7)
        .map(|i| {
            let (short, long) = time::weekday_names(first_day + chrono::Days::new(i), &locale);
            view! { <th abbr=long>{short}</th> }.into_any()
        })
        .collect_view();
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(key) = GridKey::from_key(&ev.key()) else {
            return;
        };
        ev.prevent_default();
        let next = move_focus(focus.get_untracked(), key, first, rtl);
        month.focus_on(next);
        // Move DOM focus once the grid shows the new day.
        let grid: Option<web_sys::Element> = ev.current_target().and_then(|t| t.dyn_into().ok());
        request_animation_frame(move || {
            let button = grid.and_then(|g| {
                g.query_selector(&format!("[data-date='{next}']"))
                    .ok()
                    .flatten()
            });
            if let Some(b) = button.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = b.focus();
            }
        });
    };
    // The grid is drawn by one closure with plain values, not a closure per attribute:
    // the same DOM updates in place, for far less generated code.
    let loc = locale.clone();
    let grid = move || {
        let (chosen, tab_stop) = (selected.get(), focus.get());
        if !with_days.get() {
            return Vec::new();
        }
        let now = time::now();
        let today = config
            .zone
            .with(|z| time::local_date(now, z))
            .unwrap_or(now.date_naive());
        days.with(|free_days| {
            month_weeks(shown.get(), first)
                .into_iter()
                .map(|week| {
                    let cells = week
                        .into_iter()
                        .map(|date| {
                            let button = date.map(|date| {
                                let free = free_days.contains_key(&date);
                                let mut label = time::long_date(date, &loc);
                                if free {
                                    label.push_str(", ");
                                    label.push_str(strings.available);
                                }
                                view! {
                                    <button
                                        type="button"
                                        class=day_class(free, chosen == Some(date), date.cmp(&today))
                                        part="day"
                                        data-date=date.to_string()
                                        // A closure, the kind the submit button's is: one
                                        // kind of `aria-disabled` in the wasm (S8).
                                        aria-disabled=move || Some((!free).to_string())
                                        aria-label=label
                                        tabindex=if tab_stop == date { "0" } else { "-1" }
                                        on:click=move |_| {
                                            month.focus_on(date);
                                            if free {
                                                on_pick(date);
                                            }
                                        }
                                    >
                                        {time::day_number(date, &loc)}
                                    </button>
                                }
                                .into_any()
                            });
                            // A `td` of a `role=grid` table is a gridcell already.
                            // Always a string, "false" on padding cells too: an optional
                            // attribute here would be the only one of its kind (S11).
                            let state = (date.is_some() && chosen == date).to_string();
                            view! { <td aria-selected=state>{button}</td> }.into_any()
                        })
                        .collect_view();
                    view! { <tr>{cells}</tr> }.into_any()
                })
                .collect_view()
        })
    };
    view! {
        <div class="bw-calendar" part="calendar">
            <div class="bw-calendar__head">
                <button type="button" class="bw-button bw-calendar__nav" part="button"
                    aria-label=strings.prev_month on:click=move |_| month.turn(-1)>{if rtl { "›" } else { "‹" }}</button>
                <h3 class="bw-calendar__title" id="bw-month-title" tabindex="-1" aria-live="polite">{title}</h3>
                <button type="button" class="bw-button bw-calendar__nav" part="button"
                    aria-label=strings.next_month on:click=move |_| month.turn(1)>{if rtl { "‹" } else { "›" }}</button>
            </div>
            <table class="bw-calendar__grid" role="grid" aria-labelledby="bw-month-title" on:keydown=on_key
                aria-busy=move || busy.get().then(|| "true".to_string())>
                <thead><tr>{headers}</tr></thead>
                <tbody>{grid}</tbody>
            </table>
        </div>
    }
}

/// The day button's classes: one plain string rather than `class:` toggles, whose
/// machinery the wasm then does without (S9). `when` is the day against today: a past day
/// is drawn apart from a day with nothing free, and today is marked.
fn day_class(free: bool, selected: bool, when: std::cmp::Ordering) -> &'static str {
    use std::cmp::Ordering::{Equal, Less};
    match (free, selected, when) {
        (_, _, Less) => "bw-day bw-day--past",
        (true, true, Equal) => "bw-day bw-day--free bw-day--selected bw-day--today",
        (true, false, Equal) => "bw-day bw-day--free bw-day--today",
        (false, true, Equal) => "bw-day bw-day--selected bw-day--today",
        (false, false, Equal) => "bw-day bw-day--today",
        (true, true, _) => "bw-day bw-day--free bw-day--selected",
        (true, false, _) => "bw-day bw-day--free",
        (false, true, _) => "bw-day bw-day--selected",
        (false, false, _) => "bw-day",
    }
}

#[cfg(test)]
mod tests {
    use super::day_class;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn today_is_marked_free_or_not_chosen_or_not_and_a_past_day_only_as_past() {
        for free in [false, true] {
            for selected in [false, true] {
                let today = day_class(free, selected, Equal);
                let later = day_class(free, selected, Greater);
                assert!(today.contains("bw-day--today"), "{today}");
                assert!(!later.contains("bw-day--today"), "{later}");
                for class in [today, later] {
                    assert_eq!(class.contains("bw-day--free"), free, "{class}");
                    assert_eq!(class.contains("bw-day--selected"), selected, "{class}");
                }
                assert_eq!(day_class(free, selected, Less), "bw-day bw-day--past");
            }
        }
    }
}
