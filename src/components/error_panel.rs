use leptos::prelude::*;

/// A clear, recoverable error: what happened and a way to try again.
#[component]
pub fn ErrorPanel(
    /// The sentence shown to the visitor.
    message: String,
    /// Called when the visitor asks to try again.
    on_retry: Callback<()>,
    /// The retry button's text.
    #[prop(default = "Try again")]
    retry_label: &'static str,
) -> impl IntoView {
    view! {
        <div class="bw-error" part="error" role="alert">
            <p class="bw-error__message">{message}</p>
            <button
                type="button"
                class="bw-button"
                part="button"
                on:click=move |_| on_retry.run(())
            >
                {retry_label}
            </button>
        </div>
    }
}
