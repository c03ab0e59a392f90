//! The booking flow as one state whose methods are its transitions (as todomvc's
//! `Todos`): pick a day, pick a time, submit, a time just taken, book another. Components
//! read its signals and change it only through these methods.

mod answers;
mod month;
mod slots;

pub use answers::{blanks, build_request, prefill_answers, Answers};
pub use month::MonthState;
pub use slots::{group_by_day, use_slots, UseSlots, UseSlotsOptions};

use chrono::{Months, NaiveDate};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{ApiClient, ApiFailure, SlotsOf};
use crate::calendar::first_of_month;
use crate::config::{use_config, Config};
use crate::events::WidgetEvent;
use crate::i18n;
use crate::time;
use booking_wire::{
    validate, Booking, BookingStatus, ErrorCode, FieldValue, HoldRequest, Map, Profile,
    RescheduleRequest, Slot,
};

/// Where the visitor is.
#[derive(Clone, PartialEq)]
pub enum Step {
    Pick,
    Form(Slot),
    /// Booked or moved, with the booking's manage token (absent from a replayed answer).
    Done(Booking, Option<String>),
}

/// A booking being moved through its manage link: the flow offers the times it may move
/// to and moves it instead of booking.
#[derive(Clone, PartialEq)]
pub struct Moving {
    pub token: String,
    pub current: Booking,
}

/// How many months ahead to look for the first free day. (A u32, the type of the other
/// counters: a signal of another type brings its own code, docs/size.md S5.)
const SEARCH_MONTHS: u32 = 12;

/// On the widget's element while a phone shows a day's times in the month's place
/// (`Flow::show_times`; the CSS reads it).
const TIMES: &str = "data-times";

/// The flow for one loaded profile. Every part is a signal or a stored value: `Copy`.
#[derive(Clone, Copy)]
pub struct Flow {
    pub step: RwSignal<Step>,
    pub month: MonthState,
    pub slots: UseSlots,
    /// Minutes.
    pub duration: RwSignal<u32>,
    pub answers: Answers,
    /// True while the booking is being sent.
    pub busy: RwSignal<bool>,
    /// What the polite live region says.
    pub announce: RwSignal<String>,
    /// The profile's description, its blanks filled with the answers so far.
    pub description: RwSignal<String>,
    /// Above the times (a time just taken).
    pub notice: RwSignal<Option<String>>,
    /// Under the form (network failure, fields to correct).
    pub form_notice: RwSignal<Option<String>>,
    pub config: Config,
    pub profile: StoredValue<Profile>,
    /// Months left to look through for a free day; 0 once one is found or the visitor moves.
    searching: RwSignal<u32>,
    client: StoredValue<ApiClient>,
    /// The element the widget is drawn in, where focus moves look for their target (a plain
    /// element rather than a `NodeRef`: S6).
    root: StoredValue<web_sys::Element, LocalStorage>,
    /// The last request's body and its Idempotency-Key.
    idempotency: StoredValue<Option<(String, String)>>,
    /// The booking being moved, if the flow moves one.
    moving: StoredValue<Option<Moving>>,
    /// The visitor's live hold of the chosen time.
    hold: StoredValue<Option<String>>,
}

