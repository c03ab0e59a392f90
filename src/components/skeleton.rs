use leptos::prelude::*;

/// Grey blocks the size of the loaded widget, so nothing jumps when it arrives: manage mode's,
/// while the booking loads (a booking widget's is drawn by the loader, loader/widget.js).
#[component]
pub fn Skeleton() -> impl IntoView {
    view! {
        <div class="bw-skeleton" aria-busy="true" aria-live="polite">
            <span class="bw-visually-hidden">"Loading…"</span>
            <div class="bw-skeleton__line bw-skeleton__line--title"></div>
            <div class="bw-skeleton__line"></div>
            <div class="bw-skeleton__block"></div>
        </div>
    }
}
