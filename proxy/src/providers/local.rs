//! The local provider: booking-proxy itself is the scheduling backend, in its database.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use axum::http::StatusCode;
use booking_wire::{Booking, BookingRequest, BookingStatus, Profile, Slot};
use chrono::{DateTime, TimeDelta, Utc};
use rand::distributions::{Alphanumeric, DistString};

use super::common::{after, fill_placeholders};
use super::computed::{Computed, Kept};
use super::Provider;
use crate::calendars::{Calendars, Reader};
use crate::config::{LocalRules, ProfileConfig};
use crate::error::AppError;
use crate::idempotency::{self, Reply, Ticket};
use crate::notify::clock::Clock;
use crate::notify::NewMessage;
use crate::slots::{self, Busy, Rules};
use crate::store::{
    Free, Holding, Insert, KeyedAnswers, Move, Placed, Store, StoredBooking, StoredHold,
};

pub struct LocalProvider {
    profile: ProfileConfig,
    rules: LocalRules,
    store: Store,
    computed: Arc<Computed>,
    calendars: Calendars,
    /// Holds expire by this clock.
    clock: Clock,
    /// When the first hold a kept computation counted expires (unix seconds): then every
    /// computation is dropped, so the slot is offered again at once.
    next_expiry: AtomicI64,
}

impl LocalProvider {
    /// `client` reads and writes the host's calendars; holds expire by `clock`.
    pub fn new(
        profile: ProfileConfig,
        rules: LocalRules,
        store: Store,
        client: reqwest::Client,
        clock: Clock,
    ) -> Self {
        let computed = Arc::new(Computed::new());
        let reader = Reader {
            client,
            zone: rules.time_zone,
            horizon_days: rules.horizon_days,
        };
        let stale = computed.clone();
        let calendars = Calendars::new(
            &rules.calendars,
            &reader,
            Arc::new(move || stale.invalidate()),
        );
        Self {
            profile,
            rules,
            store,
            computed,
            calendars,
            clock,
            next_expiry: AtomicI64::new(i64::MAX),
        }
    }

    /// The host's calendars.
    pub fn calendars(&self) -> &Calendars {
        &self.calendars
    }

    /// A booking or hold of this profile changed (here, or in another instance): computed
    /// slots are out of date.
    pub fn booking_changed(&self) {
        self.computed.invalidate();
    }

