//! What the Cal.com tests share: the case against the Cal.com fake, its key and spec.

use super::remote::Case;
use super::spec::Spec;
use axum::http::Method;
use provider_fakes::calcom::Calcom;
use serde_json::json;

pub const KEY: &str = "cal_live_0123456789abcdef0123456789abcdef";

pub fn case() -> Case {
    Case {
        provider: "calcom",
        keys: "event_type_id = 1234\ntime_zone = \"Europe/Rome\"",
        key: KEY,
        router: |key| Calcom::new(key).router(),
        fields: || json!({ "company-size": "11-50", "role": "CTO" }),
        cancels: Method::POST,
        moves: Some(Method::POST),
    }
}

pub fn spec() -> Spec {
    Spec::load("calcom-v2-openapi.json")
}
