//! The TOML file as written: every key optional here, checked in `config::load`.
//! `deny_unknown_fields` everywhere so a typo is an error, not a silently ignored key.
//! A profile serializes back to the keys it sets (`profile::keys_set`).

use std::collections::BTreeMap;

use booking_wire::{FieldKind, FieldValue};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub upstream: RawUpstream,
    #[serde(default)]
    pub profiles: BTreeMap<String, RawProfile>,
    #[serde(default)]
    pub webhooks: Vec<RawWebhook>,
    pub email: Option<RawEmail>,
    pub admin: Option<RawAdmin>,
}

/// `[admin]`: the admin API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAdmin {
    pub token_env: Option<String>,
    #[serde(default)]
    pub secret_envs: Vec<String>,
}

/// One `[[webhooks]]` endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
    pub url: Option<String>,
    pub secret_env: Option<String>,
    pub events: Option<Vec<String>>,
    pub profiles: Option<Vec<String>>,
}

/// `[email]`: how emails are sent, and from whom.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmail {
    pub smtp_url: Option<String>,
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub from: Option<String>,
}

/// A profile's `emails`: whether it sends notification emails (any provider), or Vyte's
/// hosts by address.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawEmails {
    Send(bool),
    Hosts(Vec<String>),
}

impl RawEmails {
    /// Vyte's hosts, if this is the list.
    pub fn hosts(&self) -> Vec<String> {
        match self {
            Self::Hosts(hosts) => hosts.clone(),
            Self::Send(_) => vec![],
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<String>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    pub database: Option<String>,
    pub assets_dir: Option<String>,
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    pub header_timeout_seconds: Option<u64>,
    pub max_connections: Option<usize>,
    pub shutdown_seconds: Option<u64>,
    pub public_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub bookings_per_minute: Option<u32>,
    pub body_bytes: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    pub timeout_ms: Option<u64>,
    pub budget_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Local,
    Calcom,
    Aurinko,
    Jicoo,
    Vyte,
}

/// Cal.com's event type ids are integers, Jicoo's are strings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawId {
    Int(i64),
    Str(String),
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    pub provider: ProviderKind,
    // Any provider: overrides and cache.
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<RawField>,
    pub cache_seconds: Option<u32>,
    // Any provider: what visitors may do after booking.
    pub cancel_notice: Option<u32>,
    pub reschedule_notice: Option<u32>,
    pub max_reschedules: Option<u32>,
    pub allow_cancel: Option<bool>,
    pub allow_reschedule: Option<bool>,
    // Any provider: how long a visitor may hold a slot while filling the form.
    pub hold_minutes: Option<u32>,
    // Any provider: notifications (`emails` is also Vyte's hosts by address).
    pub emails: Option<RawEmails>,
    pub notify: Option<Vec<String>>,
    pub reminders: Option<Vec<u32>>,
    // Local scheduling.
    pub time_zone: Option<String>,
    pub durations: Option<Vec<u32>>,
    pub slot_step: Option<u32>,
    pub buffer: Option<u32>,
    pub min_notice: Option<u32>,
    pub horizon_days: Option<u32>,
    pub location: Option<String>,
    pub requires_confirmation: Option<bool>,
    pub hours: Option<RawHours>,
    pub calendars: Option<Vec<RawCalendar>>,
    // Remote providers.
    pub api_key_env: Option<String>,
    pub base_url: Option<String>,
    pub event_type_id: Option<RawId>,
    pub profile_id: Option<i64>,
    pub users: Option<Vec<String>>,
    pub duration: Option<u32>,
}

/// One `[[profiles.ID.calendars]]` entry: a feed or a CalDAV collection.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub ics_url: Option<String>,
    pub caldav_url: Option<String>,
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub write: Option<bool>,
    pub cache_seconds: Option<u32>,
    pub stale_seconds: Option<u32>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawHours {
    pub mon: Option<Vec<String>>,
    pub tue: Option<Vec<String>>,
    pub wed: Option<Vec<String>>,
    pub thu: Option<Vec<String>>,
    pub fri: Option<Vec<String>>,
    pub sat: Option<Vec<String>>,
    pub sun: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub name: String,
    pub label: Option<String>,
    pub kind: FieldKind,
    pub required: Option<bool>,
    pub default: Option<FieldValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}
