//! What the Aurinko tests share: the case against the Aurinko fake, its key and spec.

use super::remote::Case;
use super::spec::Spec;
use axum::http::Method;
use provider_fakes::aurinko::Aurinko;
use provider_fakes::Recorded;
use serde_json::json;

pub const KEY: &str = "aur_acct_tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0";

pub const MEETING: &str = "/v1/book/account/profiles/1234/meeting";

pub fn case() -> Case {
    Case {
        provider: "aurinko",
        keys: "profile_id = 1234",
        key: KEY,
        router: |key| Aurinko::new(key).router(),
        fields: || json!({ "topic": "Pricing" }),
        cancels: Method::DELETE,
        moves: None,
    }
}

pub fn spec() -> Spec {
    Spec::load("aurinko-openapi.yaml")
}

pub fn bearer(request: &Recorded) {
    let expected = format!("Bearer {KEY}");
    assert_eq!(request.header("authorization"), Some(expected.as_str()));
    // The key travels in that one header only.
    for (name, value) in &request.headers {
        let text = String::from_utf8_lossy(value.as_bytes());
        assert!(name == "authorization" || !text.contains(KEY), "{name}");
    }
}
