//! The skeleton's HTTP surface over a real loopback listener.

mod common;

use booking_wire::{ErrorCode, ErrorEnvelope, FieldKind, Profile};
use chrono::Datelike;
use common::{intro_config, spawn, write};

#[tokio::test]
async fn healthz_answers_ok() {
    let server = spawn(&intro_config("")).await;
    let response = server.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn profile_turns_variables_into_required_text_fields() {
    let extra = r#"
[[profiles.intro.fields]]
name = "company"
kind = "text"
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
    assert_eq!(names, vec![("company", false), ("topic", true)]);
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
async fn book_page_serves_the_built_widget_with_the_profile_title() {
    let server = spawn(&intro_config("")).await;
    let html = "<!doctype html><html><head><title>Book a time</title></head><body><main id=booking-widget></main></body></html>";
    write(&server.dir.path().join("dist"), "index.html", html);
    write(
        &server.dir.path().join("dist"),
        "app-123.js",
        "export default 1;",
    );

    let page = server.get("/book/intro").await;
    assert_eq!(page.status(), 200);
    let text = page.text().await.unwrap();
    assert!(text.contains("<title>Intro call</title>"), "{text}");
    assert!(text.contains("booking-widget"));

    let unknown = server.get("/book/nope").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown
        .text()
        .await
        .unwrap()
        .contains("<title>Booking profile not found</title>"));

    let asset = server.get("/app-123.js").await;
    assert_eq!(asset.status(), 200);
    assert_eq!(asset.text().await.unwrap(), "export default 1;");
}

#[tokio::test]
async fn every_answer_says_nosniff_and_the_booking_page_has_a_strict_policy() {
    let server = spawn(&intro_config("")).await;
    let dist = server.dir.path().join("dist");
    let start = "import init from '/app-0123456789abcdef.js'; await init();";
    let html = format!("<!doctype html><html><head><title>x</title><script type=module>{start}</script></head><body></body></html>");
    write(&dist, "index.html", &html);
    write(&dist, "app-0123456789abcdef.js", "export default 1;");
    for path in [
        "/healthz",
        "/book/intro",
        "/api/v1/profiles/intro",
        "/api/v1/profiles/nope",
        "/api/v1/nothing",
        "/app-0123456789abcdef.js",
        "/widget.js",
        "/missing.txt",
    ] {
        let response = server.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
    }
    let page = server.get("/book/intro").await;
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(start));
    for part in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        &format!("'sha256-{hash}'"),
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(part), "{part} in {policy}");
    }
    assert!(!policy.contains("'unsafe-inline'"), "{policy}");
}

