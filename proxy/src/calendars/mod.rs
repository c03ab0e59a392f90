//! The host's own calendars (local profiles): busy times read from iCalendar feeds and
//! CalDAV collections, kept fresh in the background, and bookings written back.

pub mod busy;
pub mod caldav;
pub mod source;

use std::sync::Arc;

use booking_wire::Slot;

use crate::config::CalendarConfig;
use crate::error::AppError;
pub use source::{Reader, Source};

/// A profile's calendars.
pub struct Calendars {
    sources: Vec<Arc<Source>>,
}

impl Calendars {
    /// `on_change` runs when a source's busy times change (slots computed before are out
    /// of date).
    pub fn new(
        configs: &[CalendarConfig],
        reader: &Reader,
        on_change: Arc<dyn Fn() + Send + Sync>,
    ) -> Self {
        Self {
            sources: configs
                .iter()
                .map(|c| Source::new(c.clone(), reader.clone(), on_change.clone()))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Every source's busy times; 502 `upstream_error` when one has none it may serve.
    pub async fn busy(&self) -> Result<Vec<Arc<Vec<Slot>>>, AppError> {
        let mut out = Vec::with_capacity(self.sources.len());
        for source in &self.sources {
            out.push(source.busy().await.map_err(|_| AppError::Upstream)?);
        }
        Ok(out)
    }

    /// The calendars bookings are written to.
    pub fn writable(&self) -> impl Iterator<Item = &CalendarConfig> {
        self.sources
            .iter()
            .map(|s| s.config())
            .filter(|c| c.writes())
    }
}
