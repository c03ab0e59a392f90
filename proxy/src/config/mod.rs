//! `booking-proxy serve --config FILE`: the TOML format of DESIGN.md, checked whole at
//! start-up. Any problem is one line naming the profile and key, never a panic.

mod hours;
mod raw;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use booking_wire::{template, validate, Field, FieldKind};
use chrono_tz::Tz;

use crate::providers::common::{is_name, takes_options, RESERVED};
pub use hours::{Interval, WeekHours};
use raw::{ProviderKind, RawConfig, RawField, RawId, RawProfile};

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
}

#[derive(Debug, Clone)]
pub struct Server {
    pub listen: SocketAddr,
    pub allowed_origins: Vec<String>,
    /// An sqlx SQLite URL; relative paths are resolved against the config file's folder.
    pub database: String,
    pub assets_dir: PathBuf,
    /// Peers whose `X-Forwarded-For` is believed (reverse proxies, load balancers).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A connection must send a whole request head within this, new or idle.
    pub header_timeout: Duration,
    /// Open connections at most; `None`: as many as the open-files limit allows.
    pub max_connections: Option<usize>,
    /// How long requests being answered may take to finish after SIGTERM.
    pub shutdown: Duration,
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub bookings_per_minute: u32,
    pub body_bytes: usize,
}

/// `[upstream]`: how long a provider may take.
#[derive(Debug, Clone, Copy)]
pub struct UpstreamSettings {
    /// One attempt (connect included).
    pub timeout: Duration,
    /// A whole call, retries included; past it the answer is 504 `upstream_timeout`.
    pub budget: Duration,
}

impl Default for UpstreamSettings {
    fn default() -> Self {
        Self {
            // A booking may take a few upstream calls (Vyte: re-check, create, look-up,
            // confirm); these keep the worst case well inside the 30 s request limit.
            timeout: Duration::from_millis(4_000),
            budget: Duration::from_millis(8_000),
        }
    }
}

/// One `[profiles.ID]` table, checked.
#[derive(Debug, Clone)]
pub struct ProfileConfig {
    pub id: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    pub cache_seconds: u32,
    pub source: Source,
}

/// Where a profile's schedule lives.
#[derive(Debug, Clone)]
pub enum Source {
    Local(LocalRules),
    Remote(Remote),
}

/// The local provider's scheduling rules (Aurinko's booking-profile model).
#[derive(Debug, Clone)]
pub struct LocalRules {
    pub time_zone: Tz,
    pub durations: Vec<u32>,
    pub slot_step: Option<u32>,
    pub buffer: u32,
    pub min_notice: u32,
    pub horizon_days: u32,
    pub location: Option<String>,
    pub requires_confirmation: bool,
    pub hours: WeekHours,
}

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

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_CACHE_SECONDS: u32 = 30;

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
    let server = server(raw.server, base)?;
    let limits = Limits {
        bookings_per_minute: positive(
            "limits.bookings_per_minute",
            raw.limits.bookings_per_minute,
            10,
        )?,
        body_bytes: raw.limits.body_bytes.unwrap_or(65_536),
    };
    if limits.body_bytes < 1024 {
        return Err(Problem::at("limits.body_bytes", "must be at least 1024"));
    }
    let upstream = upstream(&raw.upstream)?;
    let mut profiles = BTreeMap::new();
    for (id, profile) in raw.profiles {
        let checked = self::profile(&id, profile, env)?;
        profiles.insert(id, checked);
    }
    Ok(Config {
        server,
        limits,
        upstream,
        profiles,
    })
}

fn upstream(raw: &raw::RawUpstream) -> Result<UpstreamSettings, Problem> {
    let defaults = UpstreamSettings::default();
    let ms = |key: &str, value: Option<u64>, default: Duration| match value {
        None => Ok(default),
        Some(v) if (1..=120_000).contains(&v) => Ok(Duration::from_millis(v)),
        Some(_) => Err(Problem::at(
            format!("upstream.{key}"),
            "must be between 1 and 120000 milliseconds",
        )),
    };
    let timeout = ms("timeout_ms", raw.timeout_ms, defaults.timeout)?;
    let budget = ms("budget_ms", raw.budget_ms, defaults.budget.max(timeout))?;
    if budget < timeout {
        return Err(Problem::at(
            "upstream.budget_ms",
            "must be at least upstream.timeout_ms",
        ));
    }
    Ok(UpstreamSettings { timeout, budget })
}

fn positive(key: &str, value: Option<u32>, default: u32) -> Result<u32, Problem> {
    match value {
        Some(0) => Err(Problem::at(key, "must be greater than 0")),
        Some(v) => Ok(v),
        None => Ok(default),
    }
}

