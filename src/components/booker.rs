use chrono::{Months, NaiveDate};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::booking_form::{Answers, BookingForm};
use super::{Confirmation, MonthView, Preferences, TimeList};
use crate::api::{ApiClient, ApiFailure};
use crate::calendar::{first_of_month, last_of_month};
use crate::events::{Emit, WidgetEvent};
use crate::i18n::{self, fill};
use crate::time;
use booking_wire::{
    validate, Booking, BookingRequest, ErrorCode, FieldKind, FieldValue, Map, Profile, Slot,
};

/// How the visitor sees times: language, zone and clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub locale: String,
    pub zone: String,
    pub hour12: bool,
    /// Answers filled in before the visitor starts (name, email, field values).
    pub prefill: Map<String, FieldValue>,
}

#[derive(Clone, PartialEq)]
enum Step {
    Pick,
    Form(Slot),
    Done(Booking),
}

/// How many months ahead to look for the first free day.
/// (A u32, the type of the other counters: a signal of another type brings its own code.)
const SEARCH_MONTHS: u32 = 12;

/// The booking flow for a loaded profile: day, time, form, confirmation.
#[component]
pub fn Booker(
    profile: Profile,
    client: ApiClient,
    settings: Settings,
    /// The element the widget is drawn in, where focus moves look for their target (a
    /// plain element rather than a `NodeRef`, whose machinery costs 0.7 KB gzip).
    root: web_sys::Element,
) -> impl IntoView {
    let strings = i18n::strings(&settings.locale);
    let locale = settings.locale.clone();
    let zone = RwSignal::new(settings.zone.clone());
    let hour12 = RwSignal::new(settings.hour12);
    let duration = RwSignal::new(profile.durations.first().copied().unwrap_or(30));
    let now = time::now();
    let today = time::local_date(now, &settings.zone).unwrap_or_else(|| now.date_naive());
    let month = RwSignal::new(first_of_month(today));
    let focus = RwSignal::new(today);
    let selected = RwSignal::new(None::<NaiveDate>);
    let step = RwSignal::new(Step::Pick);
    let announce = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<String>);
    let form_notice = RwSignal::new(None::<String>);
    let answers = Answers::new();
    answers
        .values
        .set(prefill_answers(&profile.fields, &settings.prefill));
    // Events need the owner's context, so take the emitter once here.
    let emit = use_context::<Emit>().map(|Emit(c)| c);
    let send = move |event: WidgetEvent| {
        if let Some(c) = emit {
            c.run(event);
        }
    };
    let reload = RwSignal::new(0u32);
    let searching = RwSignal::new(SEARCH_MONTHS);
    let root = StoredValue::new_local(root);
    let cache = StoredValue::new(Map::<String, Vec<Slot>>::new());
    let idempotency = StoredValue::new(None::<(String, String)>);

    // Signals and tasks rather than resources and actions: the same behaviour, far less wasm.
    let slots = RwSignal::new(None::<Result<Vec<Slot>, ApiFailure>>);
    // The free slots by day, grouped in the zone they were asked for when they arrive (a
    // signal set there rather than a memo: 1 KB less wasm for the same days).
    let days = RwSignal::new(Map::<NaiveDate, Vec<Slot>>::new());
    let show = move |result: Result<Vec<Slot>, ApiFailure>, zone: &str| {
        days.set(match &result {
            Ok(list) => by_day(list, zone),
            Err(_) => Map::new(),
        });
        slots.set(Some(result));
    };
    let asked = StoredValue::new(0u32);
    // Another zone has another today: a month already over there is left for its current
    // one, and the search for a month with free days starts again, as on opening (on the
    // last day of a month, zones east of the visitor's are already in the next). The slots
    // shown are regrouped in the new zone at once; the new zone's own answer follows.
    Effect::new(move |before: Option<String>| {
        let z = zone.get();
        if before.is_some_and(|b| b != z) {
            if let Some(Ok(list)) = slots.get_untracked() {
                days.set(by_day(&list, &z));
            }
            let today = time::local_date(time::now(), &z).unwrap_or(today);
            if month.get_untracked() < first_of_month(today) {
                month.set(first_of_month(today));
                focus.set(today);
            }
            searching.set(SEARCH_MONTHS);
        }
        z
    });
    let profile_id = profile.id.clone();
    let slot_client = client.clone();
    Effect::new(move |_| {
        let (m, d, z) = (month.get(), duration.get(), zone.get());
        reload.track();
        // Only the newest question may answer: an older, slower one is dropped.
        let ticket = asked.get_value().wrapping_add(1);
        asked.set_value(ticket);
        let key = format!("{m}|{d}|{z}");
        if let Some(hit) = cache.with_value(|c| c.get(&key).cloned()) {
            show(Ok(hit), &z);
            return;
        }
        let (client, id) = (slot_client.clone(), profile_id.clone());
        leptos::task::spawn_local(async move {
            let result = client
                .slots(&id, m, last_of_month(m), &z, d)
                .await
                .map(|r| r.slots);
            // The widget may have been removed meanwhile, its stored values with it
            // (reading one would trap).
            if asked.is_disposed() {
                return;
            }
            let loaded = result.as_ref().ok().map(|found| {
                cache.update_value(|c| {
                    c.insert(key, found.clone());
                });
                WidgetEvent::SlotsLoaded {
                    from: m,
                    to: last_of_month(m),
                    time_zone: z.clone(),
                    count: found.len(),
                }
            });
            if asked.get_value() == ticket {
                show(result, &z);
            }
            // Last: a listener on the host page may remove the widget.
            if let Some(event) = loaded {
                send(event);
            }
        });
    });
    // Open on the first month with a free day; stop looking once the visitor navigates.
    Effect::new(move |_| {
        let Some(Ok(list)) = slots.get() else { return };
        let left = searching.get_untracked();
        if left == 0 {
            return;
        }
        if list.is_empty() {
            searching.set(left - 1);
            if left > 1 {
                month.set(month.get_untracked() + Months::new(1));
            }
        } else {
            searching.set(0);
            if let Some(first) = days.get_untracked().keys().next() {
                focus.set(*first);
            }
        }
    });
    let nothing_free = move || {
        searching.get() == 0
            && days.with(Map::is_empty)
            && matches!(slots.get(), Some(Ok(ref l)) if l.is_empty())
    };

    let focus_later = move |selector: &'static str| {
        request_animation_frame(move || {
            let target = root.with_value(|r| r.query_selector(selector).ok().flatten());
            if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        });
    };
    let pick_day = Callback::new(move |d: NaiveDate| {
        selected.set(Some(d));
        notice.set(None);
        let n = days.with_untracked(|m| m.get(&d).map_or(0, Vec::len));
        announce.set(fill(strings.n_times, n));
    });
    let pick_slot = Callback::new(move |slot: Slot| {
        send(WidgetEvent::SlotSelected(slot.clone()));
        step.set(Step::Form(slot));
        form_notice.set(None);
        focus_later("#bw-form-title");
    });
    let fields = profile.fields.clone();
    let book_client = client.clone();
    let book_profile = profile.id.clone();
    let busy = RwSignal::new(false);
    // The widget's state first, the host page's event last: its listener may remove us.
    let finish = move |result: Result<Booking, ApiFailure>| {
        let event = match &result {
            Ok(booking) => WidgetEvent::Created(booking.clone()),
            Err(failure) => WidgetEvent::Failed(failure.as_error(strings.unreachable)),
        };
        match result {
            Ok(booking) => {
                idempotency.set_value(None);
                cache.update_value(Map::clear);
                announce.set(match booking.status {
                    booking_wire::BookingStatus::Pending => strings.pending.into(),
                    _ => strings.confirmed.into(),
                });
                step.set(Step::Done(booking));
                focus_later("#bw-done-title");
            }
            Err(failure) if failure.code() == Some(ErrorCode::SlotUnavailable) => {
                cache.update_value(Map::clear);
                reload.update(|n| *n += 1);
                step.set(Step::Pick);
                notice.set(Some(strings.slot_taken.into()));
                announce.set(strings.slot_taken.into());
                focus_later("#bw-times-title");
            }
            Err(ApiFailure::Api { error, .. }) if error.code == ErrorCode::InvalidBooking => {
                answers.errors.set(error.fields.unwrap_or_default());
                form_notice.set(Some(strings.fix_fields.into()));
                focus_later("[aria-invalid=true]");
            }
            Err(ApiFailure::Network) => {
                form_notice.set(Some(format!("{} {}", strings.unreachable, strings.retry)))
            }
            Err(other) => form_notice.set(Some(other.message(strings.unreachable))),
        }
        send(event);
    };
    let on_submit = {
        let fields = fields.clone();
        Callback::new(move |()| {
            let Step::Form(slot) = step.get_untracked() else {
                return;
            };
            if busy.get_untracked() {
                return;
            }
            let request = build_request(
                &fields,
                answers,
                &slot,
                duration.get_untracked(),
                &zone.get_untracked(),
            );
            let errors = validate::validate_booking(&fields, &request);
            if !errors.is_empty() {
                // Inserted one by one: `collect` would sort them again (1 KB more wasm).
                let mut messages = Map::new();
                for (name, error) in errors.iter() {
                    messages.insert(name.clone(), i18n::field_error(strings, error));
                }
                answers.errors.set(messages);
                form_notice.set(Some(strings.fix_fields.into()));
                announce.set(strings.fix_fields.into());
                focus_later("[aria-invalid=true]");
                return;
            }
            // One key per attempt: the same body (a retry) reuses it, another body gets a new one.
            let body = crate::api::to_json(&request);
            let key = match idempotency.get_value() {
                Some((b, k)) if b == body => k,
                _ => {
                    let k = new_key();
                    idempotency.set_value(Some((body, k.clone())));
                    k
                }
            };
            form_notice.set(None);
            send(WidgetEvent::Submitted {
                slot: slot.clone(),
                duration: request.duration,
                time_zone: request.time_zone.clone(),
            });
            busy.set(true);
            let (client, id) = (book_client.clone(), book_profile.clone());
            leptos::task::spawn_local(async move {
                let result = client.book(&id, &request, &key).await;
                if busy.is_disposed() {
                    return;
                }
                busy.set(false);
                finish(result);
            });
        })
    };
    // The "correct the marked fields" notice goes once nothing is marked.
    Effect::new(move |_| {
        if answers.errors.with(Map::is_empty)
            && form_notice.get_untracked().as_deref() == Some(strings.fix_fields)
        {
            form_notice.set(None);
        }
    });
    let again = Callback::new(move |()| {
        selected.set(None);
        notice.set(None);
        reload.update(|n| *n += 1);
        step.set(Step::Pick);
        focus_later("#bw-month-title");
    });

    let host_zone = profile.time_zone.clone();
    let durations = profile.durations.clone();
    let body = move || {
        match step.get() {
        Step::Pick => {
            let loc = locale.clone();
            view! {
            <div class="bw-pick">
                <MonthView month focus selected days on_pick=pick_day locale=locale.clone() strings />
                <div class="bw-pick__side">
                    <Preferences zone hour12 duration durations=durations.clone() strings />
                    {move || notice.get().map(|n| view! { <p class="bw-notice" part="error" role="alert">{n}</p> }.into_any())}
                    {move || nothing_free().then(|| view! { <p class="bw-notice">{strings.nothing_free}</p> }.into_any())}
                    {move || slots.with(|s| match s {
                        Some(Err(failure)) => Some(failure.message(strings.unreachable)),
                        _ => None,
                    }).map(|message| view! {
                        <div class="bw-error" part="error" role="alert">
                            <p class="bw-error__message">{message}</p>
                            <button type="button" class="bw-button" part="button"
                                on:click=move |_| reload.update(|n| *n += 1)>{strings.retry}</button>
                        </div>
                    }.into_any())}
                    // Always mounted, so focus on its heading survives a refresh of the slots.
                    <TimeList selected days zone hour12 on_pick=pick_slot locale=loc.clone() strings />
                </div>
            </div>
            }
            .into_any()
        }
        Step::Form(slot) => view! {
            <BookingForm fields=fields.clone() answers busy notice=form_notice
                summary=time::date_time(slot.start, &locale, &zone.get_untracked(), hour12.get_untracked())
                on_submit=on_submit on_back=Callback::new(move |()| { step.set(Step::Pick); focus_later("#bw-times-title"); })
                strings />
        }
        .into_any(),
        Step::Done(booking) => view! {
            <Confirmation booking host_zone=host_zone.clone() zone=zone.get_untracked() hour12=hour12.get_untracked()
                on_again=again locale=locale.clone() strings />
        }
        .into_any(),
    }
    };
    view! {
        <div class="bw-booker">
            <p class="bw-visually-hidden" role="status" aria-live="polite">{move || announce.get()}</p>
            {body}
        </div>
    }
}