    /// Drops the computations once a hold they counted has expired.
    fn expire_holds(&self) {
        let now = self.clock.now().timestamp();
        if now >= self.next_expiry.load(Ordering::SeqCst) {
            self.next_expiry.store(i64::MAX, Ordering::SeqCst);
            self.computed.invalidate();
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

    /// The profile's durations, without building the whole profile.
    pub fn durations(&self) -> &[u32] {
        &self.rules.durations
    }

    /// The free slots in `[from, to)` and their JSON, from the cache when kept.
    pub async fn kept_slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Arc<Kept>, AppError> {
        self.expire_holds();
        let notice = TimeDelta::minutes(i64::from(self.rules.min_notice));
        // Checked on every request, so a source past its stale time fails the slots even
        // when they were computed before.
        let calendar = self.calendars.busy().await?;
        let compute = self.free_slots(from, to, duration, None, calendar);
        self.computed
            .get_or((from, to, duration), notice, compute)
            .await
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
    /// The slot a booking of `duration` minutes at `start` takes, if `start` is one of the
    /// profile's grid times (422 on `start` if not).
    fn slot(&self, start: DateTime<Utc>, duration: u32) -> Result<(Rules<'_>, Slot), AppError> {
        let rules = self.engine_rules(duration);
        let off_grid = || {
            let message = "This start time is not one of the profile's slot times.".to_owned();
            AppError::InvalidBooking(BTreeMap::from([("start".to_owned(), message)]))
        };
        let end = after(start, duration).ok_or_else(off_grid)?;
        if !slots::on_grid(&rules, start) {
            return Err(off_grid());
        }
        Ok((rules, Slot { start, end }))
    }

    /// Whether `slot` may be taken as of `now`, given the profile's active bookings near
    /// it (inside the transaction that takes it).
    fn free(
        rules: &Rules<'_>,
        slot: &Slot,
        now: DateTime<Utc>,
    ) -> Free<impl FnOnce(Vec<Slot>) -> bool + Send> {
        let bookable = slots::bookable(rules, now, slot);
        let (slot, buffer) = (slot.clone(), rules.buffer);
        Free {
            buffer,
            check: move |nearby| bookable && !Busy::new(nearby).conflicts(&slot, buffer),
        }
    }

    /// Free slots as for a new booking, but with booking `id`'s own time counted free: the
    /// times it may be moved to.
    pub async fn slots_except(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
        id: &str,
    ) -> Result<Vec<Slot>, AppError> {
        let calendar = self.calendars.busy().await?;
        self.free_slots(from, to, duration, Some(id), calendar)
            .await
    }

    /// Whether the host's calendars leave `slot` free (with the buffer).
    async fn calendar_free(&self, rules: &Rules<'_>, slot: &Slot) -> Result<bool, AppError> {
        if self.calendars.is_empty() {
            return Ok(true);
        }
        let busy = self.calendars.busy().await?;
        let busy = Busy::new(busy.iter().flat_map(|b| b.iter().cloned()).collect());
        Ok(!busy.conflicts(slot, rules.buffer))
    }

    async fn free_slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
        except: Option<&str>,
        calendar: Vec<Arc<Vec<Slot>>>,
    ) -> Result<Vec<Slot>, AppError> {
        let rules = self.engine_rules(duration);
        // Bookings and holds that can touch a slot starting in [from, to), buffers included.
        let (near_from, near_to) = (from - rules.buffer, to + rules.duration + rules.buffer);
        let mut busy = self
            .store
            .active_between(&self.profile.id, near_from, near_to, except)
            .await
            .map_err(AppError::internal)?;
        let held = self
            .store
            .holds_between(
                &self.profile.id,
                (near_from, near_to),
                self.clock.now(),
                None,
            )
            .await
            .map_err(AppError::internal)?;
        for hold in held {
            self.next_expiry
                .fetch_min(hold.expires_at.timestamp(), Ordering::SeqCst);
            busy.push(Slot {
                start: hold.start,
                end: hold.end,
            });
        }
        busy.extend(calendar.iter().flat_map(|b| b.iter().cloned()));
        Ok(slots::free_slots(
            &rules,
            (from, to),
            Utc::now(),
            &Busy::new(busy),
        ))
    }

    /// Books `request` in one transaction with its Idempotency-Key's answer, if it has one:
    /// the key's earlier answer is replayed, or the time is checked and taken, or the 409
    /// stored. `token_hash` is the new booking's manage token's; `messages` go to the
    /// outbox with the booking.
    pub async fn book_once(
        &self,
        request: &BookingRequest,
        ticket: Option<&Ticket>,
        token_hash: Option<String>,
        messages: &[NewMessage],
    ) -> Result<Reply<Booking>, AppError> {
        let (rules, slot) = self.slot(request.start, request.duration)?;
        if !self.calendar_free(&rules, &slot).await? {
            return Err(AppError::SlotUnavailable);
        }
        let now = Utc::now();
        let status = if self.rules.requires_confirmation {
            BookingStatus::Pending
        } else {
            BookingStatus::Confirmed
        };
        let booking = Booking {
            id: new_id(),
            status,
            start: slot.start,
            end: slot.end,
            time_zone: request.time_zone.clone(),
            title: fill_placeholders(&self.title(), request),
            location: self.rules.location.clone(),
        };
        let mut stored = StoredBooking::new(&self.profile.id, &booking, request, now);
        stored.token_hash = token_hash;
        // Without the token: the 201 carries it once, a replay never.
        let made = serde_json::to_string(&booking).map_err(AppError::internal)?;
        let taken = serde_json::to_string(&AppError::SlotUnavailable.envelope().1)
            .map_err(AppError::internal)?;
        let answers = ticket.map(|t| KeyedAnswers {
            key: &t.key,
            fingerprint: &t.fingerprint,
            done: (201, &made),
            taken: (409, &taken),
        });
        let holding = Holding {
            now: self.clock.now(),
            own: request.hold.as_deref(),
        };
        let inserted = self
            .store
            .insert_if_free(
                &stored,
                Self::free(&rules, &slot, now),
                answers,
                messages,
                holding,
            )
            .await
            .map_err(AppError::internal)?;
        match inserted {
            Insert::Done => {
                tracing::info!(booking = %stored.id, profile = %stored.profile, "booking created");
                Ok(Reply::Made(StatusCode::CREATED, booking))
            }
            Insert::Taken => Err(AppError::SlotUnavailable),
            Insert::Used(claim) => idempotency::used(claim),
        }
    }

    /// Moves `current` to `start` (`duration` minutes) in one transaction: the new time is
    /// checked against the profile's other bookings and taken, the old one freed, with
    /// `messages`.
    pub async fn reschedule_once(
        &self,
        current: &StoredBooking,
        start: DateTime<Utc>,
        duration: u32,
        answers: Option<KeyedAnswers<'_>>,
        messages: &[NewMessage],
    ) -> Result<Move, AppError> {
        let (rules, slot) = self.slot(start, duration)?;
        if !self.calendar_free(&rules, &slot).await? {
            return Ok(Move::Taken);
        }
        let now = Utc::now();
        let moved = self
            .store
            .reschedule_if_free(
                current,
                (slot.start, slot.end),
                Self::free(&rules, &slot, now),
                answers,
                messages,
                now,
            )
            .await
            .map_err(AppError::internal)?;
        if let Move::Done(row) = &moved {
            tracing::info!(booking = %row.id, profile = %row.profile, "booking rescheduled");
        }
        Ok(moved)
    }
}

impl LocalProvider {
    /// Places `hold` for `client` if its time is a free slot (bookings, buffers and other
    /// clients' holds counted as for a booking), replacing the client's earlier hold.
    pub async fn place_hold(&self, hold: &StoredHold, client: &str) -> Result<Placed, AppError> {
        let minutes = u32::try_from((hold.end - hold.start).num_minutes()).unwrap_or(0);
        let (rules, slot) = self.slot(hold.start, minutes)?;
        let bookable = slots::bookable(&rules, Utc::now(), &slot);
        let is_free = |near: crate::store::Nearby| {
            let mut busy = near.bookings;
            busy.extend(near.holds);
            bookable && !Busy::new(busy).conflicts(&slot, rules.buffer)
        };
        let placed = self
            .store
            .place_hold(hold, client, self.clock.now(), is_free)
            .await
            .map_err(AppError::internal)?;
        if let Placed::Done { .. } = placed {
            self.booking_changed();
        }
        Ok(placed)
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
            hold_minutes: 0,
        })
    }

    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        Ok(self.kept_slots(from, to, duration).await?.slots.clone())
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        match self.book_once(request, None, None, &[]).await? {
            Reply::Made(_, booking) => Ok(booking),
            Reply::Replay { .. } => Err(AppError::internal("a replay without a key")),
        }
    }

    /// The store's cancel is the whole of it (`lifecycle::cancel` makes it).
    async fn cancel(&self, _id: &str, _reason: Option<&str>) -> Result<(), AppError> {
        Ok(())
    }

    /// Moved in one store transaction by `lifecycle::reschedule`, not through the trait.
    fn changed_elsewhere(&self) {
        self.booking_changed();
    }

    fn reschedules(&self) -> bool {
        true
    }
}
