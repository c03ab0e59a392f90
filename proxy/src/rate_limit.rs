//! `limits.bookings_per_minute` per client address (`client::ClientAddr`), as a burst
//! refilled evenly over the minute; beyond it 429 `rate_limited` with `Retry-After`.

use std::sync::Arc;
use std::time::Duration;

use axum::response::IntoResponse;
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::{GovernorError, GovernorLayer};

use crate::client::ClientKey;
use crate::error::AppError;

/// One limiter: its budgets per client, shared by every route it guards.
#[derive(Clone)]
pub struct RateLimit {
    config: Arc<GovernorConfig<ClientKey, NoOpMiddleware<QuantaInstant>>>,
}

impl RateLimit {
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let config = GovernorConfigBuilder::default()
            .per_millisecond((60_000 / u64::from(per_minute)).max(1))
            .burst_size(per_minute)
            .key_extractor(ClientKey)
            .finish()
            .expect("non-zero period and burst");
        Self {
            config: Arc::new(config),
        }
    }

    /// The layer for a route: over budget, the envelope's 429.
    pub fn layer(
        &self,
    ) -> GovernorLayer<ClientKey, NoOpMiddleware<QuantaInstant>, axum::body::Body> {
        GovernorLayer::new(self.config.clone()).error_handler(|error| match error {
            GovernorError::TooManyRequests { wait_time, .. } => AppError::RateLimited {
                retry_after_secs: wait_time.max(1),
            }
            .into_response(),
            other => AppError::internal(other).into_response(),
        })
    }

    /// Forgets clients that have their whole budget back, every minute, so the table does
    /// not grow without bound (`main` runs it beside the server).
    pub async fn forget_idle_clients(self) {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            self.config.limiter().retain_recent();
        }
    }
}
