//! Dates and times as the visitor reads them, through the browser's `Intl.DateTimeFormat`
//! (the widget ships no time-zone database). Formatters are cached: building one is slow.

use std::cell::RefCell;

use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use booking_wire::{js, Map};

thread_local! {
    static FORMATTERS: RefCell<Map<String, Intl::DateTimeFormat>> = const { RefCell::new(Map::new()) };
}

/// An `Intl.DateTimeFormat` option's value. Kept as Rust values until a formatter has to
/// be built: a slot's date and time are formatted thousands of times in a month, and every
/// string handed to JavaScript costs a copy each way.
#[derive(Clone, Copy)]
enum Opt {
    Text(&'static str),
    Flag(bool),
}

impl From<bool> for Opt {
    fn from(flag: bool) -> Self {
        Self::Flag(flag)
    }
}

/// A cached `Intl.DateTimeFormat(locale, {…options, timeZone: zone})`.
fn formatter(locale: &str, zone: &str, options: &[(&str, Opt)]) -> Intl::DateTimeFormat {
    let mut key = String::with_capacity(64);
    for part in [locale, "|", zone] {
        key.push_str(part);
    }
    for (name, value) in options {
        let value = match value {
            Opt::Text(text) => text,
            Opt::Flag(true) => "1",
            Opt::Flag(false) => "0",
        };
        for part in ["|", name, "=", value] {
            key.push_str(part);
        }
    }
    FORMATTERS.with(|cache| {
        cache
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| new_formatter(locale, zone, options))
            .clone()
    })
}

/// `Intl.DateTimeFormat(locale, {…options, timeZone: zone})`, not cached.
fn new_formatter(locale: &str, zone: &str, options: &[(&str, Opt)]) -> Intl::DateTimeFormat {
    let opts = Object::new();
    let _ = Reflect::set(&opts, &"timeZone".into(), &zone.into());
    for (name, value) in options {
        let value = match *value {
            Opt::Text(text) => JsValue::from_str(text),
            Opt::Flag(flag) => JsValue::from_bool(flag),
        };
        let _ = Reflect::set(&opts, &(*name).into(), &value);
    }
    let locales = Array::of1(&locale.into());
    Intl::DateTimeFormat::new(&locales, &opts)
}

/// The browser's clock (chrono's needs a feature that pulls in more code).
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(Date::now() as i64).unwrap_or_default()
}

fn js_date(t: DateTime<Utc>) -> Date {
    Date::new(&JsValue::from_f64(t.timestamp_millis() as f64))
}

/// Noon UTC of a calendar date: formatted in UTC it is that date everywhere.
fn date_at_noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