impl Flow {
    /// A new flow for `profile`, its answers filled from `prefill` (and from each change of
    /// it: the form, if shown, is drawn again with them); one that moves `moving` when given.
    pub fn new(
        // Only a move changes it (the booking bundle has none).
        #[cfg_attr(not(feature = "manage"), allow(unused_mut))] mut profile: Profile,
        client: ApiClient,
        root: web_sys::Element,
        prefill: RwSignal<Map<String, FieldValue>>,
        description: RwSignal<String>,
        moving: Option<Moving>,
    ) -> Self {
        let config = use_config();
        let today = today(&config.zone.get_untracked());
        let of = match &moving {
            // A booking keeps its length when it moves.
            #[cfg(feature = "manage")]
            Some(m) => {
                let minutes = (m.current.end - m.current.start).num_minutes();
                profile.durations = vec![u32::try_from(minutes).unwrap_or(30)];
                SlotsOf::Booking(m.token.clone())
            }
            _ => SlotsOf::Profile(profile.id.clone()),
        };
        let duration = RwSignal::new(profile.durations.first().copied().unwrap_or(30));
        let shown = RwSignal::new(first_of_month(today));
        let slots = use_slots(UseSlotsOptions {
            client: client.clone(),
            of,
            month: shown,
            duration,
            zone: config.zone,
            events: config.events,
        });
        let month = MonthState {
            month: shown,
            focus: RwSignal::new(today),
            selected: RwSignal::new(None),
            days: slots.days,
            with_days: slots.parts[1],
        };
        let answers = Answers::new();
        // A new flow starts on the month, even where the manage page's earlier move left
        // its times showing (`show_times`).
        let _ = root.remove_attribute(TIMES);
        let flow = Self {
            step: RwSignal::new(Step::Pick),
            month,
            slots,
            duration,
            answers,
            busy: RwSignal::new(false),
            announce: RwSignal::new(String::new()),
            description,
            notice: RwSignal::new(None),
            form_notice: RwSignal::new(None),
            config,
            profile: StoredValue::new(profile),
            searching: RwSignal::new(SEARCH_MONTHS),
            client: StoredValue::new(client),
            root: StoredValue::new_local(root),
            idempotency: StoredValue::new(None),
            moving: StoredValue::new(moving),
            hold: StoredValue::new(None),
        };
        flow.follow_answers_and_zone();
        flow.follow_prefill(prefill);
        flow.release_when_gone();
        flow
    }

    /// A hold is let go when the widget is removed (the loader removes its widgets when the
    /// page closes).
    fn release_when_gone(&self) {
        let flow = *self;
        on_cleanup(move || flow.release_hold());
    }

    /// The booking being moved, if the flow moves one (never in the booking bundle, which
    /// leaves the moving code out).
    pub fn moving(&self) -> Option<Moving> {
        if cfg!(feature = "manage") {
            self.moving.try_get_value().flatten()
        } else {
            None
        }
    }

