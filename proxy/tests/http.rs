//! The skeleton's HTTP API surface over a real loopback listener: health, profiles, errors
//! in the envelope, CORS and time limits.

mod common;

use booking_wire::{ErrorCode, ErrorEnvelope, FieldKind, Profile};
use common::{intro_config, spawn};

#[tokio::test]
async fn healthz_answers_ok() {
    let server = spawn(&intro_config("")).await;
    let response = server.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn profile_turns_variables_into_required_text_fields_listed_first() {
    let extra = r#"
[[profiles.intro.fields]]
name = "company"
kind = "text"

[[profiles.intro.fields]]
name = "budget"
kind = "number"
required = true
"#;
    let server = spawn(&intro_config(extra)).await;
    let response = server.get("/api/v1/profiles/intro").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let profile: Profile = response.json().await.unwrap();
    assert_eq!(profile.id, "intro");
    assert_eq!(profile.title, "Intro call");
    assert_eq!(profile.description, "A call about {{topic}}.");
    assert_eq!(profile.time_zone, "America/New_York");
    assert_eq!(profile.durations, vec![30, 60]);
    let names: Vec<_> = profile
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    // What the form must ask first, then what it may; each in the profile's order.
    assert_eq!(
        names,
        vec![("budget", true), ("topic", true), ("company", false)]
    );
    let topic = &profile.fields[1];
    assert_eq!(
        (topic.kind, topic.label.as_str()),
        (FieldKind::Text, "Topic")
    );
}

#[tokio::test]
async fn unknown_profile_is_404_profile_not_found() {
    let server = spawn(&intro_config("")).await;
    let response = server.get("/api/v1/profiles/nope").await;
    assert_eq!(response.status(), 404);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::ProfileNotFound);
    assert!(body.error.message.contains("nope"));
    assert!(body.error.fields.is_none());
}

#[tokio::test]
async fn a_wrong_method_or_an_undecodable_path_is_enveloped_too() {
    let server = spawn(&intro_config("")).await;
    let response = server
        .client
        .delete(server.url("/api/v1/profiles/intro"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::MethodNotAllowed);
    // %FF is not UTF-8: axum's own rejection would be plain text.
    let response = server.get("/api/v1/profiles/%FF/slots").await;
    assert_eq!(response.status(), 400);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::BadRequest);
}

#[tokio::test]
async fn a_query_string_axum_cannot_read_is_enveloped_too() {
    let server = spawn(&intro_config("")).await;
    // A parameter given twice fails before any of ours is looked at.
    let response = server
        .get("/api/v1/profiles/intro/slots?from=2030-01-07&to=2030-01-07&to=2030-01-08")
        .await;
    assert_eq!(response.status(), 400);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::BadRequest);
    assert!(
        body.error.message.contains("`to`"),
        "{}",
        body.error.message
    );
}

#[tokio::test]
async fn unknown_api_path_is_an_enveloped_404() {
    let server = spawn(&intro_config("")).await;
    let response = server.get("/api/v1/nothing/here").await;
    assert_eq!(response.status(), 404);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn cors_allows_only_listed_origins_without_credentials() {
    let server = spawn(&intro_config("")).await;
    let allowed = server
        .client
        .get(server.url("/api/v1/profiles/intro"))
        .header("origin", "http://allowed.test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://allowed.test"
    );
    assert!(allowed
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
    let vary = allowed.headers()["vary"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(vary.contains("origin"), "{vary}");

    let other = server
        .client
        .get(server.url("/api/v1/profiles/intro"))
        .header("origin", "http://evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let preflight = server
        .client
        .request(
            reqwest::Method::OPTIONS,
            server.url("/api/v1/profiles/intro/bookings"),
        )
        .header("origin", "http://allowed.test")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://allowed.test"
    );
    let headers = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        headers.contains("content-type") && headers.contains("idempotency-key"),
        "{headers}"
    );
    assert!(preflight
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_408_in_the_envelope() {
    let slow = axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            "late"
        }),
    );
    let app = booking_proxy::outer(slow, std::time::Duration::from_millis(50));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let response = reqwest::get(format!("http://{addr}/slow")).await.unwrap();
    assert_eq!(response.status(), 408);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::RequestTimeout);
}

#[tokio::test]
async fn a_handler_that_panics_answers_500_in_the_envelope_and_the_server_goes_on() {
    let routes = axum::Router::new()
        .route(
            "/boom",
            axum::routing::get(|| async { std::hint::black_box(None::<&str>).expect("a bug") }),
        )
        .route("/fine", axum::routing::get(|| async { "fine" }));
    let app = booking_proxy::outer(routes, std::time::Duration::from_secs(5));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let response = reqwest::get(format!("http://{addr}/boom")).await.unwrap();
    assert_eq!(response.status(), 500);
    let body: ErrorEnvelope = response.json().await.unwrap();
    assert_eq!(body.error.code, ErrorCode::Internal);
    assert!(!body.error.message.contains("a bug"), "no internals leak");
    let fine = reqwest::get(format!("http://{addr}/fine")).await.unwrap();
    assert_eq!(fine.text().await.unwrap(), "fine");
}

#[tokio::test]
async fn a_page_of_an_origin_not_allowed_is_logged_once_naming_the_key() {
    common::logs::capture();
    let server = spawn(&intro_config("")).await;
    let origin = "http://forgotten-origin.test";
    for _ in 0..3 {
        let response = server
            .client
            .get(server.url("/api/v1/profiles/intro"))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response
            .headers()
            .get("access-control-allow-origin")
            .is_none());
    }
    let allowed = server
        .client
        .get(server.url("/api/v1/profiles/intro"))
        .header("origin", "http://allowed.test")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let logs = common::logs::text();
    let lines: Vec<&str> = logs.lines().filter(|l| l.contains(origin)).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("server.allowed_origins"), "{}", lines[0]);
    assert!(!logs.contains("origin=http://allowed.test"));
}
