//! booking-proxy: holds the scheduling providers' keys and serves booking-widget.

pub mod calendars;
pub mod cli;
pub mod client;
pub mod config;
pub mod error;
pub mod fault;
pub mod idempotency;
pub mod layers;
pub mod lifecycle;
pub mod notify;
pub mod origins;
pub mod policy;
pub mod profiles;
pub mod providers;
pub mod rate_limit;
pub mod routes;
pub mod server;
pub mod slots;
pub mod state;
pub mod store;
pub mod token;

use std::time::Duration;

use axum::Router;

pub use layers::outer;
pub use state::AppState;

/// Slow requests are cut off rather than held open.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP application: the route table inside the layers every request goes
/// through. `server::serve` runs it (inserting the peer's address, which the client
/// address and the rate limiter start from) and tests call it on a loopback port.
pub fn app(state: AppState) -> Router {
    let config = state.config();
    let routes = routes::table(config, state.rate_limit(), state.manage_limit());
    layers::around(routes, REQUEST_TIMEOUT, &config.server.trusted_proxies).with_state(state)
}
