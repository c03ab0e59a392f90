//! `booking-proxy profiles import FILE | export`: profiles kept in the database, to and
//! from a TOML file of `[profiles.ID]` tables (the config file's format), checked as the
//! admin API checks them.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Subcommand;
use serde_json::Value;

use super::load;
use crate::state::AppState;

#[derive(Subcommand)]
pub enum Action {
    /// Create or replace the file's profiles in the database: all of them, or none when
    /// one breaks a rule. Every running instance serves them at once.
    Import {
        /// A TOML file of `[profiles.ID]` tables.
        file: PathBuf,
    },
    /// Print the database's profiles as a TOML file of `[profiles.ID]` tables.
    Export,
}

pub fn run(path: &Path, action: Action) -> Result<(), String> {
    let config = load(path, None)?;
    super::runtime()?.block_on(async move {
        let state = AppState::new(config).await.map_err(|e| e.to_string())?;
        match action {
            Action::Import { file } => import(&state, &file).await,
            Action::Export => {
                print!("{}", export(&state).await?);
                Ok(())
            }
        }
    })
}

async fn import(state: &AppState, file: &Path) -> Result<(), String> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let profiles = tables(&text).map_err(|e| format!("{name}: {e}"))?;
    // Every profile is checked before any is written.
    let mut checked = Vec::with_capacity(profiles.len());
    for (id, keys) in profiles {
        if state.profiles().is_fixed(&id) {
            return Err(format!(
                "{name}: profiles.{id}: is defined in the config file; change it there"
            ));
        }
        let profile = state
            .profiles()
            .check(&id, &keys)
            .map_err(|e| format!("{name}: {e}"))?;
        let body = serde_json::to_string(&profile.keys).map_err(|e| e.to_string())?;
        checked.push((id, body));
    }
    let (mut created, mut replaced) = (0, 0);
    for (id, body) in &checked {
        let (_, new) = state
            .store()
            .put_profile(id, body, Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        if new {
            created += 1;
        } else {
            replaced += 1;
        }
    }
    println!(
        "imported {} profiles: {created} created, {replaced} replaced",
        checked.len()
    );
    Ok(())
}

/// The `[profiles.ID]` tables of `text`, each as JSON.
fn tables(text: &str) -> Result<Vec<(String, Value)>, String> {
    let mut file: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().replace('\n', " "))?;
    let profiles = file.remove("profiles");
    if let Some(other) = file.keys().next() {
        return Err(format!("{other}: only [profiles.ID] tables are imported"));
    }
    let Some(profiles) = profiles else {
        return Err("no [profiles.ID] table".into());
    };
    let toml::Value::Table(profiles) = profiles else {
        return Err("profiles: expected [profiles.ID] tables".into());
    };
    profiles
        .into_iter()
        .map(|(id, keys)| {
            let json = serde_json::to_value(keys).map_err(|e| format!("profiles.{id}: {e}"))?;
            Ok((id, json))
        })
        .collect()
}

async fn export(state: &AppState) -> Result<String, String> {
    let rows = state
        .store()
        .stored_profiles()
        .await
        .map_err(|e| e.to_string())?;
    let mut profiles = toml::Table::new();
    for row in rows {
        let keys: Value = serde_json::from_str(&row.body)
            .map_err(|e| format!("stored profile {}: {e}", row.id))?;
        let table =
            toml::Value::try_from(keys).map_err(|e| format!("stored profile {}: {e}", row.id))?;
        profiles.insert(row.id, table);
    }
    let mut file = toml::Table::new();
    file.insert("profiles".into(), toml::Value::Table(profiles));
    toml::to_string(&file).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_profile_tables_are_read() {
        let two = "[profiles.a]\nprovider = \"local\"\n[profiles.b]\nprovider = \"vyte\"\n";
        let read = tables(two).unwrap();
        let ids: Vec<_> = read.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(read[1].1["provider"], "vyte");
        let server = "[server]\nlisten = \"127.0.0.1:1\"\n[profiles.a]\nprovider = \"local\"\n";
        assert!(tables(server).unwrap_err().contains("server"));
        assert!(tables("").unwrap_err().contains("no [profiles.ID]"));
        assert!(tables("profiles = 3").is_err());
    }
}
