//! One `[profiles.ID]` table: the keys every profile has (`provider`, `title`,
//! `description`, `fields`, `cache_seconds`), the keys each provider takes, and the form's
//! fields.

use booking_wire::{template, validate, Field, FieldKind};
use chrono_tz::Tz;
use serde_json::Value;

use super::calendars::calendars;
use super::local::{local_rules, LocalRules};
use super::notify::{self, ProfileNotify};
use super::raw::{ProviderKind, RawField, RawProfile};
use super::remote::{remote, Remote};
use super::Problem;
use crate::policy::Policy;
use crate::providers::common::{is_name, takes_options, RESERVED};

pub const DEFAULT_CACHE_SECONDS: u32 = 30;
/// The longest hold: time to fill a form, not to keep a slot from others.
pub const MAX_HOLD_MINUTES: u32 = 60;

/// One `[profiles.ID]` table, checked.
#[derive(Debug, Clone)]
pub struct ProfileConfig {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    pub cache_seconds: u32,
    /// What visitors may do with their bookings afterwards.
    pub policy: Policy,
    /// How long a visitor may hold a slot while filling the form; 0: no holds.
    pub hold_minutes: u32,
    /// Who is emailed about its bookings, and when reminders go.
    pub notify: ProfileNotify,
    pub source: Source,
    /// The keys as written (those set, as JSON): what the admin API shows and stores.
    pub keys: Value,
}

/// Where a profile's schedule lives.
#[derive(Debug, Clone)]
pub enum Source {
    Local(LocalRules),
    Remote(Remote),
}

/// A provider as the config file knows it.
pub(super) struct Provider {
    /// What `provider = "…"` says.
    pub name: &'static str,
    /// What a profile of it may set besides every profile's own keys.
    pub keys: &'static [&'static str],
    /// Its API, unless `base_url` says otherwise.
    pub base_url: &'static str,
}

/// Every profile's own keys, whatever its provider.
const COMMON_KEYS: &[&str] = &[
    "provider",
    "title",
    "description",
    "fields",
    "cache_seconds",
    "cancel_notice",
    "reschedule_notice",
    "max_reschedules",
    "allow_cancel",
    "allow_reschedule",
    "hold_minutes",
    "emails",
    "notify",
    "reminders",
];

impl ProviderKind {
    /// The table of providers.
    pub(super) fn provider(self) -> Provider {
        let (name, keys, base_url): (_, &[_], _) = match self {
            Self::Local => (
                "local",
                &[
                    "time_zone",
                    "durations",
                    "slot_step",
                    "buffer",
                    "min_notice",
                    "horizon_days",
                    "location",
                    "requires_confirmation",
                    "hours",
                    "calendars",
                ],
                "",
            ),
            Self::Calcom => (
                "calcom",
                &["api_key_env", "base_url", "time_zone", "event_type_id"],
                "https://api.cal.com",
            ),
            Self::Aurinko => (
                "aurinko",
                &["api_key_env", "base_url", "time_zone", "profile_id"],
                "https://api.aurinko.io",
            ),
            Self::Jicoo => (
                "jicoo",
                &["api_key_env", "base_url", "time_zone", "event_type_id"],
                "https://api.jicoo.com",
            ),
            Self::Vyte => (
                "vyte",
                &[
                    "api_key_env",
                    "base_url",
                    "time_zone",
                    "users",
                    "duration",
                    "location",
                    "requires_confirmation",
                ],
                "https://api.vyte.in",
            ),
        };
        Provider {
            name,
            keys,
            base_url,
        }
    }
}

/// The keys `p` sets, with their values, as the file names them: serde's own names, so
/// there is no second list of them to keep.
fn written(at: &str, p: &RawProfile) -> Result<Value, Problem> {
    match serde_json::to_value(p) {
        Ok(keys @ Value::Object(_)) => Ok(without_nulls(keys)),
        _ => Err(Problem::at(at, "its keys cannot be listed")),
    }
}

/// `value` without its null members: the keys it sets, as a TOML table would have them.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

pub(super) fn profile(
    id: &str,
    p: RawProfile,
    env: &dyn Fn(&str) -> Option<String>,
    has_email: bool,
) -> Result<ProfileConfig, Problem> {
    let at = |key: &str| format!("profiles.{id}.{key}");
    if !is_name(id) {
        return Err(Problem::at(
            format!("profiles.{id}"),
            "a profile id may use only letters, digits, '-' and '_'",
        ));
    }
    let provider = p.provider.provider();
    let keys = written(&format!("profiles.{id}"), &p)?;
    for key in keys.as_object().into_iter().flat_map(|k| k.keys()) {
        if !COMMON_KEYS.contains(&key.as_str()) && !provider.keys.contains(&key.as_str()) {
            return Err(Problem::at(
                at(key),
                format!("is not used by provider \"{}\"", provider.name),
            ));
        }
    }
    let cache_seconds = p.cache_seconds.unwrap_or(DEFAULT_CACHE_SECONDS);
    let policy = policy(id, &p)?;
    let hold_minutes = match p.hold_minutes {
        Some(m) if m > MAX_HOLD_MINUTES => {
            return Err(Problem::at(
                at("hold_minutes"),
                format!("must be at most {MAX_HOLD_MINUTES} minutes (0 turns holds off)"),
            ))
        }
        m => m.unwrap_or(0),
    };
    let notify = notify::profile(id, &p, has_email)?;
    printable(&at("title"), p.title.as_deref(), false)?;
    printable(&at("description"), p.description.as_deref(), true)?;
    printable(&at("location"), p.location.as_deref(), false)?;
    let mut fields = fields(id, &p.fields)?;
    let source = match p.provider {
        ProviderKind::Local => {
            let title = p.title.as_deref().filter(|t| !t.trim().is_empty());
            if title.is_none() {
                return Err(Problem::at(at("title"), "is required for a local profile"));
            }
            add_variables(&mut fields, [p.title.as_deref(), p.description.as_deref()]);
            let mut rules = local_rules(id, &p)?;
            let raw = p.calendars.as_deref().unwrap_or_default();
            rules.calendars = calendars(id, raw, cache_seconds, env)?;
            Source::Local(rules)
        }
        kind => Source::Remote(remote(id, kind, &p, env)?),
    };
    Ok(ProfileConfig {
        id: id.to_owned(),
        title: p.title,
        description: p.description,
        fields,
        cache_seconds,
        policy,
        hold_minutes,
        notify,
        source,
        keys,
    })
}

