//! A local profile's scheduling rules: the host's zone and hours, durations, step, buffer,
//! notice and horizon (Aurinko's booking-profile model).

use chrono_tz::Tz;

use super::profile::zone_named;
use super::raw::RawProfile;
use super::{CalendarConfig, Problem, WeekHours};

#[derive(Debug, Clone)]
pub struct LocalRules {
    pub time_zone: Tz,
    pub durations: Vec<u32>,
    pub slot_step: Option<u32>,
    pub buffer: u32,
    pub min_notice: u32,
    pub horizon_days: u32,
    pub location: Option<String>,
    pub requires_confirmation: bool,
    pub hours: WeekHours,
    /// The host's own calendars: busy times, and where bookings are written.
    pub calendars: Vec<CalendarConfig>,
}

pub(super) fn local_rules(id: &str, p: &RawProfile) -> Result<LocalRules, Problem> {
    let at = |key: &str| format!("profiles.{id}.{key}");
    let zone = p
        .time_zone
        .as_deref()
        .ok_or_else(|| Problem::at(at("time_zone"), "is required for a local profile"))?;
    let time_zone = zone_named(&at("time_zone"), zone)?;
    let durations = p.durations.clone().unwrap_or_default();
    if durations.is_empty() {
        return Err(Problem::at(
            at("durations"),
            "needs at least one duration in minutes",
        ));
    }
    for d in &durations {
        if !(1..=1440).contains(d) {
            return Err(Problem::at(
                at("durations"),
                format!("{d} is not between 1 and 1440 minutes"),
            ));
        }
    }
    if let Some(step) = p.slot_step {
        if !(1..=1440).contains(&step) {
            return Err(Problem::at(
                at("slot_step"),
                "must be between 1 and 1440 minutes",
            ));
        }
    }
    let horizon_days = p.horizon_days.unwrap_or(60);
    if !(1..=730).contains(&horizon_days) {
        return Err(Problem::at(at("horizon_days"), "must be between 1 and 730"));
    }
    let hours = match &p.hours {
        Some(h) => WeekHours::parse(h)
            .map_err(|(day, msg)| Problem::at(at(&format!("hours.{day}")), msg))?,
        None => return Err(Problem::at(at("hours"), "is required for a local profile")),
    };
    Ok(LocalRules {
        time_zone,
        durations,
        slot_step: p.slot_step,
        buffer: p.buffer.unwrap_or(0),
        min_notice: p.min_notice.unwrap_or(0),
        horizon_days,
        location: p.location.clone(),
        requires_confirmation: p.requires_confirmation.unwrap_or(false),
        hours,
        calendars: Vec::new(),
    })
}
