//! What happens to a booking, whatever the provider: made at most once per
//! Idempotency-Key, then found, cancelled and moved through its manage token under the
//! profile's policy.
//!
//! A local booking, its key's answer and its time check are one transaction. A remote one
//! claims the key first, calls the provider, then keeps the proxy's row and the key's
//! answer in one transaction (a failure a retry may cure releases the key instead).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use booking_wire::{
    validate, BookingRequest, CancelRequest, Created, ManagedBooking, Profile, RescheduleRequest,
};
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::AppError;
use crate::idempotency::{self, Reply, Ticket};
use crate::notify::{ics, Event, NewMessage};
use crate::policy::Facts;
use crate::providers::Provider;
use crate::state::AppState;
use crate::store::{Claim, KeyedAnswers, Move, StoredBooking};
use crate::token;

pub mod holds;
mod remote;

use remote::{remote_book, remote_reschedule};

/// Books `request` at `profile`'s provider.
pub async fn book(
    state: &AppState,
    profile: &str,
    request: &BookingRequest,
    ticket: Option<Ticket>,
) -> Result<Reply<Created>, AppError> {
    let provider = state.provider(profile).await?;
    // A replay answers as it did, even if the profile has changed since.
    if let Some(replay) = earlier(state, profile, ticket.as_ref()).await? {
        return Ok(replay);
    }
    check(&provider.profile().await?, request)?;
    let (token, hash) = token::issue();
    let Some(local) = state.local(profile).await? else {
        if holds::held_by_others(state, profile, request).await? {
            return Err(AppError::SlotUnavailable);
        }
        let reservation = holds::reservation(state, profile, request).await?;
        let made = remote_book(
            state,
            (profile, provider.as_ref()),
            (request, reservation.as_deref()),
            ticket,
            (token, hash),
        )
        .await?;
        if let Reply::Made(..) = made {
            let used = reservation.as_deref();
            holds::used_up(state, provider.as_ref(), profile, request, used).await;
        }
        return Ok(made);
    };
    let messages = state
        .messages(profile, Event::Created, Some(&token))
        .await?;
    let made = local
        .book_once(request, ticket.as_ref(), Some(hash), &messages)
        .await?;
    Ok(match made {
        Reply::Made(status, booking) => {
            state.booking_changed(profile);
            let manage_token = Some(token);
            Reply::Made(
                status,
                Created {
                    booking,
                    manage_token,
                },
            )
        }
        Reply::Replay { status, body } => Reply::Replay { status, body },
    })
}

/// The booking behind a manage token, with what may still be done with it.
pub async fn manage(state: &AppState, token: &str) -> Result<ManagedBooking, AppError> {
    let row = find(state, token).await?;
    managed(state, &row, Utc::now()).await
}

/// The booking behind `token` as a calendar file, as it stands now (moved, confirmed or
/// cancelled): the same event, by `UID`, as the invitations the visitor is emailed.
pub async fn calendar_file(state: &AppState, token: &str) -> Result<String, AppError> {
    let row = find(state, token).await?;
    let booking = row.booking();
    let domain = ics::domain(state.config().server.public_url.as_deref());
    let uid = ics::uid(&row.id, &row.profile, &domain);
    let link = state.notifier().link(&row.profile, token);
    let description = match &link {
        Some(link) => format!("{}\n{link}", booking.title),
        None => booking.title.clone(),
    };
    Ok(ics::download(&ics::Event {
        uid: &uid,
        sequence: row.sequence,
        status: ics::status(booking.status),
        start: booking.start,
        end: booking.end,
        stamp: Utc::now(),
        summary: &booking.title,
        location: booking.location.as_deref(),
        description: &description,
        url: link.as_deref(),
    }))
}

/// Cancels the booking behind `token`, at its provider and here. Cancelling a cancelled
/// booking again answers as the first time did.
pub async fn cancel(
    state: &AppState,
    token: &str,
    request: &CancelRequest,
) -> Result<ManagedBooking, AppError> {
    let row = find(state, token).await?;
    let reason = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(reason) = reason {
        validate::check_lines(reason, false, validate::MAX_TEXT)
            .map_err(|e| invalid("reason", e.to_string()))?;
    }
    let now = Utc::now();
    if !row.is_cancelled() {
        let decision = decide(state, &row, now).await?;
        if !decision.can_cancel {
            return Err(AppError::NotAllowed(decision.reason.unwrap_or_default()));
        }
    }
    let row = cancel_row(state, row, reason, Some(token)).await?;
    managed(state, &row, now).await
}

