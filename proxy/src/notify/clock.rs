//! The delivery worker's clock. In debug builds (the tests' builds) it can be moved:
//! `BOOKING_PROXY_CLOCK_FILE` names a file holding a number of seconds added to the
//! system's time, read at every tick, so a test sees a reminder or a retry at its time
//! without waiting for it. A release build always runs on the system's time.

use chrono::{DateTime, TimeDelta, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    #[cfg(debug_assertions)]
    offset_file: Option<std::path::PathBuf>,
}

impl Clock {
    /// The system's clock, moved by `BOOKING_PROXY_CLOCK_FILE` in debug builds.
    pub fn system() -> Self {
        Self {
            #[cfg(debug_assertions)]
            offset_file: std::env::var_os("BOOKING_PROXY_CLOCK_FILE").map(Into::into),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    /// Whether a test moves this clock (the worker then looks at it more often).
    pub fn is_moved(&self) -> bool {
        self.offset_file().is_some()
    }

    #[cfg(debug_assertions)]
    fn offset_file(&self) -> Option<&std::path::Path> {
        self.offset_file.as_deref()
    }

    #[cfg(not(debug_assertions))]
    fn offset_file(&self) -> Option<&std::path::Path> {
        None
    }

    fn offset(&self) -> TimeDelta {
        let seconds = self
            .offset_file()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|text| text.trim().parse::<i64>().ok())
            .unwrap_or(0);
        TimeDelta::try_seconds(seconds).unwrap_or_default()
    }
}
