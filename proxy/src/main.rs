//! `booking-proxy serve --config FILE [--listen ADDR]` runs the server;
//! `booking-proxy bookings --config FILE list|cancel` works on the local provider's bookings;
//! `cancel --profile P ID` cancels at a remote profile's provider.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use booking_proxy::config::{self, Config, Source};
use booking_proxy::error::AppError;
use booking_proxy::server::{self, ConnectionLimits};
use booking_proxy::store::Store;
use booking_proxy::{app, AppState};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "booking-proxy", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        /// The TOML configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Overrides `server.listen`, e.g. 127.0.0.1:0 for a free port.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// List or cancel the local provider's bookings (same database as the server).
    Bookings {
        /// The TOML configuration file (for `server.database`).
        #[arg(long, global = true, default_value = "booking-proxy.toml")]
        config: PathBuf,
        #[command(subcommand)]
        action: BookingsAction,
    },
}

#[derive(Subcommand)]
enum BookingsAction {
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
    /// Cancel a booking; its time becomes free again.
    Cancel {
        /// The booking id (bk_… for the local provider, the provider's id otherwise).
        id: String,
        /// A remote profile: cancel at its provider (its key variable must be set).
        #[arg(long)]
        profile: Option<String>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in a log file.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let result = match Cli::parse().command {
        Command::Serve { config, listen } => serve(&config, listen),
        Command::Bookings { config, action } => bookings(&config, action),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("booking-proxy: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Runtime::new().map_err(|e| format!("cannot start runtime: {e}"))
}

fn serve(path: &Path, listen: Option<SocketAddr>) -> Result<(), String> {
    let mut config =
        config::load(path, &|name| std::env::var(name).ok()).map_err(|e| e.to_string())?;
    if let Some(addr) = listen {
        config.server.listen = addr;
    }
    let allowance = server::open_files_allowance();
    let limits = ConnectionLimits {
        header_timeout: config.server.header_timeout,
        max_connections: connection_cap(config.server.max_connections, allowance),
        shutdown: config.server.shutdown,
    };
    runtime()?.block_on(async move {
        let addr = config.server.listen;
        let state = AppState::new(config).await.map_err(|e| e.to_string())?;
        tokio::spawn(maintenance(state.store().clone()));
        tokio::spawn(state.rate_limit().clone().forget_idle_clients());
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        // Tests and `make demo` read this line to find the port.
        println!("booking-proxy listening on http://{local}");
        server::serve(listener, app(state), limits, shutdown()).await;
        Ok(())
    })
}

/// `server.max_connections`, kept under what the open-files limit allows.
fn connection_cap(configured: Option<usize>, allowance: Option<usize>) -> usize {
    const DEFAULT: usize = 10_000;
    let fits = allowance.unwrap_or(DEFAULT);
    match configured {
        Some(wanted) if wanted > fits => {
            tracing::warn!(
                wanted,
                fits,
                "server.max_connections is more than the open-files limit allows; using the lower number"
            );
            fits
        }
        Some(wanted) => wanted,
        None => DEFAULT.min(fits),
    }
}

/// Hourly: forget Idempotency-Keys older than 24 hours.
async fn maintenance(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match store.purge_idempotency(chrono::Utc::now()).await {
            Ok(n) if n > 0 => tracing::info!(purged = n, "expired idempotency keys removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
        }
    }
}

/// The operator commands touch only the database, so provider keys need not be set.
fn load_for_store(path: &Path) -> Result<Config, String> {
    config::load(path, &|name| {
        Some(std::env::var(name).unwrap_or_else(|_| "unused".into()))
    })
    .map_err(|e| e.to_string())
}

fn bookings(path: &Path, action: BookingsAction) -> Result<(), String> {
    if let BookingsAction::Cancel {
        id,
        profile: Some(profile),
    } = &action
    {
        let config =
            config::load(path, &|name| std::env::var(name).ok()).map_err(|e| e.to_string())?;
        if let Some(Source::Remote(_)) = config.profiles.get(profile).map(|p| &p.source) {
            return cancel_remote(config, profile, id);
        }
    }
    let config = load_for_store(path)?;
    runtime()?.block_on(async move {
        let store = Store::open(&config.server.database)
            .await
            .map_err(|e| e.to_string())?;
        match action {
            BookingsAction::List { profile, json } => {
                let rows = store
                    .list(profile.as_deref())
                    .await
                    .map_err(|e| e.to_string())?;
                let at = |t: chrono::DateTime<chrono::Utc>| {
                    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                };
                if json {
                    let list: Vec<_> = rows
                        .iter()
                        .map(|b| {
                            serde_json::json!({
                                "id": b.id, "profile": b.profile, "status": b.status,
                                "start": at(b.start), "end": at(b.end),
                                "name": b.name, "email": b.email,
                            })
                        })
                        .collect();
                    println!("{}", serde_json::Value::Array(list));
                    return Ok(());
                }
                println!("id\tprofile\tstatus\tstart\tend\tname\temail");
                for b in rows {
                    let cells = [
                        &b.id,
                        &b.profile,
                        &b.status,
                        &at(b.start),
                        &at(b.end),
                        &b.name,
                        &b.email,
                    ];
                    let row: Vec<String> = cells.iter().map(|c| escaped(c)).collect();
                    println!("{}", row.join("\t"));
                }
                Ok(())
            }
            BookingsAction::Cancel { id, .. } => {
                match store.cancel(&id).await.map_err(|e| e.to_string())? {
                    true => {
                        println!("cancelled {id}");
                        Ok(())
                    }
                    false => Err(format!("no active booking {id:?}")),
                }
            }
        }
    })
}

/// `text` with its control characters (tab, newline, escape…) written as `\t`, `\n`,
/// `\u{1b}`, and backslashes doubled, so a printed cell is always one cell.
fn escaped(text: &str) -> String {
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

/// Cancels through the profile's provider, as the server would call it.
fn cancel_remote(config: Config, profile: &str, id: &str) -> Result<(), String> {
    runtime()?.block_on(async move {
        let state = AppState::new(config).await.map_err(|e| e.to_string())?;
        let provider = state.provider(profile).map_err(|e| e.to_string())?;
        match provider.cancel(id).await {
            Ok(()) => {
                println!("cancelled {id} at the provider of profile {profile}");
                Ok(())
            }
            Err(AppError::NotFound) => Err(format!("the provider has no booking {id:?}")),
            Err(e) => Err(format!("profile {profile}: {e}")),
        }
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
