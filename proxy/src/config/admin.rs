//! `[admin]`: the admin API's bearer token (from the environment), and which secrets a
//! profile kept as data may name. Such a profile's keys arrive as JSON and are checked
//! here with the file's rules and messages (`profile::profile`).

use serde_json::Value;

use super::profile::{self, ProfileConfig};
use super::raw::{RawAdmin, RawProfile};
use super::Problem;

/// The shortest admin token accepted: guessing must be hopeless.
pub const MIN_TOKEN_CHARS: usize = 32;

#[derive(Clone)]
pub struct AdminConfig {
    pub token_env: String,
    pub token: String,
    /// The environment variables a stored profile may name (`api_key_env`,
    /// `calendars[].password_env`): a profile sends its key to a URL it chooses, so the
    /// admin API must not be a way to read the server's other secrets.
    pub secret_envs: Vec<String>,
}

impl std::fmt::Debug for AdminConfig {
    // Never print the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminConfig")
            .field("token_env", &self.token_env)
            .field("secret_envs", &self.secret_envs)
            .finish_non_exhaustive()
    }
}

pub(super) fn admin(
    raw: Option<RawAdmin>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<AdminConfig>, Problem> {
    let Some(raw) = raw else { return Ok(None) };
    let token_env = raw
        .token_env
        .ok_or_else(|| Problem::at("admin.token_env", "is required with [admin]"))?;
    let token = env(&token_env).filter(|t| !t.is_empty()).ok_or_else(|| {
        Problem::at(
            "admin.token_env",
            format!("environment variable {token_env} is not set"),
        )
    })?;
    Ok(Some(AdminConfig {
        token_env,
        token,
        secret_envs: raw.secret_envs,
    }))
}

/// Checks profile `id`'s keys, given as JSON, by the config file's rules; `secret_envs`
/// are the variables it may name. Its `keys` are what is stored: those it sets, nothing
/// else.
pub fn stored_profile(
    id: &str,
    body: &Value,
    secret_envs: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    has_email: bool,
) -> Result<ProfileConfig, Problem> {
    let raw: RawProfile = serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let location = match path.as_str() {
            "." => format!("profiles.{id}"),
            p => format!("profiles.{id}.{p}"),
        };
        Problem::at(location, e.inner().to_string())
    })?;
    let named = raw
        .api_key_env
        .iter()
        .map(|name| ("api_key_env".to_owned(), name));
    let calendars = raw.calendars.iter().flatten().enumerate();
    let named = named.chain(calendars.filter_map(|(i, c)| {
        let name = c.password_env.as_ref()?;
        Some((format!("calendars[{i}].password_env"), name))
    }));
    for (key, name) in named {
        if !secret_envs.contains(name) {
            return Err(Problem::at(
                format!("profiles.{id}.{key}"),
                format!("{name} is not among the variables a stored profile may name ([admin] secret_envs)"),
            ));
        }
    }
    profile::profile(id, raw, env, has_email)
}