/// Cancels `row` at its provider and marks it cancelled: the visitor's cancel (after the
/// policy allowed it, with their manage `token`) and the operator's (whatever the policy
/// says).
pub async fn cancel_row(
    state: &AppState,
    row: StoredBooking,
    reason: Option<&str>,
    token: Option<&str>,
) -> Result<StoredBooking, AppError> {
    if row.is_cancelled() {
        return Ok(row);
    }
    match state
        .provider(&row.profile)
        .await?
        .cancel(&row.provider_ref, reason)
        .await
    {
        // Gone at the provider already (the host cancelled it there): cancelled here too.
        Ok(()) | Err(AppError::NotFound) => {}
        Err(e) => return Err(e),
    }
    let messages = state
        .messages(&row.profile, Event::Cancelled, token)
        .await?;
    let cancelled = state
        .store()
        .cancel(&row.profile, &row.id, reason, Utc::now(), &messages)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::BookingNotFound)?;
    state.booking_changed(&cancelled.profile);
    tracing::info!(booking = %cancelled.id, profile = %cancelled.profile, "booking cancelled");
    Ok(cancelled)
}

/// Accepts a local booking that was waiting for the host.
pub async fn confirm(state: &AppState, row: StoredBooking) -> Result<StoredBooking, AppError> {
    let messages = state.messages(&row.profile, Event::Confirmed, None).await?;
    let confirmed = state
        .store()
        .confirm(&row.profile, &row.id, Utc::now(), &messages)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::BookingNotFound)?;
    state.booking_changed(&confirmed.profile);
    tracing::info!(booking = %confirmed.id, profile = %confirmed.profile, "booking confirmed");
    Ok(confirmed)
}

/// Moves the booking behind `token` to a new start, at most once per Idempotency-Key.
pub async fn reschedule(
    state: &AppState,
    token: &str,
    request: &RescheduleRequest,
    key: Option<String>,
) -> Result<Reply<ManagedBooking>, AppError> {
    let row = find(state, token).await?;
    // The key is the visitor's for this booking: another booking's same body is another
    // request.
    let ticket = key.map(|key| Ticket {
        key,
        fingerprint: idempotency::fingerprint(&(&row.id, request)),
    });
    if let Some(replay) = earlier(state, &row.profile, ticket.as_ref()).await? {
        return Ok(replay);
    }
    let provider = state.provider(&row.profile).await?;
    let duration = match request.duration {
        Some(minutes) => minutes,
        None => u32::try_from((row.end - row.start).num_minutes()).unwrap_or(0),
    };
    let as_booking = BookingRequest {
        start: request.start,
        duration,
        time_zone: request.time_zone.clone(),
        name: row.name.clone(),
        email: row.email.clone(),
        fields: Default::default(),
        guests: vec![],
        notes: String::new(),
        locale: row.locale.clone(),
        hold: None,
    };
    check_time(&provider.profile().await?, &as_booking)?;
    let now = Utc::now();
    let decision = decide(state, &row, now).await?;
    if !decision.can_reschedule {
        return Err(AppError::NotAllowed(decision.reason.unwrap_or_default()));
    }
    let moved = match state.local(&row.profile).await? {
        Some(local) => {
            // The answer a replay gets is written with the move: made ahead from the row
            // as the move leaves it.
            let end = request
                .start
                .checked_add_signed(chrono::TimeDelta::minutes(i64::from(duration)))
                .ok_or_else(|| invalid("start", "Choose one of the times offered.".into()))?;
            let after = StoredBooking {
                start: request.start,
                end,
                reschedules: row.reschedules + 1,
                sequence: row.sequence + 1,
                ..row.clone()
            };
            let done = json(&managed(state, &after, now).await?)?;
            let taken = json(&AppError::SlotUnavailable.envelope().1)?;
            let answers = ticket.as_ref().map(|t| KeyedAnswers {
                key: &t.key,
                fingerprint: &t.fingerprint,
                done: (200, &done),
                taken: (409, &taken),
            });
            let messages = state
                .messages(&row.profile, Event::Rescheduled, Some(token))
                .await?;
            local
                .reschedule_once(&row, request.start, duration, answers, &messages)
                .await?
        }
        None => {
            // A time another visitor holds is not free for a move either.
            if holds::held_by_others(state, &row.profile, &as_booking).await? {
                return Err(AppError::SlotUnavailable);
            }
            let moving = (provider.as_ref(), &row);
            let messages = state
                .messages(&row.profile, Event::Rescheduled, Some(token))
                .await?;
            return remote_reschedule(state, moving, &as_booking, ticket, &messages, now).await;
        }
    };
    match moved {
        Move::Done(row) => {
            state.booking_changed(&row.profile);
            Ok(Reply::Made(
                StatusCode::OK,
                managed(state, &row, now).await?,
            ))
        }
        Move::Taken => Err(AppError::SlotUnavailable),
        Move::Used(claim) => idempotency::used(claim),
        Move::Changed => {
            // Cancelled or moved by another request meanwhile: say what it is now.
            let now_row = find(state, token).await?;
            let reason = decide(state, &now_row, now).await?.reason;
            Err(AppError::NotAllowed(reason.unwrap_or_else(|| {
                "This booking was changed meanwhile. Please look at it again.".into()
            })))
        }
    }
}

