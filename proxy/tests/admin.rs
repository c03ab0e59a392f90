//! The admin API: profiles kept as data (created, served, booked, replaced, removed),
//! every profile's bookings, its token, its checks (the config file's rules and messages)
//! and its absence of CORS, on a real listener.

mod common;

use booking_wire::{ErrorCode, ErrorEnvelope, Profile, SlotsResponse};
use common::{booking, open_config, tomorrow_plus, TestServer};
use serde_json::{json, Value};

const TOKEN: &str = "adm_4f9c2d7e8a1b3c5d6e7f8091a2b3c4d5";

/// `open_config` with `[admin]`, served with the token in its variable.
async fn serve(extra_admin: &str) -> TestServer {
    let text = format!(
        "{}\n[admin]\ntoken_env = \"TEST_ADMIN_TOKEN\"\n{extra_admin}\n",
        open_config("bookings_per_minute = 1000", "").replace(
            "[server]\n",
            "[server]\nallowed_origins = [\"http://allowed.test\"]\n"
        )
    );
    let dir = tempfile::tempdir().unwrap();
    let env = |name: &str| (name == "TEST_ADMIN_TOKEN").then(|| TOKEN.to_owned());
    let config = booking_proxy::config::parse(&text, dir.path(), &env).expect("config");
    common::spawn_with(config, dir).await
}

/// A local profile's keys, as JSON.
fn piano(title: &str) -> Value {
    let every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .map(|d| (d.to_owned(), json!(["00:00-24:00"])));
    json!({
        "provider": "local", "title": title, "time_zone": "UTC", "durations": [30],
        "hours": every_day.into_iter().collect::<serde_json::Map<_, _>>(),
        "fields": [{ "name": "level", "kind": "text", "required": true }]
    })
}

impl TestServer {
    fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(&format!("/api/v1/admin{path}")))
            .bearer_auth(TOKEN)
    }

    async fn put_profile(&self, id: &str, body: &Value) -> reqwest::Response {
        let path = format!("/profiles/{id}");
        self.admin(reqwest::Method::PUT, &path)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

async fn envelope(response: reqwest::Response) -> (u16, ErrorEnvelope) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("an error envelope"))
}

