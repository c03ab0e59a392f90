//! `booking-proxy bookings list|cancel|confirm|decline`.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Subcommand;

use super::{escaped, load};
use crate::lifecycle;
use crate::notify;
use crate::state::AppState;
use crate::store::StoredBooking;

#[derive(Subcommand)]
pub enum Action {
    /// Print bookings, newest first, tab-separated (control characters in stored text
    /// are shown escaped, so no text can forge a row or colour the terminal).
    List {
        /// Only this profile's bookings.
        #[arg(long)]
        profile: Option<String>,
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a booking, at its provider too; its time becomes free again.
    Cancel {
        /// The booking id (bk_… for the local provider, the provider's id otherwise).
        id: String,
        /// The booking's profile (needed when two profiles have a booking of that id, and
        /// to cancel at a provider a booking the proxy has no row of).
        #[arg(long)]
        profile: Option<String>,
    },
    /// Accept a pending booking of a local profile that requires confirmation.
    Confirm {
        id: String,
        #[arg(long)]
        profile: Option<String>,
    },
    /// Refuse a pending booking of a local profile: it is cancelled.
    Decline {
        id: String,
        #[arg(long)]
        profile: Option<String>,
    },
}

pub fn run(path: &Path, action: Action) -> Result<(), String> {
    let profile = match &action {
        Action::List { profile, .. }
        | Action::Cancel { profile, .. }
        | Action::Confirm { profile, .. }
        | Action::Decline { profile, .. } => profile.clone(),
    };
    let config = load(path, profile.as_deref())?;
    super::runtime()?.block_on(async move {
        let state = AppState::new(config).await.map_err(|e| e.to_string())?;
        match action {
            Action::List { profile, json } => list(&state, profile.as_deref(), json).await,
            Action::Cancel { id, profile } => {
                let Some(row) = one(&state, &id, profile.as_deref()).await? else {
                    // A booking made before the proxy kept rows of remote bookings.
                    return cancel_at_provider(&state, &id, profile.as_deref()).await;
                };
                if row.is_cancelled() {
                    return Err(format!("no active booking {id:?}: it is already cancelled"));
                }
                let reason = Some(notify::CANCELLED_BY_HOST);
                let row = lifecycle::cancel_row(&state, row, reason, None)
                    .await
                    .map_err(|e| format!("profile {}: {e}", row_profile(&id, &profile)))?;
                println!("cancelled {} ({})", row.id, row.profile);
                Ok(())
            }
            Action::Confirm { id, profile } => {
                let row = pending(&state, &id, profile.as_deref()).await?;
                let row = lifecycle::confirm(&state, row)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("confirmed {} ({})", row.id, row.profile);
                Ok(())
            }
            Action::Decline { id, profile } => {
                let row = pending(&state, &id, profile.as_deref()).await?;
                let row = lifecycle::cancel_row(&state, row, Some(notify::DECLINED), None)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("declined {} ({})", row.id, row.profile);
                Ok(())
            }
        }
    })
}

fn row_profile(id: &str, profile: &Option<String>) -> String {
    profile
        .clone()
        .unwrap_or_else(|| format!("of booking {id}"))
}

async fn list(state: &AppState, profile: Option<&str>, json: bool) -> Result<(), String> {
    let rows = state
        .store()
        .list(profile)
        .await
        .map_err(|e| e.to_string())?;
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|b| {
                serde_json::json!({
                    "id": b.id, "profile": b.profile, "status": b.status,
                    "start": at(b.start), "end": at(b.end), "reschedules": b.reschedules,
                    "name": b.name, "email": b.email,
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(());
    }
    println!("id\tprofile\tstatus\tstart\tend\treschedules\tname\temail");
    for b in rows {
        let cells = [
            b.id.clone(),
            b.profile.clone(),
            b.status.clone(),
            at(b.start),
            at(b.end),
            b.reschedules.to_string(),
            b.name.clone(),
            b.email.clone(),
        ];
        let row: Vec<String> = cells.iter().map(|c| escaped(c)).collect();
        println!("{}", row.join("\t"));
    }
    Ok(())
}

/// The one booking with this id (in `profile`, when given).
async fn one(
    state: &AppState,
    id: &str,
    profile: Option<&str>,
) -> Result<Option<StoredBooking>, String> {
    let mut rows = state.store().find(id).await.map_err(|e| e.to_string())?;
    rows.retain(|r| profile.is_none_or(|p| r.profile == p));
    match rows.len() {
        0 | 1 => Ok(rows.pop()),
        _ => Err(format!(
            "bookings of several profiles have the id {id:?}: give --profile"
        )),
    }
}

async fn cancel_at_provider(
    state: &AppState,
    id: &str,
    profile: Option<&str>,
) -> Result<(), String> {
    let Some(profile) = profile else {
        return Err(format!("no booking {id:?}"));
    };
    let entry = state.entry(profile).await.map_err(|e| e.to_string())?;
    if entry.local.is_some() {
        return Err(format!("no booking {id:?}"));
    }
    let provider = &entry.provider;
    match provider.cancel(id, Some("Cancelled by the host.")).await {
        Ok(()) => {
            println!("cancelled {id} at the provider of profile {profile}");
            Ok(())
        }
        Err(crate::error::AppError::NotFound) => Err(format!("the provider has no booking {id:?}")),
        Err(e) => Err(format!("profile {profile}: {e}")),
    }
}

/// The pending booking of a local profile with this id.
async fn pending(
    state: &AppState,
    id: &str,
    profile: Option<&str>,
) -> Result<StoredBooking, String> {
    let row = one(state, id, profile)
        .await?
        .ok_or_else(|| format!("no booking {id:?}"))?;
    let local = state.local(&row.profile).await.map_err(|e| e.to_string())?;
    if local.is_none() {
        return Err(format!(
            "booking {id:?} is at profile {}'s provider: accept or decline it there",
            row.profile
        ));
    }
    if row.status != "pending" {
        return Err(format!("booking {id:?} is {}, not pending", row.status));
    }
    Ok(row)
}