/// The stored answer to an earlier request with this key, if there is one to replay.
async fn earlier<T>(
    state: &AppState,
    profile: &str,
    ticket: Option<&Ticket>,
) -> Result<Option<Reply<T>>, AppError> {
    let Some(t) = ticket else { return Ok(None) };
    let used = state
        .store()
        .key_used(profile, &t.key, &t.fingerprint, Utc::now())
        .await
        .map_err(AppError::internal)?;
    used.map(idempotency::used).transpose()
}

/// The row behind a manage token; unknown and malformed tokens alike are not found.
pub async fn row(state: &AppState, token: &str) -> Result<StoredBooking, AppError> {
    find(state, token).await
}

async fn find(state: &AppState, token: &str) -> Result<StoredBooking, AppError> {
    let hash = token::hash(token).ok_or(AppError::BookingNotFound)?;
    let row = state
        .store()
        .by_token(&hash)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::BookingNotFound)?;
    match row.token_hash.as_deref() {
        Some(stored) if token::matches(stored, &hash) => Ok(row),
        _ => Err(AppError::BookingNotFound),
    }
}

async fn decide(
    state: &AppState,
    row: &StoredBooking,
    now: DateTime<Utc>,
) -> Result<crate::policy::Decision, AppError> {
    let facts = Facts {
        start: row.start,
        cancelled: row.is_cancelled(),
        reschedules: row.reschedules,
        provider_reschedules: state.provider(&row.profile).await?.reschedules(),
    };
    Ok(state.policy(&row.profile).await?.decide(&facts, now))
}

async fn managed(
    state: &AppState,
    row: &StoredBooking,
    now: DateTime<Utc>,
) -> Result<ManagedBooking, AppError> {
    let decision = decide(state, row, now).await?;
    Ok(ManagedBooking {
        booking: row.booking(),
        profile: row.profile.clone(),
        can_cancel: decision.can_cancel,
        can_reschedule: decision.can_reschedule,
        policy: decision.reason,
    })
}

fn json(value: &impl Serialize) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(AppError::internal)
}

fn invalid(field: &str, message: String) -> AppError {
    AppError::InvalidBooking(BTreeMap::from([(field.to_owned(), message)]))
}

/// The form rules shared with the widget, plus duration, zone and start.
fn check(profile: &Profile, request: &BookingRequest) -> Result<(), AppError> {
    let mut errors: BTreeMap<String, String> = validate::validate_booking(&profile.fields, request)
        .into_iter()
        .map(|(field, error)| (field, error.to_string()))
        .collect();
    time_errors(profile, request, &mut errors);
    match errors.is_empty() {
        true => Ok(()),
        false => Err(AppError::InvalidBooking(errors)),
    }
}

/// Duration, zone and start only (a reschedule keeps the answers).
fn check_time(profile: &Profile, request: &BookingRequest) -> Result<(), AppError> {
    let mut errors = BTreeMap::new();
    time_errors(profile, request, &mut errors);
    match errors.is_empty() {
        true => Ok(()),
        false => Err(AppError::InvalidBooking(errors)),
    }
}

/// A duration the profile offers, an IANA zone, and a start that is a time at all (years
/// 1 to 9999, as the slots query's days).
fn time_errors(profile: &Profile, request: &BookingRequest, errors: &mut BTreeMap<String, String>) {
    if !profile.durations.contains(&request.duration) {
        errors.insert(
            "duration".into(),
            format!("Choose one of {:?} minutes.", profile.durations),
        );
    }
    if request.time_zone.parse::<Tz>().is_err() {
        errors.insert(
            "time_zone".into(),
            "Use an IANA time zone such as Europe/Paris.".into(),
        );
    }
    if !(1..=9999).contains(&request.start.year()) {
        errors.insert("start".into(), "Choose one of the times offered.".into());
    }
}
