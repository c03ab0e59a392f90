//! `booking-proxy serve --config FILE`: the TOML format of docs/configuration.md, checked whole at
//! start-up. Any problem is one line naming the profile and key, never a panic. The file
//! as written is `raw`; each concern checks its own part: `server` (`[server]`,
//! `[limits]`, `[upstream]`), `profile` (a profile's common keys, the table of which keys
//! each provider takes, the form's fields), `local` and `remote` (each kind of profile's
//! own keys), `hours` (work hours), `notify` (webhooks, email, and who a profile's
//! changes are told to).

mod admin;
mod calendars;
pub mod check;
mod hours;
mod local;
mod notify;
mod profile;
mod raw;
mod remote;
mod server;

use std::collections::BTreeMap;
use std::path::Path;

pub use admin::{stored_profile, AdminConfig, MIN_TOKEN_CHARS};
pub use calendars::{CalendarConfig, CalendarKind};
pub use hours::{Interval, WeekHours};
pub use local::LocalRules;
pub use notify::{EmailConfig, MailTransport, ProfileNotify, WebhookConfig};
pub use profile::{humanize, ProfileConfig, Source, DEFAULT_CACHE_SECONDS};
use raw::RawConfig;
pub use remote::{Remote, RemoteKind};
pub use server::{Limits, Server, UpstreamSettings, DEFAULT_LISTEN};

/// Why the configuration cannot be used; `Display` is the one line the operator sees.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: {location}{message}")]
    Invalid {
        file: String,
        location: String,
        message: String,
    },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub server: Server,
    pub limits: Limits,
    pub upstream: UpstreamSettings,
    pub profiles: BTreeMap<String, ProfileConfig>,
    pub webhooks: Vec<WebhookConfig>,
    pub email: Option<EmailConfig>,
    /// The admin API, when `[admin]` is there.
    pub admin: Option<AdminConfig>,
}

/// Reads and checks the whole file. `env` looks up key variables (the process
/// environment in `main`, a map in tests).
pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        file: file.clone(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base, env).map_err(|e| e.in_file(&file))
}

/// A problem found while checking: where (a key path) and what.
#[derive(Debug)]
pub struct Problem {
    location: String,
    message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.location.as_str() {
            "" => f.write_str(&self.message),
            location => write!(f, "{location}: {}", self.message),
        }
    }
}

impl Problem {
    fn at(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            message: message.into(),
        }
    }

    fn in_file(self, file: &str) -> ConfigError {
        let location = if self.location.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.location)
        };
        ConfigError::Invalid {
            file: file.into(),
            location,
            message: self.message,
        }
    }
}

/// Parses and checks config text; relative paths are resolved against `base`.
pub fn parse(
    text: &str,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, Problem> {
    let raw: RawConfig =
        serde_path_to_error::deserialize(toml::Deserializer::new(text)).map_err(|e| {
            let line = e
                .inner()
                .span()
                .map(|s| text[..s.start].lines().count().max(1));
            let path = e.path().to_string();
            let location = match (path.as_str(), line) {
                (".", Some(l)) => format!("line {l}"),
                (p, Some(l)) => format!("{p} (line {l})"),
                (p, None) => p.to_owned(),
            };
            Problem::at(location, e.inner().message().replace('\n', " "))
        })?;
    let server = server::server(raw.server, base)?;
    let limits = server::limits(&raw.limits)?;
    let upstream = server::upstream(&raw.upstream)?;
    let email = notify::email(raw.email, base, env)?;
    if email.is_some() && server.public_url.is_none() {
        return Err(Problem::at(
            "server.public_url",
            "is required with [email]: emails carry links to the booking page",
        ));
    }
    let admin = admin::admin(raw.admin, env)?;
    let webhooks = notify::webhooks(raw.webhooks, &raw.profiles, admin.is_some(), env)?;
    let mut profiles = BTreeMap::new();
    for (id, raw_profile) in raw.profiles {
        let checked = profile::profile(&id, raw_profile, env, email.is_some())?;
        profiles.insert(id, checked);
    }
    Ok(Config {
        server,
        limits,
        upstream,
        profiles,
        webhooks,
        email,
        admin,
    })
}