    fn strings(&self) -> &'static i18n::Strings {
        self.config.strings()
    }

    /// Which month shows follows the answers and the zone (one effect: each costs its own
    /// code, S17). It opens on the first month with a free day: while `searching`, an empty
    /// month moves on to the next, and a month with free days puts the tab stop on the
    /// first. Another zone has another today: the slots shown are regrouped at once, a
    /// month already over there is left for its current one, and the search starts again
    /// (on a month's last day, zones east of the visitor's are already in the next).
    fn follow_answers_and_zone(&self) {
        let (zone, slots, month, searching, drawn) = (
            self.config.zone,
            self.slots,
            self.month,
            self.searching,
            self.config.drawn,
        );
        Effect::new(move |before: Option<String>| {
            let z = zone.get();
            slots.slots.track();
            if before.is_some_and(|b| b != z) {
                slots.regroup(&z);
                searching.set(SEARCH_MONTHS);
                // Another month's answer is still to come; this month's regrouped
                // answer (or the new zone's, from the cache) is searched now.
                if month.not_before(today(&z)) {
                    return z;
                }
            }
            let left = searching.get_untracked();
            let empty = match slots.slots.with_untracked(|s| {
                s.as_ref()
                    .map(|r| r.as_ref().map(Vec::is_empty).map_err(drop))
            }) {
                Some(Ok(empty)) => empty,
                // A failure is drawn with its retry.
                Some(Err(_)) => {
                    drawn.run(());
                    return z;
                }
                None => return z,
            };
            if left == 0 {
                return z;
            }
            if empty {
                searching.set(left - 1);
                // Nothing free anywhere: the calendar comes back to this month, not a year on.
                match left {
                    1 => month.focus_on(today(&z)),
                    _ => month
                        .month
                        .set(month.month.get_untracked() + Months::new(1)),
                }
            } else {
                searching.set(0);
                // The first free day is chosen, its times shown at once.
                if let Some(first) = month.days.with_untracked(|d| d.keys().next().copied()) {
                    month.focus.set(first);
                    month.selected.set(Some(first));
                }
            }
            // The search is over: the month it opens on is drawn.
            if searching.get_untracked() == 0 {
                drawn.run(());
            }
            z
        });
    }

    /// The answers take the host page's prefill, now and whenever it changes (the form, if
    /// shown, is drawn again with them).
    fn follow_prefill(&self, prefill: RwSignal<Map<String, FieldValue>>) {
        let flow = *self;
        Effect::new(move |_| {
            let typed = flow
                .profile
                .with_value(|p| prefill.with(|v| prefill_answers(&p.fields, v)));
            flow.answers.values.update(|v| {
                for (name, value) in typed {
                    v.insert(name, value);
                }
            });
            if matches!(flow.step.get_untracked(), Step::Form(_)) {
                flow.step.update(|_| ());
            }
        });
    }

    /// Whether the search found nothing free in the months it looked at.
    pub fn nothing_free(&self) -> bool {
        self.searching.get() == 0 && self.month.days.with(Map::is_empty) && self.slots.is_empty()
    }

    /// The visitor picked a day with free times.
    pub fn pick_day(&self, day: NaiveDate) {
        self.month.selected.set(Some(day));
        self.notice.set(None);
        let n = self
            .month
            .days
            .with_untracked(|m| m.get(&day).map_or(0, Vec::len));
        self.announce.set(i18n::n_times(self.strings(), n));
        self.show_times(true);
    }

    /// On a phone, the times in the month's place, or the month again. Called only from
    /// inside the part that gives way (a day, the times' "Change"), so when that part is
    /// hidden focus was in it: it goes to the new step's heading. On a wider screen both
    /// parts stay and focus does too.
    ///
    /// The state is an attribute of the widget's element (`TIMES`), not a reactive
    /// attribute in a view, whose kind the wasm has nowhere else (S22).
    pub fn show_times(&self, times: bool) {
        self.root
            .with_value(|r| r.toggle_attribute_with_force(TIMES, times).ok());
        let (heading, left) = match times {
            true => ("#bw-times-title", ".bw-calendar"),
            false => ("#bw-month-title", ".bw-times"),
        };
        focus_later_if_hidden(self.root, heading, Some(left));
    }

    /// The visitor picked a time: the form (or, moving a booking, its confirmation), the
    /// time held meanwhile where the profile holds times.
    pub fn pick_slot(&self, slot: Slot) {
        self.config
            .events
            .send(WidgetEvent::SlotSelected(slot.clone()));
        self.step.set(Step::Form(slot.clone()));
        self.form_notice.set(None);
        self.focus_later("#bw-form-title");
        if self.profile.with_value(|p| p.hold_minutes) > 0 && self.moving().is_none() {
            self.hold_slot(slot);
        }
    }

    /// Holds `slot` while the visitor fills the form. A time taken meanwhile is told at
    /// once; without a hold (a failure) the booking still goes ahead.
    fn hold_slot(&self, slot: Slot) {
        let flow = *self;
        let request = HoldRequest {
            start: slot.start,
            duration: self.duration.get_untracked(),
        };
        let (client, id) = (
            self.client.get_value(),
            self.profile.with_value(|p| p.id.clone()),
        );
        leptos::task::spawn_local(async move {
            let result = client.hold(&id, &request).await;
            let still = flow.step.try_with_untracked(|s| *s == Step::Form(slot));
            match result {
                Ok(hold) if still == Some(true) => {
                    flow.release_hold();
                    flow.hold.set_value(Some(hold.hold));
                }
                // The visitor went on meanwhile.
                Ok(hold) => client.release(&hold.hold),
                Err(f) if still == Some(true) && f.code() == Some(ErrorCode::SlotUnavailable) => {
                    flow.taken()
                }
                Err(_) => {}
            }
        });
    }

    /// Lets the visitor's hold go, if they have one.
    fn release_hold(&self) {
        if let Some(hold) = self.hold.try_get_value().flatten() {
            self.hold.set_value(None);
            self.client.try_with_value(|c| c.release(&hold));
        }
    }

    /// Back from the form to the times, the answers kept and the time let go.
    pub fn back(&self) {
        self.release_hold();
        self.step.set(Step::Pick);
        self.focus_later("#bw-times-title");
    }

    /// The visitor chose another zone in the picker.
    pub fn choose_zone(&self, zone: String) {
        self.config.zone.set(zone);
    }

    /// The visitor switched between the 12- and 24-hour clock.
    pub fn choose_clock(&self, hour12: bool) {
        self.config.hour12.set(hour12);
    }

    /// The visitor chose another duration.
    pub fn choose_duration(&self, minutes: u32) {
        self.duration.set(minutes);
    }

    /// The visitor answered a field: the "correct the marked fields" notice goes once
    /// nothing is marked, and the description's blanks read as the answers.
    pub fn answered(&self) {
        if self.answers.errors.with_untracked(Map::is_empty)
            && self.form_notice.get_untracked().as_deref() == Some(self.strings().fix_fields)
        {
            self.form_notice.set(None);
        }
        self.fill_description();
    }

    /// The description's blanks as the answers so far.
    fn fill_description(&self) {
        let answers = self.answers;
        let text = self
            .profile
            .with_value(|p| blanks(&p.description, &|name| answers.text(name)));
        self.description.set(text);
    }

    /// Checks the answers and books the chosen time; one Idempotency-Key per attempt, the
    /// same for a retry of the same request.
    pub fn submit(&self) {
        let Step::Form(slot) = self.step.get_untracked() else {
            return;
        };
        if self.busy.get_untracked() {
            return;
        }
        let zone = self.config.zone.get_untracked();
        if let Some(moving) = self.moving() {
            let request = RescheduleRequest {
                start: slot.start,
                duration: None,
                time_zone: zone,
            };
            let key = self.key_for(crate::api::to_json(&request));
            self.busy.set(true);
            let (flow, client) = (*self, self.client.get_value());
            leptos::task::spawn_local(async move {
                let result = client.reschedule(&moving.token, &request, &key).await;
                if !flow.busy.is_disposed() {
                    flow.busy.set(false);
                    flow.finish(result.map(|m| (m.booking, Some(moving.token))), true);
                }
            });
            return;
        }
        let strings = self.strings();
        let mut request = self.profile.with_value(|p| {
            self.answers
                .request(&p.fields, &slot, self.duration.get_untracked(), &zone)
        });
        // The language the visitor's emails are written in.
        request.locale = Some(self.config.locale.get_untracked());
        request.hold = self.hold.get_value();
        let errors = self
            .profile
            .with_value(|p| validate::validate_booking(&p.fields, &request));
        if !errors.is_empty() {
            // Inserted one by one: `collect` would sort them again (S7).
            let mut messages = Map::new();
            for (name, error) in errors.iter() {
                messages.insert(name.clone(), i18n::field_error(strings, error));
            }
            self.answers.errors.set(messages);
            self.form_notice.set(Some(strings.fix_fields.into()));
            self.announce.set(strings.fix_fields.into());
            self.focus_later("[aria-invalid=true]");
            return;
        }
        let key = self.key_for(crate::api::to_json(&request));
        self.form_notice.set(None);
        self.config.events.send(WidgetEvent::Submitted {
            slot: slot.clone(),
            duration: request.duration,
            time_zone: request.time_zone.clone(),
        });
        self.busy.set(true);
        let flow = *self;
        let (client, id) = (
            self.client.get_value(),
            self.profile.with_value(|p| p.id.clone()),
        );
        leptos::task::spawn_local(async move {
            let result = client.book(&id, &request, &key).await;
            if flow.busy.is_disposed() {
                return;
            }
            flow.busy.set(false);
            flow.finish(result.map(|c| (c.booking, c.manage_token)), false);
        });
    }

    /// The Idempotency-Key for a request's `body`: the last one's for the same body (a
    /// retry), else a new one.
    fn key_for(&self, body: String) -> String {
        match self.idempotency.get_value() {
            Some((b, k)) if b == body => k,
            _ => {
                let k = new_key();
                self.idempotency.set_value(Some((body, k.clone())));
                k
            }
        }
    }

    /// The answer of a booking, or of a move (`moved`): the widget's state first, the host
    /// page's event last.
    fn finish(&self, result: Result<(Booking, Option<String>), ApiFailure>, moved: bool) {
        let strings = self.strings();
        let event = match &result {
            Ok((booking, _)) if moved => WidgetEvent::Rescheduled(booking.clone()),
            Ok((booking, _)) => WidgetEvent::Created(booking.clone()),
            Err(failure) => WidgetEvent::Failed(failure.as_error(strings.unreachable)),
        };
        match result {
            Ok((booking, token)) => self.booked(booking, token, moved),
            Err(failure) if failure.code() == Some(ErrorCode::SlotUnavailable) => self.taken(),
            Err(ApiFailure::Api { error, .. }) if error.code == ErrorCode::InvalidBooking => {
                self.answers.errors.set(error.fields.unwrap_or_default());
                self.form_notice.set(Some(strings.fix_fields.into()));
                self.focus_later("[aria-invalid=true]");
            }
            Err(ApiFailure::Network) => self
                .form_notice
                .set(Some(format!("{} {}", strings.unreachable, strings.retry))),
            Err(other) => self
                .form_notice
                .set(Some(other.message(strings.unreachable))),
        }
        self.config.events.send(event);
    }

    /// Booked (or moved): the confirmation. A hold the booking took is gone with it.
    fn booked(
        &self,
        booking: Booking,
        token: Option<String>,
        #[cfg_attr(not(feature = "manage"), allow(unused_variables))] moved: bool,
    ) {
        let strings = self.strings();
        self.idempotency.set_value(None);
        self.hold.set_value(None);
        self.slots.forget();
        let said = match booking.status {
            BookingStatus::Pending => strings.pending,
            _ => strings.confirmed,
        };
        #[cfg(feature = "manage")]
        let said = match moved {
            true => self.config.manage_strings().rescheduled,
            false => said,
        };
        self.announce.set(said.into());
        self.step.set(Step::Done(booking, token));
        self.focus_later("#bw-done-title");
    }

    /// The time was just taken: the slots refresh, the answers stay, focus goes to the times.
    fn taken(&self) {
        self.release_hold();
        let taken = self.strings().slot_taken;
        self.slots.refresh();
        self.step.set(Step::Pick);
        // The notice is an alert, which says it: not the live region too.
        self.notice.set(Some(taken.into()));
        self.focus_later("#bw-times-title");
    }

    /// From the confirmation back to the month, for another booking.
    pub fn book_another(&self) {
        self.month.selected.set(None);
        self.root.with_value(|r| r.remove_attribute(TIMES).ok());
        self.notice.set(None);
        self.slots.reload();
        self.step.set(Step::Pick);
        self.focus_later("#bw-month-title");
    }

    /// Focuses `selector` inside the widget once the next frame is drawn.
    fn focus_later(&self, selector: &'static str) {
        focus_later_if_hidden(self.root, selector, None);
    }

    /// The manage page and the calendar file (.ics) of the booking with `token`.
    pub fn links(&self, token: &str) -> (String, String) {
        let client = self.client.get_value();
        let page = self
            .profile
            .with_value(|p| client.manage_page(&p.id, token));
        (page, client.calendar_file(token))
    }

    /// After the confirmation: the launcher's dialog closes; inline, the flow starts again.
    pub fn done(&self) {
        match self.dialog() {
            Some(dialog) => dialog.close(),
            None => self.book_another(),
        }
    }

    /// The launcher's dialog the widget is drawn in (popup and floating modes), if any: the
    /// dialog around the element the widget's events go to (its host).
    pub fn dialog(&self) -> Option<web_sys::HtmlDialogElement> {
        let host = self.config.events.0?.try_get_value()?;
        // What `closest` finds is a dialog.
        Some(host.closest("dialog").ok()??.unchecked_into())
    }
}

