use leptos::prelude::*;

use super::confirmation::details;
use super::{Booker, ErrorPanel, FieldInput, Skeleton};
use crate::api::{ApiClient, ApiFailure};
use crate::config::use_config;
use crate::events::WidgetEvent;
use crate::flow::{focus_later, Answers, Moving};
use crate::time;
use booking_wire::{
    BookingStatus, CancelRequest, Field, FieldKind, FieldValue, ManagedBooking, Map, Profile,
};

/// What the manage page shows.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Show,
    Cancel,
    Move,
}

/// A booking seen through its manage link: its details, and what the visitor may still do
/// with it (the proxy decides; this only reflects it): cancel, with an optional reason,
/// or move it to another free time.
#[component]
pub fn Manage(
    profile: Profile,
    client: ApiClient,
    /// The element the widget is drawn in, where focus moves look for their target.
    root: web_sys::Element,
    /// The manage token, the visitor's only credential.
    token: String,
    prefill: RwSignal<Map<String, FieldValue>>,
) -> impl IntoView {
    let config = use_config();
    let booking = RwSignal::new(None::<Result<ManagedBooking, ApiFailure>>);
    let mode = RwSignal::new(Mode::Show);
    let (busy, notice, announce) = (
        RwSignal::new(false),
        RwSignal::new(None::<String>),
        RwSignal::new(String::new()),
    );
    let answers = Answers::new();
    let (client, token, profile) = (
        StoredValue::new(client),
        StoredValue::new(token),
        StoredValue::new(profile),
    );
    let root = StoredValue::new_local(root);
    let load = move || {
        booking.set(None);
        leptos::task::spawn_local(async move {
            let answer = client.get_value().managed(&token.get_value()).await;
            let _ = booking.try_set(Some(answer));
        });
    };
    load();
    let open = move |next: Mode| {
        notice.set(None);
        mode.set(next);
        focus_later(root, "#bw-manage-title");
    };
    let cancel = move || {
        if busy.get_untracked() {
            return;
        }
        let reason = match answers.value("reason") {
            Some(FieldValue::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_owned()),
            _ => None,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = CancelRequest { reason };
            let result = client
                .get_value()
                .cancel(&token.get_value(), &request)
                .await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            let (strings, ms) = (config.strings(), config.manage_strings());
            match result {
                Ok(done) => {
                    let cancelled = done.booking.clone();
                    booking.set(Some(Ok(done)));
                    announce.set(ms.is_cancelled.into());
                    open(Mode::Show);
                    config.events.send(WidgetEvent::Cancelled(cancelled));
                }
                Err(failure) => notice.set(Some(failure.message(strings.unreachable))),
            }
        });
    };

    let show = move |m: ManagedBooking| {
        let ms = config.manage_strings();
        let host_zone = profile.with_value(|p| p.time_zone.clone());
        let cancelled = m.booking.status == BookingStatus::Cancelled;
        let state = if cancelled {
            Some(ms.is_cancelled.to_owned())
        } else if m.booking.end <= time::now() {
            Some(ms.is_past.to_owned())
        } else if !m.can_cancel && !m.can_reschedule {
            Some(ms.is_locked.to_owned())
        } else {
            // Why one of the two is not offered, in the proxy's words.
            m.policy.clone()
        };
        let button = |shown: bool, label: &'static str, next: Mode| {
            (shown && !cancelled).then(|| view! {
                <button type="button" class="bw-button" part="button" on:click=move |_| open(next)>{label}</button>
            }.into_any())
        };
        view! {
            <div class="bw-confirmation" part="confirmation">
                <h3 class="bw-confirmation__title" id="bw-manage-title" tabindex="-1">{ms.manage_title}</h3>
                {details(config, &m.booking, &host_zone)}
                {state.map(|s| view! { <p class="bw-manage__state">{s}</p> }.into_any())}
                <div class="bw-actions">
                    {button(m.can_reschedule, ms.reschedule, Mode::Move)}
                    {button(m.can_cancel, ms.cancel_booking, Mode::Cancel)}
                </div>
            </div>
        }
        .into_any()
    };

    let cancel_form = move |m: ManagedBooking| {
        let ms = config.manage_strings();
        let when = time::date_time(
            m.booking.start,
            &config.tag(),
            &config.zone.get_untracked(),
            config.hour12.get_untracked(),
        );
        let reason = Field {
            name: "reason".into(),
            label: ms.reason.into(),
            kind: FieldKind::Textarea,
            required: false,
            default: None,
            options: vec![],
        };
        view! {
            <form class="bw-form" part="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                cancel();
            }>
                <h3 class="bw-form__title" id="bw-manage-title" tabindex="-1">{ms.cancel_title}</h3>
                <p class="bw-form__summary">{m.booking.title.clone()}", "{when}</p>
                <FieldInput field=reason answers />
                {move || notice.get().map(|n| view! { <p class="bw-notice" part="error" role="alert">{n}</p> }.into_any())}
                <div class="bw-actions">
                    <button type="button" class="bw-button" part="button" on:click=move |_| open(Mode::Show)>
                        {ms.back}
                    </button>
                    <button type="submit" class="bw-button bw-button--primary bw-button--danger" part="button primary-button"
                        aria-disabled=move || Some(busy.get().to_string())>
                        {move || String::from(if busy.get() { ms.cancelling } else { ms.cancel_booking })}
                    </button>
                </div>
            </form>
        }
        .into_any()
    };

    let move_view = move |m: ManagedBooking| {
        let moving = Moving {
            token: token.get_value(),
            current: m.booking,
        };
        // Back to the booking, as it now is.
        let back = move |_| {
            open(Mode::Show);
            load();
        };
        view! {
            <div class="bw-manage__move">
                <button type="button" class="bw-button bw-manage__back" part="button" id="bw-manage-title" on:click=back>
                    {config.manage_strings().back}
                </button>
                <Booker profile=profile.get_value() client=client.get_value() root=root.get_value() prefill description=RwSignal::new(String::new()) moving />
            </div>
        }
        .into_any()
    };

    let body = move || {
        let now = mode.get();
        // A new language draws the page again, but not a move under way (its flow keeps
        // its own step and draws it again itself).
        if now != Mode::Move {
            config.locale.track();
        }
        match booking.get() {
            None => view! { <Skeleton /> }.into_any(),
            Some(Err(failure)) => {
                let strings = config.strings();
                view! {
                    <ErrorPanel message=failure.message(strings.unreachable) on_retry=Some(Callback::new(move |()| load())) retry_label=strings.retry />
                }
                .into_any()
            }
            Some(Ok(m)) => match now {
                Mode::Show => show(m),
                Mode::Cancel => cancel_form(m),
                Mode::Move => move_view(m),
            },
        }
    };
    view! {
        <div class="bw-manage">
            <p class="bw-visually-hidden" role="status" aria-live="polite">{move || announce.get()}</p>
            {body}
        </div>
    }
}
