//! A remote provider's booking and move: the key claimed first, the provider called, then
//! the proxy's row and the key's answer kept in one transaction.

use super::*;

/// Books `request` at `provider`, with the provider's `reservation` of its time if there
/// is one.
pub(super) async fn remote_book(
    state: &AppState,
    (profile, provider): (&str, &dyn Provider),
    (request, reservation): (&BookingRequest, Option<&str>),
    ticket: Option<Ticket>,
    (token, token_hash): (String, String),
) -> Result<Reply<Created>, AppError> {
    let store = state.store();
    if let Some(t) = &ticket {
        let claim = store
            .claim(profile, &t.key, &t.fingerprint, Utc::now())
            .await
            .map_err(AppError::internal)?;
        if claim != Claim::New {
            return idempotency::used(claim);
        }
    }
    let result = match reservation {
        Some(reference) => provider.book_held(request, reference).await,
        None => provider.book(request).await,
    };
    let booking = match result {
        Ok(booking) => booking,
        Err(error) => {
            if let Some(t) = &ticket {
                settle_failure(state, profile, t, &error).await;
            }
            return Err(error);
        }
    };
    let mut row = StoredBooking::new(profile, &booking, request, Utc::now());
    row.token_hash = Some(token_hash);
    let made = json(&booking)?;
    let answers = ticket.as_ref().map(|t| KeyedAnswers {
        key: &t.key,
        fingerprint: &t.fingerprint,
        done: (201, &made),
        taken: (201, &made),
    });
    let messages = state
        .messages(profile, Event::Created, Some(&token))
        .await?;
    let manage_token = match store.record(&row, answers, &messages).await {
        Ok(()) => Some(token),
        Err(e) => {
            // The provider has the booking: the visitor gets it, without a manage link.
            tracing::error!(error = %e, booking = %booking.id, "could not keep a remote booking's row");
            None
        }
    };
    tracing::info!(booking = %booking.id, profile, "booking created");
    Ok(Reply::Made(
        StatusCode::CREATED,
        Created {
            booking,
            manage_token,
        },
    ))
}

/// Moves a remote booking through its provider's own call, then records the move (the
/// provider's id may be new; the proxy's id and the token stay) with the key's answer and
/// `messages`.
pub(super) async fn remote_reschedule(
    state: &AppState,
    (provider, row): (&dyn Provider, &StoredBooking),
    request: &BookingRequest,
    ticket: Option<Ticket>,
    messages: &[NewMessage],
    now: DateTime<Utc>,
) -> Result<Reply<ManagedBooking>, AppError> {
    // Remote providers move a booking at its own length.
    if i64::from(request.duration) != (row.end - row.start).num_minutes() {
        let message = "A booking keeps its length when moved.".into();
        return Err(invalid("duration", message));
    }
    let store = state.store();
    if let Some(t) = &ticket {
        let claim = store
            .claim(&row.profile, &t.key, &t.fingerprint, now)
            .await
            .map_err(AppError::internal)?;
        if claim != Claim::New {
            return idempotency::used(claim);
        }
    }
    let moved = match provider.reschedule(&row.provider_ref, request).await {
        Ok(moved) => moved,
        Err(error) => {
            if let Some(t) = &ticket {
                settle_failure(state, &row.profile, t, &error).await;
            }
            return Err(error);
        }
    };
    let after = StoredBooking {
        provider_ref: moved.id.clone(),
        start: moved.start,
        end: moved.end,
        reschedules: row.reschedules + 1,
        sequence: row.sequence + 1,
        ..row.clone()
    };
    let done = json(&managed(state, &after, now).await?)?;
    let answers = ticket.as_ref().map(|t| KeyedAnswers {
        key: &t.key,
        fingerprint: &t.fingerprint,
        done: (200, &done),
        taken: (200, &done),
    });
    let span = (moved.start, moved.end);
    let kept = store
        .moved(row, &moved.id, span, answers, messages, now)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::BookingNotFound)?;
    state.booking_changed(&row.profile);
    tracing::info!(booking = %row.id, profile = %row.profile, "booking moved");
    Ok(Reply::Made(
        StatusCode::OK,
        managed(state, &kept, now).await?,
    ))
}

/// A failed remote request's key: released when a retry may cure it (5xx, an upstream's
/// 429), else answered with the error for replays.
pub(super) async fn settle_failure(state: &AppState, profile: &str, t: &Ticket, error: &AppError) {
    let store = state.store();
    let outcome = if error.is_retryable() {
        store.release(profile, &t.key).await
    } else {
        let (status, envelope) = error.envelope();
        match serde_json::to_string(&envelope) {
            Ok(body) => {
                store
                    .complete(profile, &t.key, status.as_u16(), &body)
                    .await
            }
            Err(_) => store.release(profile, &t.key).await,
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "could not settle an idempotency key");
    }
}
