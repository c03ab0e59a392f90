//! What `serve` checks of the machine before it starts, beyond the file itself: the folders
//! the config names exist, and a config that would serve nothing says so.

use std::path::Path;

use super::{Config, Source};

/// A problem that stops start-up, as one line naming the key; warnings are logged.
pub fn before_serving(config: &Config) -> Result<(), String> {
    let assets = &config.server.assets_dir;
    if !assets.is_dir() {
        if config.server.assets_dir_set {
            return Err(format!(
                "server.assets_dir: {} is not a folder (the widget's build: `make build` writes it to dist/)",
                assets.display()
            ));
        }
        tracing::warn!(
            path = %assets.display(),
            "no widget build here (server.assets_dir): /book and /widget.js answer 503 until `make build`"
        );
    } else if !assets.join("index.html").is_file() {
        tracing::warn!(
            path = %assets.display(),
            "server.assets_dir has no index.html: /book and /widget.js answer 503 until `make build`"
        );
    }
    if let Some(folder) = database_folder(&config.server.database) {
        if !folder.is_dir() {
            return Err(format!(
                "server.database: the folder {} does not exist (for {})",
                folder.display(),
                config.server.database
            ));
        }
    }
    if let Some(admin) = &config.admin {
        if admin.token.chars().count() < super::MIN_TOKEN_CHARS {
            return Err(format!(
                "admin.token_env: the token in {} must be at least {} characters",
                admin.token_env,
                super::MIN_TOKEN_CHARS
            ));
        }
    }
    if config.profiles.is_empty() && config.admin.is_none() {
        tracing::warn!("no [profiles.ID] in the config: every profile answers 404");
    }
    for (id, profile) in &config.profiles {
        if let Source::Local(rules) = &profile.source {
            if rules.hours.is_empty() {
                tracing::warn!(
                    profile = %id,
                    "profiles.{id}.hours gives no working time on any day: the profile offers no slots"
                );
            }
        }
    }
    Ok(())
}

/// The folder of an SQLite database file (none for `:memory:`).
fn database_folder(url: &str) -> Option<&Path> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.starts_with(':') {
        return None;
    }
    Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
}