#[tokio::test]
async fn without_admin_the_routes_do_not_exist() {
    let server = common::spawn(&open_config("", "")).await;
    let response = server
        .client
        .get(server.url("/api/v1/admin/profiles"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let (status, body) = envelope(response).await;
    assert_eq!((status, body.error.code), (404, ErrorCode::NotFound));
}

#[tokio::test]
async fn only_the_whole_token_opens_the_admin_api() {
    let server = serve("").await;
    let url = server.url("/api/v1/admin/profiles");
    let tries = [
        None,
        Some(format!("Bearer {}", &TOKEN[..TOKEN.len() - 1])),
        Some(format!("Bearer {TOKEN}x")),
        Some(format!("Bearer {}", TOKEN.replace('a', "b"))),
        Some(TOKEN.to_owned()),
        Some(format!("Basic {TOKEN}")),
    ];
    for header in tries {
        let mut request = server.client.get(&url);
        if let Some(h) = &header {
            request = request.header("authorization", h);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"admin\""
        );
        let (status, body) = envelope(response).await;
        assert_eq!(
            (status, body.error.code),
            (401, ErrorCode::Unauthorized),
            "{header:?}"
        );
    }
    let right = server
        .client
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn a_profile_put_by_api_is_served_booked_listed_and_removed() {
    let server = serve("").await;
    assert_eq!(server.get("/api/v1/profiles/piano").await.status(), 404);
    let created = server.put_profile("piano", &piano("Piano lesson")).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["source"], "database");
    assert_eq!(created["profile"]["title"], "Piano lesson");

    let profile: Profile = server
        .get("/api/v1/profiles/piano")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile.title, "Piano lesson");
    assert!(profile
        .fields
        .iter()
        .any(|f| f.name == "level" && f.required));
    let day = &tomorrow_plus(0)[..10];
    let slots: SlotsResponse = server
        .get(&format!(
            "/api/v1/profiles/piano/slots?from={day}&to={day}&time_zone=UTC"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(slots.slots.len(), 48, "every half hour of the day");

    let start = tomorrow_plus(600);
    let mut body = booking(&start, 30);
    body["fields"] = json!({ "level": "beginner" });
    let made = server
        .post("/api/v1/profiles/piano/bookings", &body, None)
        .await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    let id = made["id"].as_str().unwrap().to_owned();

    let listed: Value = server
        .admin(
            reqwest::Method::GET,
            &format!("/bookings?profile=piano&from={day}&to={day}"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["bookings"][0]["id"], id.as_str());
    assert_eq!(listed["bookings"][0]["email"], "ada@example.com");
    let after: Value = server
        .admin(
            reqwest::Method::GET,
            "/bookings?profile=piano&from=2099-01-01",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["bookings"], json!([]));

    // Not while a visitor still has a booking with it.
    let refused = server
        .admin(reqwest::Method::DELETE, "/profiles/piano")
        .send()
        .await
        .unwrap();
    let (status, error) = envelope(refused).await;
    assert_eq!((status, error.error.code), (409, ErrorCode::NotAllowed));
    assert!(
        error.error.message.contains("1 upcoming"),
        "{}",
        error.error.message
    );

    let cancelled: Value = server
        .admin(reqwest::Method::POST, &format!("/bookings/{id}/cancel"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    let again = server
        .post("/api/v1/profiles/piano/bookings", &body, None)
        .await;
    assert_eq!(again.status(), 201, "the cancelled time is free again");
    let second: Value = again.json().await.unwrap();
    let path = format!(
        "/bookings/{}/cancel?profile=piano",
        second["id"].as_str().unwrap()
    );
    let done = server
        .admin(reqwest::Method::POST, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);

    let removed = server
        .admin(reqwest::Method::DELETE, "/profiles/piano")
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(server.get("/api/v1/profiles/piano").await.status(), 404);
    let gone = server
        .admin(reqwest::Method::DELETE, "/profiles/piano")
        .send()
        .await
        .unwrap();
    assert_eq!(
        envelope(gone).await.1.error.code,
        ErrorCode::ProfileNotFound
    );
    let unknown = server
        .admin(reqwest::Method::POST, "/bookings/bk_nothing/cancel")
        .send()
        .await
        .unwrap();
    assert_eq!(
        envelope(unknown).await.1.error.code,
        ErrorCode::BookingNotFound
    );
}

#[tokio::test]
async fn a_replaced_profile_is_served_as_replaced_at_once() {
    let server = serve("").await;
    assert_eq!(
        server.put_profile("piano", &piano("First")).await.status(),
        201
    );
    let first: Profile = server
        .get("/api/v1/profiles/piano")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first.title, "First");
    let mut second = piano("Second");
    second["durations"] = json!([45, 90]);
    let replaced = server.put_profile("piano", &second).await;
    assert_eq!(replaced.status(), 200);
    let shown: Profile = server
        .get("/api/v1/profiles/piano")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (shown.title.as_str(), shown.durations),
        ("Second", vec![45, 90])
    );
    let one: Value = server
        .admin(reqwest::Method::GET, "/profiles/piano")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["profile"]["durations"], json!([45, 90]));
}

/// Each bad profile is refused with the message the config file gets for the same keys.
#[tokio::test]
async fn keys_are_checked_by_the_config_files_rules_and_messages() {
    let server = serve("").await;
    let cases = [
        json!({ "provider": "local", "time_zone": "UTC", "durations": [30] }),
        json!({ "provider": "local", "title": "T", "time_zone": "Mars/Base", "durations": [30] }),
        json!({ "provider": "local", "title": "T", "time_zone": "UTC", "durations": [30], "event_type_id": 4 }),
        json!({ "provider": "local", "title": "T", "time_zone": "UTC", "durations": [30], "hold_minutes": 600 }),
        json!({ "provider": "local", "title": "T", "time_zone": "UTC", "durations": [30],
                "fields": [{ "name": "email", "kind": "text" }] }),
    ];
    for keys in cases {
        let toml_table = toml::Value::try_from(&keys).unwrap();
        let file = toml::to_string(&json!({ "profiles": { "bad": toml_table } })).unwrap();
        let from_file = booking_proxy::config::parse(&file, std::path::Path::new("."), &|_| None)
            .expect_err("the file is refused too")
            .to_string();
        let (status, body) = envelope(server.put_profile("bad", &keys).await).await;
        assert_eq!((status, body.error.code), (400, ErrorCode::BadRequest));
        assert_eq!(body.error.message, from_file);
        assert!(
            body.error.message.starts_with("profiles.bad"),
            "{from_file}"
        );
    }
    let (status, body) = envelope(server.put_profile("bad", &json!([1])).await).await;
    assert_eq!(status, 400, "{}", body.error.message);
    let (status, body) = envelope(server.put_profile("b%20d", &piano("T")).await).await;
    assert_eq!(status, 400);
    assert!(
        body.error.message.contains("letters, digits"),
        "{}",
        body.error.message
    );
    assert_eq!(
        server.get("/api/v1/profiles/bad").await.status(),
        404,
        "nothing kept"
    );
}

#[tokio::test]
async fn a_stored_profile_names_only_the_secrets_it_is_allowed() {
    let server = serve("secret_envs = [\"TEST_CALCOM_KEY\"]").await;
    let calcom = |env: &str| {
        json!({ "provider": "calcom", "api_key_env": env, "event_type_id": 7,
                "base_url": "http://127.0.0.1:9" })
    };
    let (status, body) = envelope(
        server
            .put_profile("sales", &calcom("TEST_ADMIN_TOKEN"))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body.error.message.contains("secret_envs"),
        "{}",
        body.error.message
    );
    // Allowed, but not set on this server: refused now, not at the first visitor.
    let (status, body) = envelope(
        server
            .put_profile("sales", &calcom("TEST_CALCOM_KEY"))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body.error.message.contains("is not set"),
        "{}",
        body.error.message
    );
}

#[tokio::test]
async fn the_config_files_profiles_are_read_only_here() {
    let server = serve("").await;
    let (status, body) = envelope(server.put_profile("open", &piano("Mine")).await).await;
    assert_eq!((status, body.error.code), (409, ErrorCode::NotAllowed));
    let delete = server
        .admin(reqwest::Method::DELETE, "/profiles/open")
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 409);
    let shown: Value = server
        .admin(reqwest::Method::GET, "/profiles/open")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["source"], "config");
    assert_eq!(shown["profile"]["location"], "Phone");
    server.put_profile("piano", &piano("Piano")).await;
    let all: Value = server
        .admin(reqwest::Method::GET, "/profiles")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<(&str, &str)> = all["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["source"].as_str().unwrap()))
        .collect();
    assert_eq!(ids, [("open", "config"), ("piano", "database")]);
}

#[tokio::test]
async fn no_browser_is_let_in() {
    let server = serve("").await;
    let public = server
        .client
        .get(server.url("/api/v1/profiles/open"))
        .header("origin", "http://allowed.test")
        .send()
        .await
        .unwrap();
    assert!(public.headers().contains_key("access-control-allow-origin"));
    let admin = server
        .admin(reqwest::Method::GET, "/profiles")
        .header("origin", "http://allowed.test")
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), 200);
    assert!(!admin.headers().contains_key("access-control-allow-origin"));
    let preflight = server
        .client
        .request(
            reqwest::Method::OPTIONS,
            server.url("/api/v1/admin/profiles/x"),
        )
        .header("origin", "http://allowed.test")
        .header("access-control-request-method", "PUT")
        .send()
        .await
        .unwrap();
    assert!(!preflight
        .headers()
        .contains_key("access-control-allow-origin"));
    assert!(!preflight
        .headers()
        .contains_key("access-control-allow-methods"));
}

#[tokio::test]
async fn the_openapi_document_marks_the_admin_routes() {
    let server = serve("").await;
    let doc: Value = server
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let put = &doc["paths"]["/api/v1/admin/profiles/{id}"]["put"];
    assert_eq!(put["tags"], json!(["admin"]));
    assert_eq!(put["security"], json!([{ "admin_token": [] }]));
    for path in [
        "/api/v1/admin/profiles",
        "/api/v1/admin/bookings",
        "/api/v1/admin/bookings/{id}/cancel",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    let scheme = &doc["components"]["securitySchemes"]["admin_token"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );
    // The booking routes need no token.
    assert!(doc["paths"]["/api/v1/profiles/{profile}"]["get"]["security"].is_null());
}
