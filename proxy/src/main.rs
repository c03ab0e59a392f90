//! `booking-proxy serve --config FILE [--listen ADDR]` runs the server;
//! `booking-proxy bookings --config FILE list|cancel` works on the local provider's bookings;
//! `cancel --profile P ID` cancels at a remote profile's provider.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use booking_proxy::config::{self, Config, Source};
use booking_proxy::error::AppError;
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
    /// Print bookings, newest first, tab-separated.
    List {
        /// Only this profile's bookings.
        #[arg(long)]
        profile: Option<String>,
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
    runtime()?.block_on(async move {
        let addr = config.server.listen;
        let state = AppState::new(config).await.map_err(|e| e.to_string())?;
        tokio::spawn(maintenance(state.store().clone()));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        // Tests and `make demo` read this line to find the port.
        println!("booking-proxy listening on http://{local}");
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| format!("server failed: {e}"))
    })
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
            BookingsAction::List { profile } => {
                let rows = store
                    .list(profile.as_deref())
                    .await
                    .map_err(|e| e.to_string())?;
                println!("id\tprofile\tstatus\tstart\tend\tname\temail");
                for b in rows {
                    let at = |t: chrono::DateTime<chrono::Utc>| {
                        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    };
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        b.id,
                        b.profile,
                        b.status,
                        at(b.start),
                        at(b.end),
                        b.name,
                        b.email
                    );
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
