//! What the Vyte tests share: the case against the Vyte fake, its key and the create it got.

use super::remote::{Case, Remote};
use axum::http::Method;
use provider_fakes::vyte::Vyte;
use provider_fakes::Recorded;
use serde_json::json;

pub const KEY: &str = "vkjvi2bvfo54ssbybmcts0x42z1sbzm6t0mot8trh8i03reno0";

pub fn case() -> Case {
    Case {
        provider: "vyte",
        keys: "users = [\"5f3feb7821046c3bb9327e6a\"]\nduration = 30\ntitle = \"Intro call\"\nlocation = \"Google Meet\"",
        key: KEY,
        router: |key| Vyte::new(key).router(),
        fields: || json!({ "company": "Acme" }),
        cancels: Method::POST,
        moves: Some(Method::PUT),
    }
}

/// The one event create the proxy sent.
pub fn the_create(r: &Remote) -> Recorded {
    let posts = r.requests(Method::POST, "/v2/events");
    assert_eq!(posts.len(), 1, "one create");
    posts.into_iter().next().unwrap()
}
