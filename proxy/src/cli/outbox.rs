//! `booking-proxy outbox list|retry`: the notifications waiting, sent or given up, and
//! re-queuing those that failed or whose endpoint was disabled.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Subcommand;

use super::{escaped, load};
use crate::state::AppState;

#[derive(Subcommand)]
pub enum Action {
    /// Print notifications, newest first, tab-separated (or as JSON).
    List {
        /// Only those in this state: pending, sent, failed, skipped or disabled.
        #[arg(long)]
        state: Option<String>,
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Send notifications again from a first attempt: these ids, or with none every
    /// failed and disabled one. A disabled endpoint is enabled again.
    Retry { ids: Vec<i64> },
}

const STATES: [&str; 5] = ["pending", "sent", "failed", "skipped", "disabled"];

pub fn run(path: &Path, action: Action) -> Result<(), String> {
    let config = load(path, None)?;
    super::runtime()?.block_on(async move {
        let state = AppState::new(config).await.map_err(|e| e.to_string())?;
        match action {
            Action::List { state: only, json } => list(&state, only.as_deref(), json).await,
            Action::Retry { ids } => {
                let count = state
                    .store()
                    .requeue_messages(&ids, Utc::now())
                    .await
                    .map_err(|e| e.to_string())?;
                println!("re-queued {count} notification(s)");
                Ok(())
            }
        }
    })
}

async fn list(state: &AppState, only: Option<&str>, json: bool) -> Result<(), String> {
    if let Some(s) = only.filter(|s| !STATES.contains(s)) {
        return Err(format!("--state {s:?} is not one of {}", STATES.join(", ")));
    }
    let rows = state
        .store()
        .messages(only)
        .await
        .map_err(|e| e.to_string())?;
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|m| {
                serde_json::json!({
                    "id": m.id, "state": m.state, "event": m.event.name(),
                    "channel": m.channel, "destination": m.destination,
                    "profile": m.profile, "booking": m.booking_id,
                    "message_id": m.message_id, "due": at(m.due_at), "next": at(m.next_at),
                    "attempts": m.attempts, "last_error": m.last_error,
                    "has_link": m.link.is_some(),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(());
    }
    println!("id\tstate\tevent\tchannel\tdestination\tbooking\tdue\tattempts\tlast_error");
    for m in rows {
        let cells = [
            m.id.to_string(),
            m.state.clone(),
            m.event.name().to_owned(),
            m.channel.clone(),
            m.destination.clone(),
            m.booking_id.clone(),
            at(m.due_at),
            m.attempts.to_string(),
            m.last_error.clone().unwrap_or_default(),
        ];
        let row: Vec<String> = cells.iter().map(|c| escaped(c)).collect();
        println!("{}", row.join("\t"));
    }
    Ok(())
}
