//! A profile's rules for what a visitor may do with their booking after making it, and the
//! decision for one booking. Pure: the clock is an argument.

use chrono::{DateTime, TimeDelta, Utc};

/// `cancel_notice`, `reschedule_notice`, `max_reschedules`, `allow_cancel` and
/// `allow_reschedule` of a `[profiles.ID]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Minutes before the start after which the visitor may no longer cancel.
    pub cancel_notice: u32,
    /// Minutes before the start after which the visitor may no longer reschedule.
    pub reschedule_notice: u32,
    /// How many times a booking may be moved; `None`: any number.
    pub max_reschedules: Option<u32>,
    pub allow_cancel: bool,
    pub allow_reschedule: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            cancel_notice: 0,
            reschedule_notice: 0,
            max_reschedules: None,
            allow_cancel: true,
            allow_reschedule: true,
        }
    }
}

/// The booking, as far as the policy looks at it.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub start: DateTime<Utc>,
    pub cancelled: bool,
    pub reschedules: u32,
    /// Whether the provider can move a booking at all.
    pub provider_reschedules: bool,
}

/// What the visitor may do now, and a sentence for what they may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub can_cancel: bool,
    pub can_reschedule: bool,
    pub reason: Option<String>,
}

impl Policy {
    pub fn decide(&self, facts: &Facts, now: DateTime<Utc>) -> Decision {
        let refused = |why: String| Decision {
            can_cancel: false,
            can_reschedule: false,
            reason: Some(why),
        };
        if facts.cancelled {
            return refused("This booking has been cancelled.".into());
        }
        if facts.start <= now {
            return refused("This booking's time has passed.".into());
        }
        let before = |minutes: u32| {
            facts
                .start
                .checked_sub_signed(TimeDelta::minutes(i64::from(minutes)))
                .is_some_and(|cut_off| now < cut_off)
        };
        let cancel = match (self.allow_cancel, before(self.cancel_notice)) {
            (false, _) => Err("Bookings of this kind cannot be cancelled here.".to_owned()),
            (true, false) => Err(format!(
                "Cancelling is possible until {} before the start.",
                span(self.cancel_notice)
            )),
            (true, true) => Ok(()),
        };
        let used_up = self
            .max_reschedules
            .is_some_and(|max| facts.reschedules >= max);
        let reschedule = if !self.allow_reschedule || !facts.provider_reschedules {
            Err("Bookings of this kind cannot be moved here.".to_owned())
        } else if used_up {
            Err(format!(
                "This booking has been moved {} already, as often as allowed.",
                times(facts.reschedules)
            ))
        } else if !before(self.reschedule_notice) {
            Err(format!(
                "Moving is possible until {} before the start.",
                span(self.reschedule_notice)
            ))
        } else {
            Ok(())
        };
        let reason = match (&cancel, &reschedule) {
            (Err(a), Err(b)) if a == b => Some(a.clone()),
            (Err(a), Err(b)) => Some(format!("{a} {b}")),
            (Err(a), Ok(())) | (Ok(()), Err(a)) => Some(a.clone()),
            (Ok(()), Ok(())) => None,
        };
        Decision {
            can_cancel: cancel.is_ok(),
            can_reschedule: reschedule.is_ok(),
            reason,
        }
    }
}

/// `90` → "1 hour 30 minutes", `2880` → "2 days".
fn span(minutes: u32) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let unit = |n: u32, one: &str| match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {one}s")),
    };
    let parts: Vec<String> = [unit(days, "day"), unit(hours, "hour"), unit(mins, "minute")]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        "the start".into()
    } else {
        parts.join(" ")
    }
}

fn times(n: u32) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours_from_now: i64, now: DateTime<Utc>) -> Facts {
        Facts {
            start: now + TimeDelta::hours(hours_from_now),
            cancelled: false,
            reschedules: 0,
            provider_reschedules: true,
        }
    }

    #[test]
    fn the_cut_offs_close_each_operation_at_its_own_time() {
        let now = Utc::now();
        let policy = Policy {
            cancel_notice: 24 * 60,
            reschedule_notice: 2 * 60,
            ..Policy::default()
        };
        let open = policy.decide(&at(48, now), now);
        assert_eq!(
            (open.can_cancel, open.can_reschedule, open.reason),
            (true, true, None)
        );
        let between = policy.decide(&at(12, now), now);
        assert!(!between.can_cancel && between.can_reschedule);
        assert_eq!(
            between.reason.as_deref(),
            Some("Cancelling is possible until 1 day before the start.")
        );
        let late = policy.decide(&at(1, now), now);
        assert!(!late.can_cancel && !late.can_reschedule);
        // Exactly at the cut-off it is closed.
        let edge = Facts {
            start: now + TimeDelta::minutes(120),
            ..at(0, now)
        };
        assert!(!policy.decide(&edge, now).can_reschedule);
    }

    #[test]
    fn cancelled_past_limited_and_unsupported_bookings_say_why() {
        let now = Utc::now();
        let default = Policy::default();
        let cancelled = Facts {
            cancelled: true,
            ..at(48, now)
        };
        let d = default.decide(&cancelled, now);
        assert!(!d.can_cancel && !d.can_reschedule);
        assert_eq!(
            d.reason.as_deref(),
            Some("This booking has been cancelled.")
        );
        let past = default.decide(&at(-1, now), now);
        assert_eq!(
            past.reason.as_deref(),
            Some("This booking's time has passed.")
        );

        let limited = Policy {
            max_reschedules: Some(2),
            ..Policy::default()
        };
        let moved = Facts {
            reschedules: 2,
            ..at(48, now)
        };
        let d = limited.decide(&moved, now);
        assert!(d.can_cancel && !d.can_reschedule);
        assert_eq!(
            d.reason.as_deref(),
            Some("This booking has been moved twice already, as often as allowed.")
        );
        let aurinko = Facts {
            provider_reschedules: false,
            ..at(48, now)
        };
        let d = default.decide(&aurinko, now);
        assert!(d.can_cancel && !d.can_reschedule);

        let neither = Policy {
            allow_cancel: false,
            allow_reschedule: false,
            ..Policy::default()
        };
        let d = neither.decide(&at(48, now), now);
        assert!(!d.can_cancel && !d.can_reschedule);
        assert!(d.reason.is_some());
    }

    #[test]
    fn spans_read_as_words() {
        assert_eq!(span(0), "the start");
        assert_eq!(span(1), "1 minute");
        assert_eq!(span(90), "1 hour 30 minutes");
        assert_eq!(span(2880), "2 days");
        assert_eq!(span(1441), "1 day 1 minute");
    }
}
