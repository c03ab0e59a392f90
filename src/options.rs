//! Every option a widget takes, read into one `WidgetOptions` wherever the widget starts:
//! the `<booking-widget>` element's attributes (widget.js passes them to `mountWidget`,
//! src/embed.rs) or the `/book/{profile}` page's data-attributes and query (src/main.rs).

use booking_wire::js::{answers, optional_text, text};
use booking_wire::{FieldValue, Map};
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::time;

/// What one widget shows and how. `None` means the browser's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WidgetOptions {
    /// The booking profile's id, as in `/api/v1/profiles/{profile}`.
    pub profile: String,
    /// The proxy's origin.
    pub api: String,
    /// BCP 47 language tag; `de_DE` is read as `de-DE`, one `Intl` refuses is left out.
    pub locale: Option<String>,
    /// IANA zone.
    pub time_zone: Option<String>,
    /// `h12` or `h23`.
    pub hour_cycle: Option<String>,
    /// Answers to fill in: `name`, `email` and field names.
    pub prefill: Map<String, FieldValue>,
    /// A booking's manage token: the widget shows that booking, to cancel or move it.
    pub manage: Option<String>,
}

/// Language, zone and clock once the browser has filled the gaps.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub locale: String,
    pub zone: String,
    pub hour12: bool,
}

impl WidgetOptions {
    /// widget.js's JSON: `{profile, api, locale?, timeZone?, hourCycle?, prefill?, manage?}`; `None`
    /// when it is not that.
    pub fn from_json(json: &str) -> Option<Self> {
        let o = js_sys::JSON::parse(json).ok()?;
        Some(Self {
            profile: text(&o, "profile")?,
            api: text(&o, "api")?,
            locale: optional_text(&o, "locale")?,
            time_zone: optional_text(&o, "timeZone")?,
            hour_cycle: optional_text(&o, "hourCycle")?,
            prefill: answers(&o, "prefill")?,
            manage: optional_text(&o, "manage")?.filter(|t| !t.is_empty()),
        })
    }

    /// The public page's: the profile (and on a manage page the token) from the path
    /// (else the element's `data-profile`), the page's own origin (else `data-api`), and
    /// language, zone and clock from the element's `data-*` attributes or the page's query
    /// (a shared booking link).
    pub fn from_page(host: &Element) -> Result<Self, JsValue> {
        let location = web_sys::window().ok_or("no window")?.location();
        let path = location.pathname()?;
        let decode = |part: &str| {
            js_sys::decode_uri_component(part)
                .map(String::from)
                .unwrap_or_else(|_| part.to_owned())
        };
        let (id, manage) = page_path(&path);
        let profile = match id {
            Some(id) => decode(id),
            None => host
                .get_attribute("data-profile")
                .unwrap_or_else(|| "demo".into()),
        };
        let api = match host.get_attribute("data-api") {
            Some(api) if !api.is_empty() => api,
            _ => location.origin()?,
        };
        let query = web_sys::UrlSearchParams::new_with_str(&location.search()?)?;
        let option = |name: &str, param: &str| {
            host.get_attribute(name)
                .or_else(|| query.get(param))
                .filter(|v| !v.is_empty())
        };
        Ok(Self {
            profile,
            api,
            locale: option("data-locale", "locale"),
            time_zone: option("data-time-zone", "time_zone"),
            hour_cycle: option("data-hour-cycle", "hour_cycle"),
            prefill: Map::new(),
            manage: manage.map(decode),
        })
    }

    /// Language, zone and clock, the browser's where these options leave them out.
    pub fn settings(&self) -> Settings {
        let locale = self
            .locale
            .as_deref()
            .and_then(time::canonical_locale)
            .unwrap_or_else(time::browser_locale);
        let zone = self
            .time_zone
            .as_deref()
            .and_then(time::zone_name)
            .unwrap_or_else(time::browser_zone);
        let hour12 =
            hour12(self.hour_cycle.as_deref()).unwrap_or_else(|| time::locale_uses_12h(&locale));
        Settings {
            locale,
            zone,
            hour12,
        }
    }

    /// Whether `other` differs in language, zone or clock.
    pub fn settings_differ(&self, other: &Self) -> bool {
        (&self.locale, &self.time_zone, &self.hour_cycle)
            != (&other.locale, &other.time_zone, &other.hour_cycle)
    }
}

/// The profile id and manage token in `/book/{profile}` or `/book/{profile}/manage/{token}`
/// (still percent-encoded); nothing of another path.
fn page_path(path: &str) -> (Option<&str>, Option<&str>) {
    let Some(rest) = path.strip_prefix("/book/") else {
        return (None, None);
    };
    let rest = rest.trim_end_matches('/');
    match rest.split_once('/') {
        Some((id, tail)) => match tail.strip_prefix("manage/") {
            Some(token) if !id.is_empty() && !token.is_empty() && !token.contains('/') => {
                (Some(id), Some(token))
            }
            _ => (None, None),
        },
        None => (Some(rest).filter(|id| !id.is_empty()), None),
    }
}

/// A 12-hour clock for `h12`/`h11`, 24 for `h23`/`h24`; `None` leaves it to the language.
fn hour12(cycle: Option<&str>) -> Option<bool> {
    match cycle {
        Some("h12" | "h11") => Some(true),
        Some("h23" | "h24") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hour_cycle_sets_the_clock_or_leaves_it_to_the_language() {
        assert_eq!(hour12(Some("h12")), Some(true));
        assert_eq!(hour12(Some("h11")), Some(true));
        assert_eq!(hour12(Some("h23")), Some(false));
        assert_eq!(hour12(Some("h24")), Some(false));
        assert_eq!(hour12(Some("24")), None);
        assert_eq!(hour12(None), None);
    }

    #[test]
    fn the_page_path_names_the_profile_and_on_a_manage_page_the_token() {
        assert_eq!(page_path("/book/intro"), (Some("intro"), None));
        assert_eq!(page_path("/book/intro/"), (Some("intro"), None));
        assert_eq!(
            page_path("/book/intro/manage/tok_9-x"),
            (Some("intro"), Some("tok_9-x"))
        );
        for other in [
            "/",
            "/book/",
            "/book/intro/other/x",
            "/book/intro/manage/",
            "/book/intro/manage/a/b",
            "/elsewhere/intro",
        ] {
            assert_eq!(page_path(other), (None, None), "{other}");
        }
    }

    #[test]
    fn only_language_zone_and_clock_count_as_settings() {
        let a = WidgetOptions {
            profile: "intro".into(),
            locale: Some("de".into()),
            ..WidgetOptions::default()
        };
        let mut b = a.clone();
        b.prefill
            .insert("name".into(), FieldValue::Text("Ada".into()));
        assert!(!a.settings_differ(&b));
        b.hour_cycle = Some("h23".into());
        assert!(a.settings_differ(&b));
    }
}
