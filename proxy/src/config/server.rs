//! `[server]`, `[limits]` and `[upstream]`: how the proxy listens, what it takes from a
//! client, and how long a provider may take.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::raw::{RawLimits, RawServer, RawUpstream};
use super::Problem;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Server {
    pub listen: SocketAddr,
    pub allowed_origins: Vec<String>,
    /// An sqlx SQLite URL (relative paths resolved against the config file's folder) or a
    /// PostgreSQL one.
    pub database: String,
    pub assets_dir: PathBuf,
    /// Whether the file names `assets_dir` (then a missing folder stops `serve`; the
    /// default one missing is only a warning: the API works without the widget's files).
    pub assets_dir_set: bool,
    /// Peers whose `X-Forwarded-For` is believed (reverse proxies, load balancers).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A connection must send a whole request head within this, new or idle.
    pub header_timeout: Duration,
    /// Open connections at most; `None`: as many as the open-files limit allows.
    pub max_connections: Option<usize>,
    /// How long requests being answered may take to finish after SIGTERM.
    pub shutdown: Duration,
    /// Where visitors reach the proxy: the manage links in emails start with it.
    pub public_url: Option<String>,
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

pub(super) fn server(raw: RawServer, base: &Path) -> Result<Server, Problem> {
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
    let database = sqlite_url(&database, base)
        .or_else(|| postgres_url(&database))
        .ok_or_else(|| {
            Problem::at(
                "server.database",
                format!("{database:?} is not a sqlite:// or postgres:// URL"),
            )
        })?;
    let assets_dir_set = raw.assets_dir.is_some();
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
        assets_dir_set,
        trusted_proxies,
        header_timeout: seconds("header_timeout_seconds", raw.header_timeout_seconds, 10)?,
        max_connections: raw.max_connections,
        shutdown: seconds("shutdown_seconds", raw.shutdown_seconds, 10)?,
        public_url: super::notify::public_url(raw.public_url)?,
    })
}

pub(super) fn limits(raw: &RawLimits) -> Result<Limits, Problem> {
    let bookings_per_minute = match raw.bookings_per_minute {
        Some(0) => {
            return Err(Problem::at(
                "limits.bookings_per_minute",
                "must be greater than 0",
            ))
        }
        Some(n) => n,
        None => 10,
    };
    let body_bytes = raw.body_bytes.unwrap_or(65_536);
    if body_bytes < 1024 {
        return Err(Problem::at("limits.body_bytes", "must be at least 1024"));
    }
    Ok(Limits {
        bookings_per_minute,
        body_bytes,
    })
}

pub(super) fn upstream(raw: &RawUpstream) -> Result<UpstreamSettings, Problem> {
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

/// A `postgres://` (or `postgresql://`) URL naming a host, as it is.
fn postgres_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let scheme = matches!(parsed.scheme(), "postgres" | "postgresql");
    (scheme && parsed.host_str().is_some_and(|h| !h.is_empty())).then(|| url.to_owned())
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
