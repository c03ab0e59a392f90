//! What the Jicoo tests share: the case against the Jicoo fake, its key and checks.

use super::remote::Case;
use axum::http::Method;
use chrono::{DateTime, TimeDelta, Utc};
use provider_fakes::jicoo::Jicoo;
use provider_fakes::schedule::Schedule;
use provider_fakes::Recorded;
use serde_json::json;

pub const KEY: &str = "sk_live_0123456789abcdef0123456789abcdef";

pub const SLOTS_PATH: &str = "/v1/event_types/mzgdPJVBb7RE/available_schedules";

pub fn case() -> Case {
    Case {
        provider: "jicoo",
        keys: "event_type_id = \"mzgdPJVBb7RE\"\ntime_zone = \"Asia/Tokyo\"",
        key: KEY,
        router: |key| Jicoo::new(key).router(),
        fields: || json!({ "q_company": "Acme", "q_size": "11-50", "q_consent": true }),
        cancels: Method::POST,
        moves: Some(Method::POST),
    }
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("an RFC 3339 instant")
        .with_timezone(&Utc)
}

/// The key header and nothing else carrying it.
pub fn assert_jicoo_auth(q: &Recorded) {
    assert_eq!(q.header("x-jicoo-api-key"), Some(KEY));
    assert_eq!(q.header("authorization"), None);
}

/// The fake's free slots in `[from, to)`, leaving out the next minutes on both sides so
/// the clock moving on during the test changes nothing.
pub fn expected(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let soon = Utc::now() + TimeDelta::minutes(5);
    Schedule::new(chrono_tz::Asia::Tokyo)
        .free(from, to, 30, &[])
        .into_iter()
        .filter(|s| *s > soon)
        .collect()
}
