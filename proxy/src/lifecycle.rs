//! What happens to a booking, whatever the provider. A booking POST is made at most once
//! per Idempotency-Key: a local booking, its key's answer and its time check are one
//! transaction; a remote booking claims the key first, calls the provider, then stores the
//! answer (a failure a retry may cure releases the key instead).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use booking_wire::{validate, BookingRequest, Profile};
use chrono::{Datelike, Utc};
use chrono_tz::Tz;

use crate::error::AppError;
use crate::idempotency::{self, Reply, Ticket};
use crate::providers::Provider;
use crate::state::AppState;
use crate::store::{Claim, Store};

/// Books `request` at `profile`'s provider.
pub async fn book(
    state: &AppState,
    profile: &str,
    request: &BookingRequest,
    ticket: Option<Ticket>,
) -> Result<Reply, AppError> {
    let store = state.store();
    let provider = state.provider(profile)?;
    // A replay answers as it did, even if the profile has changed since.
    if let Some(t) = &ticket {
        let used = store
            .key_used(profile, &t.key, &t.fingerprint, Utc::now())
            .await
            .map_err(AppError::internal)?;
        if let Some(claim) = used {
            return idempotency::used(claim);
        }
    }
    check(&provider.profile().await?, request)?;
    match state.local(profile) {
        Some(local) => local.book_once(request, ticket.as_ref()).await,
        None => remote_once(store, profile, provider.as_ref(), request, ticket).await,
    }
}

async fn remote_once(
    store: &Store,
    profile: &str,
    provider: &dyn Provider,
    request: &BookingRequest,
    ticket: Option<Ticket>,
) -> Result<Reply, AppError> {
    let Some(t) = ticket else {
        return provider.book(request).await.map(Reply::Booked);
    };
    let claim = store
        .claim(profile, &t.key, &t.fingerprint, Utc::now())
        .await
        .map_err(AppError::internal)?;
    if claim != Claim::New {
        return idempotency::used(claim);
    }
    let result = provider.book(request).await;
    let (status, body) = match &result {
        Ok(booking) => (StatusCode::CREATED, serde_json::to_string(booking)),
        // Failures a retry may cure (5xx, and an upstream's 429) leave the key free.
        Err(error) if error.is_retryable() => {
            if let Err(e) = store.release(profile, &t.key).await {
                tracing::error!(error = %e, "could not release an idempotency key");
            }
            return result.map(Reply::Booked);
        }
        Err(error) => {
            let (status, envelope) = error.envelope();
            (status, serde_json::to_string(&envelope))
        }
    };
    let body = body.map_err(AppError::internal)?;
    if let Err(e) = store
        .complete(profile, &t.key, status.as_u16(), &body)
        .await
    {
        tracing::error!(error = %e, "could not store an idempotent answer");
    }
    result.map(Reply::Booked)
}

/// The form rules shared with the widget, plus duration, zone and a start that is a time
/// at all (years 1 to 9999, as the slots query's days).
fn check(profile: &Profile, request: &BookingRequest) -> Result<(), AppError> {
    let mut errors: BTreeMap<String, String> = validate::validate_booking(&profile.fields, request)
        .into_iter()
        .map(|(field, error)| (field, error.to_string()))
        .collect();
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
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::InvalidBooking(errors))
    }
}