/// Slots by their calendar day in `zone`.
fn by_day(slots: &[Slot], zone: &str) -> Map<NaiveDate, Vec<Slot>> {
    let mut days: Map<NaiveDate, Vec<Slot>> = Map::new();
    for slot in slots {
        if let Some(d) = time::local_date(slot.start, zone) {
            days.entry(d).or_default().push(slot.clone());
        }
    }
    days
}

/// The request from the answers; number fields are sent as numbers when they parse.
fn build_request(
    fields: &[booking_wire::Field],
    answers: Answers,
    slot: &Slot,
    duration: u32,
    zone: &str,
) -> BookingRequest {
    let values = answers.values.get_untracked();
    let mut sent = Map::new();
    for field in fields {
        let Some(value) = values.get(&field.name) else {
            continue;
        };
        let value = match (field.kind, value) {
            (FieldKind::Number, FieldValue::Text(t)) => validate::parse_number(t)
                .map(FieldValue::Number)
                .unwrap_or_else(|| value.clone()),
            _ => value.clone(),
        };
        sent.insert(field.name.clone(), value);
    }
    BookingRequest {
        start: slot.start,
        duration,
        time_zone: zone.to_owned(),
        name: answers.text("name").trim().to_owned(),
        email: answers.text("email").trim().to_owned(),
        fields: sent,
        guests: vec![],
        notes: String::new(),
        locale: None,
    }
}

/// A random Idempotency-Key (a UUID from the browser's crypto).
fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| js_sys::Date::now().to_bits().to_string())
}

/// The prefill values this profile asks for, typed by kind (a URL query gives text).
fn prefill_answers(
    fields: &[booking_wire::Field],
    prefill: &Map<String, FieldValue>,
) -> Map<String, FieldValue> {
    let mut out = Map::new();
    for (name, value) in prefill {
        let kind = match fields.iter().find(|f| &f.name == name) {
            Some(f) if f.kind == FieldKind::Checkbox && !f.options.is_empty() => {
                FieldKind::Multiselect
            }
            Some(f) => f.kind,
            None if name == "name" || name == "email" => FieldKind::Text,
            None => continue,
        };
        let value = match (kind, value) {
            (FieldKind::Boolean | FieldKind::Checkbox, FieldValue::Text(t)) => {
                FieldValue::Bool(t == "true")
            }
            (FieldKind::Multiselect, FieldValue::Text(t)) => FieldValue::List(
                t.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(name.clone(), value);
    }
    out
}
