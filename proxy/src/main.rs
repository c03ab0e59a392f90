//! `booking-proxy serve --config FILE [--listen ADDR]` runs the server;
//! `booking-proxy bookings --config FILE list|cancel|confirm|decline` works on the bookings,
//! `booking-proxy outbox --config FILE list|retry` on the notifications,
//! `booking-proxy profiles --config FILE import FILE|export` on the profiles kept as data
//! (proxy/src/cli/).

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use booking_proxy::cli::{bookings, outbox, profiles, runtime};
use booking_proxy::config;
use booking_proxy::notify;
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
    /// List, cancel, confirm or decline bookings (same database and code as the server).
    Bookings {
        /// The TOML configuration file (for `server.database`).
        #[arg(long, global = true, default_value = "booking-proxy.toml")]
        config: PathBuf,
        #[command(subcommand)]
        action: bookings::Action,
    },
    /// List notifications waiting or done, or re-queue those that failed.
    Outbox {
        /// The TOML configuration file (for `server.database`).
        #[arg(long, global = true, default_value = "booking-proxy.toml")]
        config: PathBuf,
        #[command(subcommand)]
        action: outbox::Action,
    },
    /// Import profiles into the database from a TOML file, or export them to one.
    Profiles {
        /// The TOML configuration file (for `server.database`).
        #[arg(long, global = true, default_value = "booking-proxy.toml")]
        config: PathBuf,
        #[command(subcommand)]
        action: profiles::Action,
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
        Command::Bookings { config, action } => bookings::run(&config, action),
        Command::Outbox { config, action } => outbox::run(&config, action),
        Command::Profiles { config, action } => profiles::run(&config, action),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("booking-proxy: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(path: &Path, listen: Option<SocketAddr>) -> Result<(), String> {
    let mut config =
        config::load(path, &|name| std::env::var(name).ok()).map_err(|e| e.to_string())?;
    if let Some(addr) = listen {
        config.server.listen = addr;
    }
    config::check::before_serving(&config)?;
    let allowance = server::open_files_allowance();
    let limits = ConnectionLimits {
        header_timeout: config.server.header_timeout,
        max_connections: connection_cap(config.server.max_connections, allowance),
        shutdown: config.server.shutdown,
    };
    runtime()?.block_on(async move {
        let addr = config.server.listen;
        let state = AppState::new(config).await.map_err(|e| e.to_string())?;
        let worker = notify::Worker::new(&state, notify::clock::Clock::system())?;
        tokio::spawn(worker.run());
        tokio::spawn(maintenance(state.store().clone()));
        tokio::spawn(state.rate_limit().clone().forget_idle_clients());
        tokio::spawn(state.manage_limit().clone().forget_idle_clients());
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

/// Hourly: forget Idempotency-Keys older than 24 hours, and notifications finished more
/// than 30 days ago.
async fn maintenance(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match store.purge_idempotency(chrono::Utc::now()).await {
            Ok(n) if n > 0 => tracing::info!(purged = n, "expired idempotency keys removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
        }
        match store.purge_outbox(chrono::Utc::now()).await {
            Ok(n) if n > 0 => tracing::info!(purged = n, "old notifications removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox purge failed"),
        }
    }
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