/// Focuses `selector` inside `root` once the next frame is drawn.
pub fn focus_later(root: StoredValue<web_sys::Element, LocalStorage>, selector: &'static str) {
    focus_later_if_hidden(root, selector, None);
}

/// Focuses `selector` inside `root` once the next frame is drawn; with `hidden`, only when
/// that element is not displayed (focus was in it and has gone).
fn focus_later_if_hidden(
    root: StoredValue<web_sys::Element, LocalStorage>,
    selector: &'static str,
    hidden: Option<&'static str>,
) {
    let html = |e: web_sys::Element| e.dyn_into::<web_sys::HtmlElement>().ok();
    request_animation_frame(move || {
        let target = root
            .try_with_value(|r| {
                let find = |s| r.query_selector(s).ok().flatten().and_then(html);
                let shown = hidden.and_then(find).is_some_and(|e| e.offset_width() > 0);
                find(selector).filter(|_| !shown)
            })
            .flatten();
        if let Some(el) = target {
            let _ = el.focus();
        }
    });
}

/// Today's date in `zone`.
fn today(zone: &str) -> NaiveDate {
    let now = time::now();
    time::local_date(now, zone).unwrap_or_else(|| now.date_naive())
}

/// A random Idempotency-Key (a UUID from the browser's crypto).
fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| js_sys::Date::now().to_bits().to_string())
}
