//! Scheduling providers: one trait, one file per provider. Routes only see the trait; the
//! shared checks (form validation, idempotency, rate limits) happen before it is called.
//! Remote providers share `upstream` (how to call them) and sit behind `cache`.

mod aurinko;
mod cache;
mod calcom;
mod computed;
mod jicoo;
mod local;
pub mod upstream;
mod vyte;

use std::sync::Arc;

use async_trait::async_trait;
use booking_wire::{template, Booking, BookingRequest, FieldValue, Profile, Slot};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

pub use local::LocalProvider;

use crate::config::{ProfileConfig, Remote, RemoteKind, UpstreamSettings};
use crate::error::AppError;

#[async_trait]
pub trait Provider: Send + Sync {
    /// The profile as the widget sees it: title, description, durations and fields.
    async fn profile(&self) -> Result<Profile, AppError>;

    /// Free slots of `duration` minutes starting in `[from, to)`, sorted.
    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError>;

    /// Books a slot. The request's form data has been validated against `profile()`;
    /// the provider checks the time (grid → 422, taken or not offered → 409).
    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError>;

    /// Cancels a booking made through this provider, freeing its time.
    async fn cancel(&self, id: &str) -> Result<(), AppError>;
}

/// What an adapter gets to build itself from.
pub struct Setup<'a> {
    pub profile: &'a ProfileConfig,
    pub remote: &'a Remote,
    pub client: reqwest::Client,
    pub settings: &'a UpstreamSettings,
}

impl Setup<'_> {
    /// The provider's API with the profile's key in `header`, after `prefix` (e.g.
    /// `"Bearer "`). A key a header cannot hold is an error that names its variable only.
    pub fn upstream(
        &self,
        provider: &'static str,
        header: &'static str,
        prefix: &str,
    ) -> Result<upstream::Upstream, String> {
        let key = upstream::secret(&format!("{prefix}{}", self.remote.api_key))
            .map_err(|e| format!("the key in {} {e}", self.remote.api_key_env))?;
        Ok(upstream::Upstream::new(upstream::Account {
            client: self.client.clone(),
            settings: self.settings,
            base_url: &self.remote.base_url,
            auth: vec![(reqwest::header::HeaderName::from_static(header), key)],
            profile: &self.profile.id,
            provider,
            key_env: &self.remote.api_key_env,
        }))
    }
}

/// A remote profile's provider, cached. A key that cannot be sent in a header is a
/// start-up error (the message never contains the key).
pub fn remote(
    profile: &ProfileConfig,
    remote: &Remote,
    client: &reqwest::Client,
    settings: &UpstreamSettings,
) -> Result<Arc<dyn Provider>, String> {
    let setup = Setup {
        profile,
        remote,
        client: client.clone(),
        settings,
    };
    let adapter: Arc<dyn Provider> = match &remote.kind {
        RemoteKind::Calcom { .. } => Arc::new(calcom::Calcom::new(setup)?),
        RemoteKind::Aurinko { .. } => Arc::new(aurinko::Aurinko::new(setup)?),
        RemoteKind::Jicoo { .. } => Arc::new(jicoo::Jicoo::new(setup)?),
        RemoteKind::Vyte { .. } => Arc::new(vyte::Vyte::new(setup)?),
    };
    let overlaid = Arc::new(Overlay {
        inner: adapter,
        config: profile.clone(),
    });
    Ok(Arc::new(cache::Cached::new(
        overlaid,
        profile.cache_seconds,
    )))
}

/// The config's `title`, `description` and `fields` over what the provider reports.
struct Overlay {
    inner: Arc<dyn Provider>,
    config: ProfileConfig,
}

#[async_trait]
impl Provider for Overlay {
    async fn profile(&self) -> Result<Profile, AppError> {
        let mut profile = printable(self.inner.profile().await?);
        profile.id = self.config.id.clone();
        if let Some(title) = &self.config.title {
            profile.title = title.clone();
        }
        if let Some(description) = &self.config.description {
            profile.description = description.clone();
        }
        for field in &self.config.fields {
            match profile.fields.iter_mut().find(|f| f.name == field.name) {
                Some(existing) => *existing = field.clone(),
                None => profile.fields.push(field.clone()),
            }
        }
        Ok(profile)
    }

    async fn slots(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        duration: u32,
    ) -> Result<Vec<Slot>, AppError> {
        self.inner.slots(from, to, duration).await
    }

    async fn book(&self, request: &BookingRequest) -> Result<Booking, AppError> {
        self.inner.book(request).await
    }

    async fn cancel(&self, id: &str) -> Result<(), AppError> {
        self.inner.cancel(id).await
    }
}

/// What a provider says, without the control characters the config file may not hold
/// either (they could forge rows or colours where the text is printed).
fn printable(mut profile: Profile) -> Profile {
    let line = |text: &mut String| text.retain(|c| !c.is_control());
    line(&mut profile.title);
    profile.description.retain(|c| !c.is_control() || c == '\n');
    if let Some(location) = &mut profile.location {
        line(location);
    }
    for field in &mut profile.fields {
        line(&mut field.label);
        field.options.iter_mut().for_each(line);
    }
    profile
}

/// `{{name}}` placeholders filled from the booking's text answers; others left as they are.
pub fn fill_placeholders(text: &str, request: &BookingRequest) -> String {
    template::replace(text, |name| match request.fields.get(name) {
        Some(FieldValue::Text(answer)) => Some(answer.clone()),
        _ => None,
    })
}

/// An answer as JSON of its own type (Cal.com).
pub fn answer_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Bool(b) => json!(b),
        FieldValue::Number(n) => json!(n),
        FieldValue::Text(t) => json!(t),
        FieldValue::List(items) => json!(items),
    }
}

/// An answer as one line of text (Aurinko's substitutions, Vyte's message).
pub fn answer_text(value: &FieldValue) -> String {
    match value {
        FieldValue::Bool(true) => "yes".into(),
        FieldValue::Bool(false) => "no".into(),
        FieldValue::Number(n) => n.to_string(),
        FieldValue::Text(t) => t.clone(),
        FieldValue::List(items) => items.join(", "),
    }
}

/// A correlation id sent with a create, so a timed-out create can be looked up.
pub fn request_id() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    format!(
        "req_{}",
        Alphanumeric.sample_string(&mut rand::thread_rng(), 20)
    )
}

/// Looks a timed-out create up a few times, since the provider may still be making it:
/// at once, then after 0.5 s and 1 s, within `LOOK_UP_WITHIN` in all.
pub async fn look_up_a_while<T, F, Fut>(mut look: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let tries = async {
        for attempt in 0..3u64 {
            if attempt > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(500 * attempt)).await;
            }
            if let Some(found) = look().await {
                return Some(found);
            }
        }
        None
    };
    tokio::time::timeout(LOOK_UP_WITHIN, tries)
        .await
        .ok()
        .flatten()
}

/// The most a look-up after a timed-out create may add to a booking request.
pub const LOOK_UP_WITHIN: std::time::Duration = std::time::Duration::from_secs(6);

/// Instants as every provider here accepts them: RFC 3339 in UTC, `Z`.
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
