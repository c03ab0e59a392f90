//! Answers the widget has before it asks: requests the loader started while the wasm was
//! still loading (`widget.js`), and the data the booking page carries (`#bw-page-data`).
//! A request and the page's slots are used once: a later request (a refresh after
//! booking) goes to the proxy.

use std::cell::RefCell;

use booking_wire::js::{get, FromJs};
use booking_wire::{Profile, SlotSpan, SlotsResponse};
use chrono::NaiveDate;
use js_sys::{Map, Promise};
use wasm_bindgen::{JsCast, JsValue};

use crate::time;

thread_local! {
    static REQUESTS: RefCell<Option<Map>> = const { RefCell::new(None) };
    /// The page's profile, and its slots as the page's JSON has them (read when asked for).
    static PAGE: RefCell<Option<(Profile, JsValue)>> = const { RefCell::new(None) };
}

/// The loader's requests: URL → promise of the answer's JSON (`null` when it failed, and
/// the widget then asks itself).
pub fn keep_requests(requests: Map) {
    REQUESTS.with(|r| *r.borrow_mut() = Some(requests));
}

/// The booking page's data (`PageData`), as the loader parsed it from `#bw-page-data`: the
/// profile read now, the slots (the bulk of it) when the month asks for them, in the
/// month's own step. Anything else (no data, data unread) leaves the widget to ask.
pub fn keep_page(data: &JsValue) {
    if let Some(profile) = Profile::from_js(&get(data, "profile")) {
        PAGE.with(|p| *p.borrow_mut() = Some((profile, get(data, "slots"))));
    }
}

/// The loader's request for `url`, once.
pub(crate) fn request(url: &str) -> Option<Promise> {
    REQUESTS.with(|r| {
        let map = r.borrow();
        let map = map.as_ref()?;
        let promise = map.get(&url.into()).dyn_into::<Promise>().ok()?;
        map.delete(&url.into());
        Some(promise)
    })
}

/// The page's profile, when it is `id`'s.
pub(super) fn profile(id: &str) -> Option<Profile> {
    PAGE.with(|p| {
        let page = p.borrow();
        let (profile, _) = page.as_ref()?;
        (profile.id == id).then(|| profile.clone())
    })
}

/// The page's slots for the days `from..=to` in `zone`, once, when the page's span holds
/// those days wherever the zone is (it starts 14 hours before the first day's UTC midnight
/// and ends 12 hours after the last's) and is of `duration`.
pub(super) fn slots(
    from: NaiveDate,
    to: NaiveDate,
    zone: &str,
    duration: u32,
) -> Option<SlotsResponse> {
    PAGE.with(|p| {
        let span = std::mem::take(&mut p.borrow_mut().as_mut()?.1);
        let span = SlotSpan::from_js(&span)?;
        let start = from.and_hms_opt(0, 0, 0)?.and_utc() - chrono::TimeDelta::hours(14);
        let end = to.succ_opt()?.and_hms_opt(0, 0, 0)?.and_utc() + chrono::TimeDelta::hours(12);
        if span.duration != duration || span.from > start || span.to < end {
            return None;
        }
        // A zone is 12 hours behind UTC at most and 14 ahead: between these instants every
        // slot starts on one of the days, and only those nearer the ends need `Intl`.
        let (inner_start, inner_end) = (
            start + chrono::TimeDelta::hours(26),
            end - chrono::TimeDelta::hours(26),
        );
        let slots = span
            .slots
            .into_iter()
            .filter(|s| {
                (inner_start..inner_end).contains(&s.start)
                    || time::local_date(s.start, zone).is_some_and(|d| (from..=to).contains(&d))
            })
            .collect();
        Some(SlotsResponse {
            time_zone: zone.to_owned(),
            slots,
        })
    })
}