fn server(raw: raw::RawServer, base: &Path) -> Result<Server, Problem> {
    let listen = raw.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    let listen = listen.parse().map_err(|_| {
        Problem::at(
            "server.listen",
            format!("{listen:?} is not an address like \"127.0.0.1:8080\""),
        )
    })?;
    for origin in &raw.allowed_origins {
        if !is_origin(origin) {
            return Err(Problem::at(
                "server.allowed_origins",
                format!("{origin:?} is not an origin like \"https://example.com\" (scheme, host, optional port; no path)"),
            ));
        }
    }
    let database = raw
        .database
        .unwrap_or_else(|| "sqlite://bookings.db".into());
    let database = sqlite_url(&database, base).ok_or_else(|| {
        Problem::at(
            "server.database",
            format!("{database:?} is not a sqlite:// URL"),
        )
    })?;
    let assets_dir = base.join(raw.assets_dir.unwrap_or_else(|| "dist".into()));
    let trusted_proxies = raw
        .trusted_proxies
        .iter()
        .map(|range| {
            cidr(range).ok_or_else(|| {
                Problem::at(
                    "server.trusted_proxies",
                    format!("{range:?} is not an address or CIDR range like \"10.0.0.0/8\""),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let seconds = |key: &str, value: Option<u64>, default: u64| match value {
        None => Ok(Duration::from_secs(default)),
        Some(v) if (1..=3600).contains(&v) => Ok(Duration::from_secs(v)),
        Some(_) => Err(Problem::at(
            format!("server.{key}"),
            "must be between 1 and 3600 seconds",
        )),
    };
    if raw.max_connections == Some(0) {
        return Err(Problem::at(
            "server.max_connections",
            "must be greater than 0",
        ));
    }
    Ok(Server {
        listen,
        allowed_origins: raw.allowed_origins,
        database,
        assets_dir,
        trusted_proxies,
        header_timeout: seconds("header_timeout_seconds", raw.header_timeout_seconds, 10)?,
        max_connections: raw.max_connections,
        shutdown: seconds("shutdown_seconds", raw.shutdown_seconds, 10)?,
    })
}

/// `10.0.0.0/8`, or one address (`192.0.2.1`) as a range of one.
fn cidr(text: &str) -> Option<ipnet::IpNet> {
    text.parse().ok().or_else(|| {
        text.parse::<std::net::IpAddr>()
            .ok()
            .map(ipnet::IpNet::from)
    })
}

fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', ' ', '@'])
}

/// `sqlite://file.db` with a relative path becomes absolute against the config's folder.
fn sqlite_url(url: &str, base: &Path) -> Option<String> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    if path.is_empty() {
        return None;
    }
    if path.starts_with(':') || Path::new(path).is_absolute() {
        return Some(url.to_owned());
    }
    Some(format!("sqlite://{}", base.join(path).display()))
}

const LOCAL_KEYS: &[&str] = &[
    "time_zone",
    "durations",
    "slot_step",
    "buffer",
    "min_notice",
    "horizon_days",
    "location",
    "requires_confirmation",
    "hours",
];

/// The keys a profile set, for "not used by this provider" errors.
fn keys_set(p: &RawProfile) -> Vec<&'static str> {
    let set = [
        ("time_zone", p.time_zone.is_some()),
        ("durations", p.durations.is_some()),
        ("slot_step", p.slot_step.is_some()),
        ("buffer", p.buffer.is_some()),
        ("min_notice", p.min_notice.is_some()),
        ("horizon_days", p.horizon_days.is_some()),
        ("location", p.location.is_some()),
        ("requires_confirmation", p.requires_confirmation.is_some()),
        ("hours", p.hours.is_some()),
        ("api_key_env", p.api_key_env.is_some()),
        ("base_url", p.base_url.is_some()),
        ("event_type_id", p.event_type_id.is_some()),
        ("profile_id", p.profile_id.is_some()),
        ("users", p.users.is_some()),
        ("emails", p.emails.is_some()),
        ("duration", p.duration.is_some()),
    ];
    set.into_iter()
        .filter(|(_, on)| *on)
        .map(|(k, _)| k)
        .collect()
}

fn allowed_keys(kind: ProviderKind) -> &'static [&'static str] {
    match kind {
        ProviderKind::Local => LOCAL_KEYS,
        ProviderKind::Calcom | ProviderKind::Jicoo => {
            &["api_key_env", "base_url", "event_type_id", "time_zone"]
        }
        ProviderKind::Aurinko => &["api_key_env", "base_url", "profile_id", "time_zone"],
        ProviderKind::Vyte => &[
            "api_key_env",
            "base_url",
            "users",
            "emails",
            "duration",
            "time_zone",
            "location",
            "requires_confirmation",
        ],
    }
}

fn provider_name(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Local => "local",
        ProviderKind::Calcom => "calcom",
        ProviderKind::Aurinko => "aurinko",
        ProviderKind::Jicoo => "jicoo",
        ProviderKind::Vyte => "vyte",
    }
}

