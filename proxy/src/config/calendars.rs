//! A local profile's `[[profiles.ID.calendars]]`: the host's own calendars, read for busy
//! times (an iCalendar feed or a CalDAV collection) and, for CalDAV with `write = true`,
//! written with the profile's bookings.

use url::Url;

use super::raw::RawCalendar;
use super::Problem;

/// Kept for `stale_seconds` after a source starts failing, unless the entry says.
pub const DEFAULT_STALE_SECONDS: u32 = 600;

#[derive(Clone)]
pub struct CalendarConfig {
    pub kind: CalendarKind,
    /// How long a fetched copy is fresh.
    pub cache_seconds: u32,
    /// How long the last good copy serves while fetching fails.
    pub stale_seconds: u32,
}

#[derive(Clone)]
pub enum CalendarKind {
    /// `ics_url`: http(s), or `file://` for a file on this machine.
    Ics { url: Url },
    Caldav {
        url: Url,
        username: Option<String>,
        password: Option<String>,
        write: bool,
    },
}

impl CalendarConfig {
    pub fn url(&self) -> &Url {
        match &self.kind {
            CalendarKind::Ics { url } | CalendarKind::Caldav { url, .. } => url,
        }
    }

    /// What logs name the source by: its host (or "file"), never its credentials.
    pub fn host(&self) -> String {
        let url = self.url();
        url.host_str().unwrap_or(url.scheme()).to_owned()
    }

    /// Whether bookings are written into this calendar.
    pub fn writes(&self) -> bool {
        matches!(self.kind, CalendarKind::Caldav { write: true, .. })
    }
}

impl std::fmt::Debug for CalendarConfig {
    // Never print the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalendarConfig")
            .field("url", &self.url().as_str())
            .field("write", &self.writes())
            .field("cache_seconds", &self.cache_seconds)
            .field("stale_seconds", &self.stale_seconds)
            .finish_non_exhaustive()
    }
}

pub(super) fn calendars(
    id: &str,
    raw: &[RawCalendar],
    default_cache: u32,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<CalendarConfig>, Problem> {
    raw.iter()
        .enumerate()
        .map(|(i, c)| {
            calendar(
                &format!("profiles.{id}.calendars[{i}]"),
                c,
                default_cache,
                env,
            )
        })
        .collect()
}

fn calendar(
    at: &str,
    c: &RawCalendar,
    default_cache: u32,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<CalendarConfig, Problem> {
    let key = |k: &str| format!("{at}.{k}");
    let kind = match (&c.ics_url, &c.caldav_url) {
        (Some(url), None) => {
            for (name, set) in [
                ("username", c.username.is_some()),
                ("password_env", c.password_env.is_some()),
                ("write", c.write.is_some()),
            ] {
                if set {
                    return Err(Problem::at(key(name), "is used only with caldav_url"));
                }
            }
            let url = Url::parse(url)
                .ok()
                .filter(|u| {
                    (matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                        || (u.scheme() == "file" && u.to_file_path().is_ok())
                })
                .ok_or_else(|| {
                    Problem::at(
                        key("ics_url"),
                        format!("{url:?} is not an http(s) or file:// URL"),
                    )
                })?;
            CalendarKind::Ics { url }
        }
        (None, Some(url)) => {
            let url = Url::parse(url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .filter(|u| u.username().is_empty() && u.password().is_none())
                .ok_or_else(|| {
                    Problem::at(
                        key("caldav_url"),
                        format!("{url:?} is not an http(s) URL without credentials (use username and password_env)"),
                    )
                })?;
            let password = match &c.password_env {
                None => None,
                Some(var) => Some(env(var).filter(|p| !p.is_empty()).ok_or_else(|| {
                    Problem::at(
                        key("password_env"),
                        format!("environment variable {var} is not set"),
                    )
                })?),
            };
            if password.is_some() && c.username.is_none() {
                return Err(Problem::at(
                    key("username"),
                    "is required with password_env",
                ));
            }
            CalendarKind::Caldav {
                url,
                username: c.username.clone(),
                password,
                write: c.write.unwrap_or(false),
            }
        }
        _ => return Err(Problem::at(at, "give exactly one of ics_url or caldav_url")),
    };
    let cache_seconds = c.cache_seconds.unwrap_or(default_cache.max(1));
    if !(1..=86_400).contains(&cache_seconds) {
        return Err(Problem::at(
            key("cache_seconds"),
            "must be between 1 and 86400 for a calendar",
        ));
    }
    let stale_seconds = c.stale_seconds.unwrap_or(DEFAULT_STALE_SECONDS);
    if stale_seconds > 604_800 {
        return Err(Problem::at(
            key("stale_seconds"),
            "must be at most 604800 (a week)",
        ));
    }
    Ok(CalendarConfig {
        kind,
        cache_seconds,
        stale_seconds,
    })
}
