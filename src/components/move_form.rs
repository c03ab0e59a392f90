use leptos::prelude::*;

use crate::flow::Flow;
use crate::time;
use booking_wire::Slot;

/// Moving a booking: its current time and the chosen one, to confirm or go back.
#[component]
pub fn MoveForm(
    flow: Flow,
    /// The new time.
    chosen: Slot,
) -> impl IntoView {
    let config = flow.config;
    let ms = config.manage_strings();
    let when = |at| {
        time::date_time(
            at,
            &config.tag(),
            &config.zone.get_untracked(),
            config.hour12.get_untracked(),
        )
    };
    let current = flow.moving().map(|m| when(m.current.start));
    let (busy, notice) = (flow.busy, flow.form_notice);
    view! {
        <form class="bw-form" part="form" on:submit=move |ev| {
            ev.prevent_default();
            flow.submit();
        }>
            <h3 class="bw-form__title" id="bw-form-title" tabindex="-1">{ms.move_title}</h3>
            <dl class="bw-confirmation__details">
                <dt>{ms.current_time}</dt>
                <dd><s>{current}</s></dd>
                <dt>{ms.new_time}</dt>
                <dd class="bw-move__new">{when(chosen.start)}</dd>
            </dl>
            {move || notice.get().map(|n| view! { <p class="bw-notice" part="error" role="alert">{n}</p> }.into_any())}
            <div class="bw-actions">
                <button type="button" class="bw-button" part="button" on:click=move |_| flow.back()>
                    {ms.back}
                </button>
                <button type="submit" class="bw-button bw-button--primary" part="button primary-button"
                    aria-disabled=move || Some(busy.get().to_string())>
                    {move || String::from(if busy.get() { ms.moving } else { ms.confirm_move })}
                </button>
            </div>
        </form>
    }
}