fn profile(
    id: &str,
    p: RawProfile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProfileConfig, Problem> {
    let at = |key: &str| format!("profiles.{id}.{key}");
    if !is_name(id) {
        return Err(Problem::at(
            format!("profiles.{id}"),
            "a profile id may use only letters, digits, '-' and '_'",
        ));
    }
    for key in keys_set(&p) {
        if !allowed_keys(p.provider).contains(&key) {
            return Err(Problem::at(
                at(key),
                format!("is not used by provider \"{}\"", provider_name(p.provider)),
            ));
        }
    }
    let cache_seconds = p.cache_seconds.unwrap_or(DEFAULT_CACHE_SECONDS);
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
            Source::Local(local_rules(id, &p)?)
        }
        kind => Source::Remote(remote(id, kind, &p, env)?),
    };
    Ok(ProfileConfig {
        id: id.to_owned(),
        title: p.title,
        description: p.description,
        fields,
        cache_seconds,
        source,
    })
}

fn local_rules(id: &str, p: &RawProfile) -> Result<LocalRules, Problem> {
    let at = |key: &str| format!("profiles.{id}.{key}");
    let zone = p
        .time_zone
        .as_deref()
        .ok_or_else(|| Problem::at(at("time_zone"), "is required for a local profile"))?;
    let time_zone: Tz = zone.parse().map_err(|_| {
        Problem::at(
            at("time_zone"),
            format!("{zone:?} is not an IANA time zone such as \"Europe/Paris\""),
        )
    })?;
    let durations = p.durations.clone().unwrap_or_default();
    if durations.is_empty() {
        return Err(Problem::at(
            at("durations"),
            "needs at least one duration in minutes",
        ));
    }
    for d in &durations {
        if !(1..=1440).contains(d) {
            return Err(Problem::at(
                at("durations"),
                format!("{d} is not between 1 and 1440 minutes"),
            ));
        }
    }
    if let Some(step) = p.slot_step {
        if !(1..=1440).contains(&step) {
            return Err(Problem::at(
                at("slot_step"),
                "must be between 1 and 1440 minutes",
            ));
        }
    }
    let horizon_days = p.horizon_days.unwrap_or(60);
    if !(1..=730).contains(&horizon_days) {
        return Err(Problem::at(at("horizon_days"), "must be between 1 and 730"));
    }
    let hours = match &p.hours {
        Some(h) => WeekHours::parse(h)
            .map_err(|(day, msg)| Problem::at(at(&format!("hours.{day}")), msg))?,
        None => return Err(Problem::at(at("hours"), "is required for a local profile")),
    };
    Ok(LocalRules {
        time_zone,
        durations,
        slot_step: p.slot_step,
        buffer: p.buffer.unwrap_or(0),
        min_notice: p.min_notice.unwrap_or(0),
        horizon_days,
        location: p.location.clone(),
        requires_confirmation: p.requires_confirmation.unwrap_or(false),
        hours,
    })
}

fn remote(
    id: &str,
    kind: ProviderKind,
    p: &RawProfile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Remote, Problem> {
    let at = |key: &str| format!("profiles.{id}.{key}");
    let name = provider_name(kind);
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
            Some(RawId::Str(s)) if !s.is_empty() => RemoteKind::Jicoo {
                event_type_id: s.clone(),
            },
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
            let emails = p.emails.clone().unwrap_or_default();
            if users.is_empty() == emails.is_empty() {
                return Err(Problem::at(
                    at("users"),
                    "give either users (ids) or emails for provider \"vyte\"",
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
        ProviderKind::Local => unreachable!("local profiles are not remote"),
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
    let base_url = p
        .base_url
        .clone()
        .unwrap_or_else(|| default_base_url(p.provider).into());
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(Problem::at(
            at("base_url"),
            format!("{base_url:?} is not an http(s) URL"),
        ));
    }
    let time_zone = match p.time_zone.as_deref() {
        None => None,
        Some(zone) => Some(zone.parse::<Tz>().map_err(|_| {
            Problem::at(
                at("time_zone"),
                format!("{zone:?} is not an IANA time zone such as \"Europe/Paris\""),
            )
        })?),
    };
    Ok(Remote {
        kind,
        api_key_env,
        api_key,
        base_url: base_url.trim_end_matches('/').into(),
        time_zone,
    })
}

fn default_base_url(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Calcom => "https://api.cal.com",
        ProviderKind::Aurinko => "https://api.aurinko.io",
        ProviderKind::Jicoo => "https://api.jicoo.com",
        ProviderKind::Vyte => "https://api.vyte.in",
        ProviderKind::Local => "",
    }
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