#[tokio::test]
async fn widget_js_names_the_hashed_build_and_assets_are_cached_by_kind() {
    let server = spawn(&intro_config("")).await;
    let dist = server.dir.path().join("dist");
    let not_built = server.get("/widget.js").await;
    assert_eq!(not_built.status(), 503);
    let index = r#"<script type=module>import init from '/booking-widget-0123456789abcdef.js'; init({ module_or_path: '/booking-widget-0123456789abcdef_bg.wasm' });</script>"#;
    write(&dist, "index.html", index);
    write(
        &dist,
        "booking-widget-0123456789abcdef.js",
        "export default 1;",
    );
    let loader = server.get("/widget.js").await;
    assert_eq!(loader.status(), 200);
    assert_eq!(loader.headers()["cache-control"], "public, max-age=300");
    assert_eq!(loader.headers()["access-control-allow-origin"], "*");
    assert!(loader.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let text = loader.text().await.unwrap();
    assert!(
        text.contains("'/booking-widget-0123456789abcdef.js'"),
        "glue named"
    );
    assert!(
        text.contains("'/booking-widget-0123456789abcdef_bg.wasm'"),
        "wasm named"
    );
    assert!(text.contains("customElements.define('booking-widget'"));
    // The build's minified loader, when there is one, is served instead.
    write(&dist, "widget.js", "load(\"__GLUE__\",\"__WASM__\")");
    let built = server.get("/widget.js").await.text().await.unwrap();
    assert_eq!(
        built,
        r#"load("/booking-widget-0123456789abcdef.js","/booking-widget-0123456789abcdef_bg.wasm")"#
    );
    let glue = server.get("/booking-widget-0123456789abcdef.js").await;
    assert_eq!(
        glue.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(glue.headers()["access-control-allow-origin"], "*");
    let missing = server.get("/booking-widget-ffffffffffffffff.js").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers().get("cache-control").is_none(),
        "errors are not cached for a year"
    );
}

#[tokio::test]
async fn book_page_escapes_the_title() {
    let server =
        spawn(&intro_config("").replace("title = \"Intro call\"", "title = \"<b>Intro</b> & co\""))
            .await;
    write(
        &server.dir.path().join("dist"),
        "index.html",
        "<html><head><title>x</title></head></html>",
    );
    let text = server.get("/book/intro").await.text().await.unwrap();
    assert!(
        text.contains("<title>&lt;b&gt;Intro&lt;/b&gt; &amp; co</title>"),
        "{text}"
    );
}

#[tokio::test]
async fn book_page_without_a_built_widget_says_how_to_build_it() {
    let server = spawn(&intro_config("")).await;
    let response = server.get("/book/intro").await;
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("make build"));
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

/// GETs `path` saying which encodings the client takes.
async fn get_encoded(server: &common::TestServer, path: &str, accept: &str) -> reqwest::Response {
    server
        .client
        .get(server.url(path))
        .header("accept-encoding", accept)
        .send()
        .await
        .expect("request failed")
}

#[tokio::test]
async fn payload_files_go_out_precompressed_and_the_rest_compressed_on_the_fly() {
    let server = spawn(&intro_config("")).await;
    let dist = server.dir.path().join("dist");
    let wasm = "booking-widget-0123456789abcdef_bg.wasm";
    write(
        &dist,
        "index.html",
        r#"<script type=module>import init from '/booking-widget-0123456789abcdef.js'; init('/booking-widget-0123456789abcdef_bg.wasm');</script>"#,
    );
    write(&dist, wasm, "raw wasm");
    // The copies' bodies are served as they are, so markers tell which one went out.
    write(&dist, &format!("{wasm}.br"), "brotli copy");
    write(&dist, &format!("{wasm}.gz"), "gzip copy");
    let path = format!("/{wasm}");

    let br = get_encoded(&server, &path, "gzip, deflate, br").await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert_eq!(br.headers()["vary"], "accept-encoding");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.text().await.unwrap(), "brotli copy");
    let gz = get_encoded(&server, &path, "gzip").await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.text().await.unwrap(), "gzip copy");
    let plain = server.get(&path).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "raw wasm");

    // The loader and the API's JSON are made per request: gzip on the way out.
    for path in ["/widget.js", "/api/v1/profiles/intro"] {
        let expected = server.get(path).await.bytes().await.unwrap();
        let zipped = get_encoded(&server, path, "gzip").await;
        assert_eq!(zipped.status(), 200, "{path}");
        assert_eq!(zipped.headers()["content-encoding"], "gzip", "{path}");
        let body = zipped.bytes().await.unwrap();
        assert!(body.len() < expected.len(), "{path} is smaller compressed");
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut text)
            .unwrap();
        assert_eq!(text, expected, "{path} decodes to the same body");
    }
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

#[tokio::test]
async fn the_booking_page_carries_the_profile_and_this_months_slots() {
    let server = spawn(&common::open_config("", "")).await;
    let html = "<!doctype html><html><head><title>Book a time</title></head><body><main id=booking-widget></main></body></html>";
    write(&server.dir.path().join("dist"), "index.html", html);
    let page = server.get("/book/open").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let text = page.text().await.unwrap();
    let open = r#"<script type="application/json" id="bw-page-data">"#;
    let start = text.find(open).expect("the data element") + open.len();
    let end = start + text[start..].find("</script>").unwrap();
    let data: booking_wire::PageData = serde_json::from_str(&text[start..end]).unwrap();
    assert_eq!(data.profile.id, "open");
    let span = data.slots.expect("this month's slots");
    assert_eq!(span.duration, 30);
    // The same slots the API gives for this month counted in UTC, which the span holds.
    let today = chrono::Utc::now().date_naive();
    let first = today.with_day(1).unwrap();
    let last = first.checked_add_months(chrono::Months::new(1)).unwrap() - chrono::Days::new(1);
    let api: booking_wire::SlotsResponse = server
        .get(&format!(
            "/api/v1/profiles/open/slots?from={first}&to={last}&time_zone=UTC"
        ))
        .await
        .json()
        .await
        .unwrap();
    let month_start = first.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let month_end = (last + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    assert!(span.from <= month_start && month_end <= span.to);
    let within: Vec<_> = span
        .slots
        .into_iter()
        .filter(|s| s.start >= month_start && s.start < month_end)
        .collect();
    assert_eq!(within, api.slots);
}
