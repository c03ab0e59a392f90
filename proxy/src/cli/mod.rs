//! The operator's commands beside `serve`: they work on the same database and call the
//! same code as the server, so a booking changed here is changed as a visitor's would be.

pub mod bookings;
pub mod outbox;
pub mod profiles;

use std::path::Path;

use crate::config::{self, Config, Source};

/// The config for a command that calls at most `profile`'s provider: every other
/// profile's key variable may be unset. `profile`'s must be set if it is remote.
pub fn load(path: &Path, profile: Option<&str>) -> Result<Config, String> {
    let config = config::load(path, &|name| {
        let value = std::env::var(name).ok().filter(|v| !v.is_empty());
        Some(value.unwrap_or_else(|| UNSET.to_owned()))
    })
    .map_err(|e| e.to_string())?;
    if let Some(id) = profile {
        let Some(found) = config.profiles.get(id) else {
            return Err(format!("{}: there is no profile {id:?}", path.display()));
        };
        if let Source::Remote(remote) = &found.source {
            if remote.api_key == UNSET {
                return Err(format!(
                    "{}: profiles.{id}.api_key_env: environment variable {} is not set",
                    path.display(),
                    remote.api_key_env
                ));
            }
        }
    }
    Ok(config)
}

/// Stands for a key variable that is not set, in a profile the command does not call.
const UNSET: &str = "(not set)";

/// `text` with its control characters (tab, newline, escape…) written as `\t`, `\n`,
/// `\u{1b}`, and backslashes doubled, so a printed cell is always one cell.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || c == '\\' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Runtime::new().map_err(|e| format!("cannot start runtime: {e}"))
}
