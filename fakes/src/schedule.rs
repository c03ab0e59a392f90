//! The fakes' host calendar: every day 09:00–17:00 in the host's zone, minus bookings.
//! Deliberately simple; the real slot engine lives in booking-proxy.

use chrono::{DateTime, Days, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Clone, Debug)]
pub struct Schedule {
    pub zone: Tz,
    pub step_minutes: i64,
    /// How far ahead slots are offered.
    pub horizon_days: u64,
}

impl Schedule {
    pub fn new(zone: Tz) -> Self {
        Self {
            zone,
            step_minutes: 30,
            horizon_days: 60,
        }
    }

    /// Starts of free `duration`-minute slots inside `[from, to)`, in the future and
    /// within the horizon, clear of `busy` intervals.
    pub fn free(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: i64,
        busy: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Vec<DateTime<Utc>> {
        let now = Utc::now();
        let last = (now + TimeDelta::days(self.horizon_days as i64)).min(to);
        let length = TimeDelta::minutes(duration);
        let mut out = Vec::new();
        let mut day = from.with_timezone(&self.zone).date_naive();
        // At most horizon + 2 days: the loop is bounded whatever the range.
        for _ in 0..self.horizon_days + 2 {
            let open = self.local(day, 9);
            let close = self.local(day, 17);
            if let (Some(open), Some(close)) = (open, close) {
                if open >= last {
                    break;
                }
                let mut start = open;
                while start + length <= close {
                    let end = start + length;
                    let free = !busy.iter().any(|(b0, b1)| start < *b1 && *b0 < end);
                    if start >= from && start < last && start > now && free {
                        out.push(start);
                    }
                    start += TimeDelta::minutes(self.step_minutes);
                }
            }
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
        out
    }

    /// Whether `[start, start + duration)` is a free slot right now.
    pub fn is_free(
        &self,
        start: DateTime<Utc>,
        duration: i64,
        busy: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> bool {
        let end = start + TimeDelta::minutes(duration);
        self.free(start, end, duration, busy).contains(&start)
    }

    fn local(&self, day: chrono::NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
        at_hour(self.zone, day, hour)
    }
}

/// `day` at `hour`:00 in `zone` (the earlier instant if the hour repeats).
pub fn at_hour(zone: Tz, day: chrono::NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
    let time = NaiveTime::from_hms_opt(hour, 0, 0)?;
    zone.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}