fn format(f: &Intl::DateTimeFormat, t: DateTime<Utc>) -> String {
    f.format()
        .call1(&JsValue::NULL, &js_date(t))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn s(v: &'static str) -> Opt {
    Opt::Text(v)
}

/// The calendar date of an instant in `zone`: US English writes it "12/2/2026" (month,
/// day, year), one string read back rather than the parts of `formatToParts`.
pub fn local_date(t: DateTime<Utc>, zone: &str) -> Option<NaiveDate> {
    let f = formatter(
        "en-US",
        zone,
        &[
            ("year", s("numeric")),
            ("month", s("numeric")),
            ("day", s("numeric")),
        ],
    );
    let text = format(&f, t);
    let mut numbers = text.split('/').map(|n| n.trim().parse::<u32>().ok());
    let (month, day, year) = (numbers.next()??, numbers.next()??, numbers.next()??);
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// "14:30" or "2:30 PM" in `zone`.
pub fn time(t: DateTime<Utc>, locale: &str, zone: &str, hour12: bool) -> String {
    let f = formatter(
        locale,
        zone,
        &[
            ("hour", s("numeric")),
            ("minute", s("2-digit")),
            ("hour12", hour12.into()),
        ],
    );
    format(&f, t)
}

/// A zone as the visitor reads it, with its time at `t`: "11:41 PM Central European
/// Time" (in the locale's order and words). Not cached: the zone list asks once a zone.
pub fn zone_label(t: DateTime<Utc>, locale: &str, zone: &str, hour12: bool) -> String {
    let f = new_formatter(
        locale,
        zone,
        &[
            ("hour", s("numeric")),
            ("minute", s("2-digit")),
            ("hour12", hour12.into()),
            ("timeZoneName", s("longGeneric")),
        ],
    );
    format(&f, t)
}

/// "Monday 23 November 2026" (in the locale's order and words).
pub fn long_date(d: NaiveDate, locale: &str) -> String {
    let f = formatter(
        locale,
        "UTC",
        &[
            ("weekday", s("long")),
            ("day", s("numeric")),
            ("month", s("long")),
            ("year", s("numeric")),
        ],
    );
    format(&f, date_at_noon(d))
}

/// "Mon 23 Nov" (in the locale's order and words): a day's short heading.
pub fn short_date(d: NaiveDate, locale: &str) -> String {
    let f = formatter(
        locale,
        "UTC",
        &[
            ("weekday", s("short")),
            ("day", s("numeric")),
            ("month", s("short")),
        ],
    );
    format(&f, date_at_noon(d))
}

/// "November 2026".
pub fn month_title(d: NaiveDate, locale: &str) -> String {
    let f = formatter(
        locale,
        "UTC",
        &[("month", s("long")), ("year", s("numeric"))],
    );
    format(&f, date_at_noon(d))
}

/// A weekday's short and long names, e.g. ("Mon", "Monday"). A short name too long for a
/// day's column (Arabic's short names are the whole word) gives way to the narrow one.
pub fn weekday_names(d: NaiveDate, locale: &str) -> (String, String) {
    let name = |width| {
        format(
            &formatter(locale, "UTC", &[("weekday", s(width))]),
            date_at_noon(d),
        )
    };
    let short = name("short");
    let short = match short.chars().count() > 4 {
        true => name("narrow"),
        false => short,
    };
    (short, name("long"))
}

/// The day number in the locale's digits, without the words some locales write around it
/// (Japanese "10日" is "10"): the `day` part of `formatToParts`.
pub fn day_number(d: NaiveDate, locale: &str) -> String {
    let f = formatter(locale, "UTC", &[("day", s("numeric"))]);
    let parts = f.format_to_parts(&js_date(date_at_noon(d)));
    parts
        .iter()
        .find(|part| js::get(part, "type").as_string().as_deref() == Some("day"))
        .and_then(|part| js::get(&part, "value").as_string())
        .unwrap_or_else(|| format(&f, date_at_noon(d)))
}

/// Date and time with the zone's name, e.g. "Monday 23 November 2026, 14:30 CET".
pub fn date_time(t: DateTime<Utc>, locale: &str, zone: &str, hour12: bool) -> String {
    let f = formatter(
        locale,
        zone,
        &[
            ("weekday", s("long")),
            ("day", s("numeric")),
            ("month", s("long")),
            ("year", s("numeric")),
            ("hour", s("numeric")),
            ("minute", s("2-digit")),
            ("hour12", hour12.into()),
            ("timeZoneName", s("short")),
        ],
    );
    format(&f, t)
}

fn resolved(locale: &str, key: &str, options: &[(&str, Opt)]) -> Option<JsValue> {
    let f = formatter(locale, "UTC", options);
    Reflect::get(&f.resolved_options(), &key.into()).ok()
}

/// The browser's own zone, e.g. "Europe/Paris".
pub fn browser_zone() -> String {
    let locales = Array::new();
    let f = Intl::DateTimeFormat::new(&locales, &Object::new());
    Reflect::get(&f.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// The browser's preferred language tag.
pub fn browser_locale() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".into())
}

/// `tag` as the browser writes it (`en_us` → `en-US`), or `None` when `Intl` refuses it:
/// every formatter would throw on a malformed tag.
pub fn canonical_locale(tag: &str) -> Option<String> {
    let tag = JsValue::from_str(&tag.replace('_', "-"));
    let list: Array = intl("getCanonicalLocales")?
        .call1(&JsValue::UNDEFINED, &tag)
        .ok()?
        .dyn_into()
        .ok()?;
    list.get(0).as_string()
}

/// `Intl`'s function `name`, where the browser has it.
fn intl(name: &str) -> Option<js_sys::Function> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    Reflect::get(&intl, &name.into()).ok()?.dyn_into().ok()
}

/// Whether the locale writes times on a 12-hour clock.
pub fn locale_uses_12h(locale: &str) -> bool {
    resolved(locale, "hour12", &[("hour", s("numeric"))])
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The browser's name for `zone`, which it takes in any case ("europe/paris" is
/// "Europe/Paris"), or `None` when it does not know the zone. The proxy takes the name
/// only as the zone database writes it.
pub fn zone_name(zone: &str) -> Option<String> {
    let opts = Object::new();
    let _ = Reflect::set(&opts, &"timeZone".into(), &zone.into());
    let f = Reflect::construct(
        &intl("DateTimeFormat")?,
        &Array::of2(&JsValue::UNDEFINED, &opts),
    )
    .ok()?;
    let f: Intl::DateTimeFormat = f.unchecked_into();
    Reflect::get(&f.resolved_options(), &"timeZone".into())
        .ok()?
        .as_string()
}

/// Every IANA zone the browser knows, for the zone picker (UTC alone where the browser
/// cannot list them).
pub fn zones() -> Vec<String> {
    let list = intl("supportedValuesOf")
        .and_then(|f| f.call1(&JsValue::UNDEFINED, &"timeZone".into()).ok());
    match list {
        Some(list) => Array::from(&list)
            .iter()
            .filter_map(|v| v.as_string())
            .collect(),
        None => vec!["UTC".into()],
    }
}
