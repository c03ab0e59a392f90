//! Write-back: a booking's change delivered to the host's CalDAV calendar, the event PUT
//! as the change left the booking (made, moved, confirmed) or deleted (cancelled). A
//! failed write is retried by the worker; the booking stands whatever the calendar says.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::worker::Outcome;
use super::Event;
use crate::calendars::caldav::{self, BookingEvent, Login};
use crate::config::{CalendarKind, ProfileConfig, Source};
use crate::store::OutboxRow;

/// The booking in an outbox row's body.
#[derive(Deserialize)]
struct Data {
    id: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
struct Body {
    data: Data,
}

pub async fn write(
    client: &reqwest::Client,
    profile: Option<&ProfileConfig>,
    row: &OutboxRow,
) -> Outcome {
    let calendar = profile
        .and_then(|p| match &p.source {
            Source::Local(rules) => Some(&rules.calendars),
            Source::Remote(_) => None,
        })
        .and_then(|calendars| {
            calendars
                .iter()
                .find(|c| c.writes() && c.url().as_str() == row.destination)
        });
    let Some(CalendarKind::Caldav {
        url,
        username,
        password,
        ..
    }) = calendar.map(|c| &c.kind)
    else {
        return Outcome::Failed("the profile writes to this calendar no more".into());
    };
    let body: Body = match serde_json::from_str(&row.payload) {
        Ok(body) => body,
        Err(e) => return Outcome::Failed(format!("its body: {e}")),
    };
    let login = Login {
        username: username.as_deref(),
        password: password.as_deref(),
    };
    let data = &body.data;
    let result = if row.event == Event::Cancelled {
        caldav::delete(client, url, &login, &data.id).await
    } else {
        let event = BookingEvent {
            id: &data.id,
            start: data.start,
            end: data.end,
            summary: &data.title,
            tentative: data.status == "pending",
        };
        caldav::put(client, url, &login, &event).await
    };
    match result {
        Ok(()) => Outcome::Sent,
        Err(reason) => Outcome::Retry(reason, None),
    }
}
