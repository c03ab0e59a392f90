//! The local provider: booking-proxy itself is the scheduling backend, in SQLite.

use std::collections::BTreeMap;

use async_trait::async_trait;
use booking_wire::{Booking, BookingRequest, BookingStatus, Profile, Slot};
use chrono::{DateTime, TimeDelta, Utc};
use rand::distributions::{Alphanumeric, DistString};

use super::common::{after, fill_placeholders};
use super::Provider;
use crate::config::{LocalRules, ProfileConfig};
use crate::error::AppError;
use crate::idempotency::{self, Reply, Ticket};
use crate::slots::{self, Busy, Rules};
use crate::store::{Insert, KeyedAnswers, Store, StoredBooking};

pub struct LocalProvider {
    profile: ProfileConfig,
    rules: LocalRules,
    store: Store,
}

impl LocalProvider {
    pub fn new(profile: ProfileConfig, rules: LocalRules, store: Store) -> Self {
        Self {
            profile,
            rules,
            store,
        }
    }

    fn engine_rules(&self, duration: u32) -> Rules<'_> {
        let r = &self.rules;
        let minutes = |m: u32| TimeDelta::minutes(i64::from(m));
        Rules {
            zone: r.time_zone,
            hours: &r.hours,
            duration: minutes(duration),
            step: minutes(r.slot_step.unwrap_or(duration)),
            buffer: minutes(r.buffer),
            min_notice: minutes(r.min_notice),
            horizon: TimeDelta::days(i64::from(r.horizon_days)),
        }
    }

    fn title(&self) -> String {
        self.profile.title.clone().unwrap_or_default()
    }
}

/// `bk_` and 20 random letters and digits.
fn new_id() -> String {
    format!(
        "bk_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
    )
}

impl LocalProvider {
    /// Books `request` in one transaction with its Idempotency-Key's answer, if it has one:
    /// the key's earlier answer is replayed, or the time is checked and taken, or the 409
    /// stored.
    pub async fn book_once(
        &self,
        request: &BookingRequest,
        ticket: Option<&Ticket>,
    ) -> Result<Reply, AppError> {
        let rules = self.engine_rules(request.duration);
        let off_grid = || {
            let message = "This start time is not one of the profile's slot times.".to_owned();
            AppError::InvalidBooking(BTreeMap::from([("start".to_owned(), message)]))
        };
        let end = after(request.start, request.duration).ok_or_else(off_grid)?;
        if !slots::on_grid(&rules, request.start) {
            return Err(off_grid());
        }
        let now = Utc::now();
        let slot = Slot {
            start: request.start,
            end,
        };
        let bookable = slots::bookable(&rules, now, &slot);
        let status = if self.rules.requires_confirmation {
            BookingStatus::Pending
        } else {
            BookingStatus::Confirmed
        };
        let answers = serde_json::json!({
            "fields": request.fields, "guests": request.guests, "notes": request.notes,
        });
        let stored = StoredBooking {
            id: new_id(),
            profile: self.profile.id.clone(),
            start: slot.start,
            end: slot.end,
            status: status.as_str().to_owned(),
            name: request.name.trim().to_owned(),
            email: request.email.trim().to_owned(),
            time_zone: request.time_zone.clone(),
            answers: answers.to_string(),
            created_at: now,
        };
        let booking = Booking {
            id: stored.id.clone(),
            status,
            start: slot.start,
            end: slot.end,
            time_zone: request.time_zone.clone(),
            title: fill_placeholders(&self.title(), request),
            location: self.rules.location.clone(),
        };
        let created = serde_json::to_string(&booking).map_err(AppError::internal)?;
        let taken = serde_json::to_string(&AppError::SlotUnavailable.envelope().1)
            .map_err(AppError::internal)?;
        let keyed = ticket.map(|t| KeyedAnswers {
            key: &t.key,
            fingerprint: &t.fingerprint,
            created: &created,
            taken: &taken,
        });
        let buffer = rules.buffer;
        let inserted = self
            .store
            .insert_if_free(
                &stored,
                |nearby| bookable && !Busy::new(nearby).conflicts(&slot, buffer),
                keyed,
            )
            .await
            .map_err(AppError::internal)?;
        match inserted {
            Insert::Done => {
                tracing::info!(booking = %stored.id, profile = %stored.profile, "booking created");
                Ok(Reply::Booked(booking))
            }
            Insert::Taken => Err(AppError::SlotUnavailable),
            Insert::Used(claim) => idempotency::used(claim),
        }
    }
}

#[async_trait]
impl Provider for LocalProvider {
    async fn profile(&self) -> Result<Profile, AppError> {
        let p = &self.profile;
        Ok(Profile {
            id: p.id.clone(),
            title: self.title(),
            description: p.description.clone().unwrap_or_default(),
            time_zone: self.rules.time_zone.name().to_owned(),
            durations: self.rules.durations.clone(),
            location: self.rules.location.clone(),
            requires_confirmation: self.rules.requires_confirmation,
            fields: p.fields.clone(),
        })
    }

    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        let rules = self.engine_rules(duration);
        // Bookings that can touch a slot starting in [from, to), buffers included.
        let busy = self
            .store
            .active_between(
                &self.profile.id,
                from - rules.buffer,
                to + rules.duration + rules.buffer,
            )
            .await
            .map_err(AppError::internal)?;
        Ok(slots::free_slots(
            &rules,
            (from, to),
            Utc::now(),
            &Busy::new(busy),
        ))
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        match self.book_once(request, None).await? {
            Reply::Booked(booking) => Ok(booking),
            Reply::Replay { .. } => Err(AppError::internal("a replay without a key")),
        }
    }

    async fn cancel(&self, id: &str) -> Result<(), AppError> {
        match self.store.cancel(id).await.map_err(AppError::internal)? {
            true => Ok(()),
            false => Err(AppError::NotFound),
        }
    }
}