/// `cancel_notice`, `reschedule_notice` (minutes, at most a year), `max_reschedules`,
/// `allow_cancel` and `allow_reschedule`.
fn policy(id: &str, p: &RawProfile) -> Result<Policy, Problem> {
    let defaults = Policy::default();
    let notice = |key: &str, value: Option<u32>| match value {
        Some(v) if v > 525_600 => Err(Problem::at(
            format!("profiles.{id}.{key}"),
            "must be at most 525600 minutes (a year)",
        )),
        v => Ok(v.unwrap_or(0)),
    };
    Ok(Policy {
        cancel_notice: notice("cancel_notice", p.cancel_notice)?,
        reschedule_notice: notice("reschedule_notice", p.reschedule_notice)?,
        max_reschedules: p.max_reschedules.or(defaults.max_reschedules),
        allow_cancel: p.allow_cancel.unwrap_or(defaults.allow_cancel),
        allow_reschedule: p.allow_reschedule.unwrap_or(defaults.allow_reschedule),
    })
}

/// An IANA zone, or the problem with `key`.
pub(super) fn zone_named(key: &str, zone: &str) -> Result<Tz, Problem> {
    zone.parse().map_err(|_| {
        Problem::at(
            key,
            format!("{zone:?} is not an IANA time zone such as \"Europe/Paris\""),
        )
    })
}

fn fields(id: &str, raw: &[RawField]) -> Result<Vec<Field>, Problem> {
    let mut out: Vec<Field> = Vec::with_capacity(raw.len());
    for (i, f) in raw.iter().enumerate() {
        let at = |key: &str| format!("profiles.{id}.fields[{i}].{key}");
        if !is_name(&f.name) {
            return Err(Problem::at(
                at("name"),
                format!("{:?}: use letters, digits, '-' and '_'", f.name),
            ));
        }
        if RESERVED.contains(&f.name.as_str()) {
            return Err(Problem::at(
                at("name"),
                format!("{:?} is always asked; choose another name", f.name),
            ));
        }
        if out.iter().any(|o| o.name == f.name) {
            return Err(Problem::at(
                at("name"),
                format!("duplicate field name {:?}", f.name),
            ));
        }
        let needs_options = matches!(f.kind, FieldKind::Select | FieldKind::Multiselect);
        if needs_options && f.options.is_empty() {
            return Err(Problem::at(
                at("options"),
                "a select or multiselect field needs options",
            ));
        }
        if !f.options.is_empty() && !takes_options(f.kind) {
            return Err(Problem::at(
                at("options"),
                "only select, multiselect and checkbox fields take options",
            ));
        }
        if f.default.is_some() && f.required == Some(true) {
            return Err(Problem::at(
                at("required"),
                "a field with a default is optional",
            ));
        }
        printable(&at("label"), f.label.as_deref(), false)?;
        for option in &f.options {
            printable(&at("options"), Some(option), false)?;
        }
        let field = Field {
            name: f.name.clone(),
            label: f.label.clone().unwrap_or_else(|| humanize(&f.name)),
            kind: f.kind,
            required: f.required.unwrap_or(false),
            default: f.default.clone(),
            options: f.options.clone(),
        };
        if let Some(default) = &field.default {
            validate::check_field(&field, Some(default)).map_err(|e| {
                Problem::at(
                    at("default"),
                    format!("{}", e).trim_end_matches('.').to_owned(),
                )
            })?;
        }
        out.push(field);
    }
    Ok(out)
}

/// Text shown to visitors and printed by the CLI: no tabs, escapes or other control
/// characters (line breaks only where `multiline`).
fn printable(location: &str, text: Option<&str>, multiline: bool) -> Result<(), Problem> {
    let check = if multiline {
        validate::check_lines
    } else {
        validate::check_text
    };
    match text.map(|t| check(t, false, usize::MAX)) {
        Some(Err(e)) => Err(Problem::at(location, e.to_string().trim_end_matches('.'))),
        _ => Ok(()),
    }
}

/// `{{variables}}` in the title and description become required text fields, unless a
/// field of that name is declared.
fn add_variables<'a>(fields: &mut Vec<Field>, texts: impl IntoIterator<Item = Option<&'a str>>) {
    for text in texts.into_iter().flatten() {
        for name in template::names(text) {
            if !fields.iter().any(|f| f.name == name) && !RESERVED.contains(&name.as_str()) {
                fields.push(Field {
                    label: humanize(&name),
                    name,
                    kind: FieldKind::Text,
                    required: true,
                    default: None,
                    options: vec![],
                });
            }
        }
    }
}

/// `company_size` → `Company size`.
pub fn humanize(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_each_provider_as_the_file_spells_it() {
        let kinds = [
            ProviderKind::Local,
            ProviderKind::Calcom,
            ProviderKind::Aurinko,
            ProviderKind::Jicoo,
            ProviderKind::Vyte,
        ];
        for kind in kinds {
            let spelt = serde_json::to_value(kind).unwrap();
            assert_eq!(spelt, kind.provider().name);
        }
    }
}
