use leptos::prelude::*;

/// A clear error: what happened and, where trying again can help, a way to.
#[component]
pub fn ErrorPanel(
    /// The sentence shown to the visitor.
    message: String,
    /// Called when the visitor asks to try again; no button without it.
    on_retry: Option<Callback<()>>,
    /// The retry button's text, in the visitor's language.
    retry_label: &'static str,
) -> impl IntoView {
    view! {
        <div class="bw-error" part="error" role="alert">
            <p class="bw-error__message">{message}</p>
            {on_retry.map(|retry| view! {
                <button type="button" class="bw-button" part="button" on:click=move |_| retry.run(())>
                    {retry_label}
                </button>
            }.into_any())}
        </div>
    }
}
