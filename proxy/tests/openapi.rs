//! The OpenAPI document served by a real listener: what the server requires, and every
//! route covered.

mod common;

use booking_wire::{ErrorCode, ErrorEnvelope};
use common::{open_config, spawn, tomorrow_plus};

const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/profiles/{profile}"),
    ("get", "/api/v1/profiles/{profile}/slots"),
    ("post", "/api/v1/profiles/{profile}/bookings"),
    ("get", "/api/v1/bookings/{token}"),
    ("get", "/api/v1/bookings/{token}/calendar"),
    ("post", "/api/v1/bookings/{token}/cancel"),
    ("post", "/api/v1/bookings/{token}/reschedule"),
    ("get", "/api/v1/bookings/{token}/slots"),
    ("post", "/api/v1/profiles/{profile}/holds"),
    ("delete", "/api/v1/holds/{hold}"),
];

/// The admin API's routes, on four paths (served and checked in tests/admin.rs).
const ADMIN_ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/admin/profiles"),
    ("get", "/api/v1/admin/profiles/{id}"),
    ("put", "/api/v1/admin/profiles/{id}"),
    ("delete", "/api/v1/admin/profiles/{id}"),
    ("get", "/api/v1/admin/bookings"),
    ("post", "/api/v1/admin/bookings/{id}/cancel"),
];

/// What the server refuses, the document says: required query parameters, lengths and
/// bounds of the booking body; and links a stateful client can walk.
#[tokio::test]
async fn openapi_states_what_the_server_requires() {
    let server = spawn(&open_config("", "")).await;
    let doc: serde_json::Value = server
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let slots = &doc["paths"]["/api/v1/profiles/{profile}/slots"]["get"];
    let param = |name: &str| {
        slots["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} documented"))
            .clone()
    };
    for name in ["from", "to"] {
        assert_eq!(param(name)["in"], "query", "{name}");
        assert_eq!(param(name)["required"], true, "{name}");
    }
    assert_eq!(param("time_zone")["in"], "query");
    let body = &doc["components"]["schemas"]["BookingRequest"]["properties"];
    assert_eq!(body["name"]["minLength"], 1);
    assert_eq!(body["name"]["maxLength"], 200);
    assert_eq!(body["email"]["maxLength"], 254);
    assert_eq!(body["duration"]["minimum"], 1);
    let manage = &doc["paths"]["/api/v1/profiles/{profile}/bookings"]["post"]["responses"]["201"]
        ["links"]["manage"];
    assert_eq!(manage["operationId"], "get_booking");
    assert_eq!(
        manage["parameters"]["token"],
        "$response.body#/manage_token"
    );
}

#[tokio::test]
async fn openapi_is_valid_and_covers_every_route() {
    let server = spawn(&open_config("", "hold_minutes = 5")).await;
    let response = server.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3."), "{}", spec.openapi);
    let paths = spec.paths.as_ref().expect("paths");
    assert_eq!(
        paths.len(),
        ROUTES.len() + 4,
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    let mut ids = std::collections::BTreeSet::new();
    for item in paths.values() {
        let ops = [&item.get, &item.put, &item.post, &item.delete];
        for id in ops
            .into_iter()
            .flatten()
            .filter_map(|op| op.operation_id.clone())
        {
            assert!(ids.insert(id.clone()), "operationId {id} is not unique");
        }
    }
    for (method, path) in ADMIN_ROUTES {
        let item = paths.get(*path).unwrap_or_else(|| panic!("{path} missing"));
        let op = match *method {
            "get" => item.get.as_ref(),
            "put" => item.put.as_ref(),
            "delete" => item.delete.as_ref(),
            _ => item.post.as_ref(),
        };
        let op = op.unwrap_or_else(|| panic!("{method} {path} missing"));
        assert_eq!(op.tags, ["admin"], "{method} {path}");
    }
    for (method, path) in ROUTES {
        let item = paths.get(*path).unwrap_or_else(|| panic!("{path} missing"));
        let op = match *method {
            "get" => item.get.as_ref(),
            "delete" => item.delete.as_ref(),
            _ => item.post.as_ref(),
        };
        let op = op.unwrap_or_else(|| panic!("{method} {path} missing"));
        assert!(!op.responses.as_ref().expect("responses").is_empty());
        // Each documented operation is really served (not the API's 404 fallback).
        let url = server.url(&path.replace("{profile}", "open").replace("{token}", "t"));
        let sent = match *method {
            // A real hold, so the answer is the route's own 204.
            "delete" => {
                let hold: serde_json::Value = server
                    .post(
                        "/api/v1/profiles/open/holds",
                        &serde_json::json!({ "start": tomorrow_plus(600), "duration": 30 }),
                        None,
                    )
                    .await
                    .json()
                    .await
                    .unwrap();
                let id = hold["hold"].as_str().expect("a hold");
                let sent = server.client.delete(url.replace("{hold}", id)).send().await;
                assert_eq!(sent.as_ref().unwrap().status(), 204, "{method} {path}");
                sent
            }
            "get" => {
                server
                    .client
                    .get(format!("{url}?from=2026-11-23&to=2026-11-23"))
                    .send()
                    .await
            }
            _ => {
                server
                    .client
                    .post(url)
                    .json(&serde_json::json!({}))
                    .send()
                    .await
            }
        };
        let sent = sent.unwrap();
        assert_ne!(sent.status(), 405, "{method} {path}");
        // A 404 may be the route's own answer (no such booking), never the fallback's.
        if sent.status() == 404 {
            let envelope: ErrorEnvelope = sent.json().await.unwrap();
            assert_ne!(envelope.error.code, ErrorCode::NotFound, "{method} {path}");
        }
    }
    let schemas = &spec.components.as_ref().expect("components").schemas;
    for name in [
        "Profile",
        "Field",
        "SlotsResponse",
        "BookingRequest",
        "Booking",
        "ErrorEnvelope",
        "HoldRequest",
        "Hold",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
}
