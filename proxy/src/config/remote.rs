//! A remote profile: its provider's ids, its key (read from the environment at start-up,
//! never from the file) and where its API is.

use chrono_tz::Tz;

use super::profile::zone_named;
use super::raw::{ProviderKind, RawEmails, RawId, RawProfile};
use super::Problem;
use crate::providers::common::{is_name, is_plain_id};

/// A remote provider: its key (read from the environment at start-up) and its ids.
#[derive(Clone)]
pub struct Remote {
    pub kind: RemoteKind,
    pub api_key_env: String,
    pub api_key: String,
    pub base_url: String,
    /// The host's zone shown to visitors, when the provider does not say.
    pub time_zone: Option<Tz>,
}

impl std::fmt::Debug for Remote {
    // Never print the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("kind", &self.kind)
            .field("api_key_env", &self.api_key_env)
            .field("base_url", &self.base_url)
            .field("time_zone", &self.time_zone)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub enum RemoteKind {
    Calcom {
        event_type_id: i64,
    },
    Aurinko {
        profile_id: i64,
    },
    Jicoo {
        event_type_id: String,
    },
    Vyte {
        users: Vec<String>,
        emails: Vec<String>,
        duration: u32,
        title: String,
        requires_confirmation: bool,
        location: Option<String>,
    },
}

pub(super) fn remote(
    id: &str,
    kind: ProviderKind,
    p: &RawProfile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Remote, Problem> {
    let at = |key: &str| format!("profiles.{id}.{key}");
    let provider = kind.provider();
    let name = provider.name;
    let missing = |key: &str| Problem::at(at(key), format!("is required for provider \"{name}\""));
    let kind = match kind {
        ProviderKind::Calcom => match &p.event_type_id {
            Some(RawId::Int(n)) => RemoteKind::Calcom { event_type_id: *n },
            Some(RawId::Str(_)) => {
                return Err(Problem::at(
                    at("event_type_id"),
                    "must be an integer for provider \"calcom\"",
                ))
            }
            None => return Err(missing("event_type_id")),
        },
        ProviderKind::Jicoo => match &p.event_type_id {
            // It becomes a path segment as it is.
            Some(RawId::Str(s)) if is_name(s) => RemoteKind::Jicoo {
                event_type_id: s.clone(),
            },
            Some(RawId::Str(_)) => {
                return Err(Problem::at(
                    at("event_type_id"),
                    "must be a Jicoo uid (letters, digits, - and _)",
                ))
            }
            Some(_) => {
                return Err(Problem::at(
                    at("event_type_id"),
                    "must be the event type's uid (a string) for provider \"jicoo\"",
                ))
            }
            None => return Err(missing("event_type_id")),
        },
        ProviderKind::Aurinko => RemoteKind::Aurinko {
            profile_id: p.profile_id.ok_or_else(|| missing("profile_id"))?,
        },
        ProviderKind::Vyte => {
            let users = p.users.clone().unwrap_or_default();
            let emails = p.emails.as_ref().map(RawEmails::hosts).unwrap_or_default();
            if users.is_empty() == emails.is_empty() {
                return Err(Problem::at(
                    at("users"),
                    "give either users (ids) or emails for provider \"vyte\"",
                ));
            }
            // An id goes into paths as it is.
            if let Some(bad) = users.iter().find(|u| !is_plain_id(u)) {
                return Err(Problem::at(
                    at("users"),
                    format!("{bad:?} is not a Vyte user id"),
                ));
            }
            let duration = p
                .duration
                .filter(|d| (1..=1440).contains(d))
                .ok_or_else(|| missing("duration"))?;
            let title = p
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| missing("title"))?;
            RemoteKind::Vyte {
                users,
                emails,
                duration,
                title,
                requires_confirmation: p.requires_confirmation.unwrap_or(false),
                location: p.location.clone(),
            }
        }
        ProviderKind::Local => return Err(Problem::at(at("provider"), "is not remote")),
    };
    let api_key_env = p
        .api_key_env
        .clone()
        .ok_or_else(|| missing("api_key_env"))?;
    let api_key = env(&api_key_env).filter(|k| !k.is_empty()).ok_or_else(|| {
        Problem::at(
            at("api_key_env"),
            format!("environment variable {api_key_env} is not set"),
        )
    })?;
    let base_url = p.base_url.as_deref().unwrap_or(provider.base_url);
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(Problem::at(
            at("base_url"),
            format!("{base_url:?} is not an http(s) URL"),
        ));
    }
    let time_zone = match p.time_zone.as_deref() {
        None => None,
        Some(zone) => Some(zone_named(&at("time_zone"), zone)?),
    };
    Ok(Remote {
        kind,
        api_key_env,
        api_key,
        base_url: base_url.trim_end_matches('/').into(),
        time_zone,
    })
}
