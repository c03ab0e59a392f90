//! `booking-proxy serve --config FILE [--listen ADDR]`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use booking_proxy::{app, config, AppState};
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
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { config, listen } => serve(config, listen),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("booking-proxy: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(path: PathBuf, listen: Option<SocketAddr>) -> Result<(), String> {
    let mut config =
        config::load(&path, &|name| std::env::var(name).ok()).map_err(|e| e.to_string())?;
    if let Some(addr) = listen {
        config.server.listen = addr;
    }
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("cannot start runtime: {e}"))?;
    runtime.block_on(async move {
        let addr = config.server.listen;
        let state = AppState::new(config).map_err(|e| e.to_string())?;
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
