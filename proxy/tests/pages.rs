//! The booking page and the widget's files over a real loopback listener: the built
//! widget, security headers, caching and compression.

mod common;

use chrono::Datelike;
use common::{intro_config, spawn, write};

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
async fn book_page_takes_its_theme_from_the_query() {
    let server = spawn(&intro_config("")).await;
    let html = "<!doctype html><html data-theme=auto lang=en><head><title>Book a time</title></head><body><main data-theme=auto id=booking-widget></main></body></html>";
    write(&server.dir.path().join("dist"), "index.html", html);
    for (query, theme) in [
        ("", "auto"),
        ("?theme=dark", "dark"),
        ("?theme=light", "light"),
        ("?theme=auto", "auto"),
        ("?theme=%3Cscript%3E", "auto"),
        ("?locale=fr&theme=dark", "dark"),
    ] {
        for path in ["/book/intro", "/book/intro/manage/tok"] {
            let page = server.get(&format!("{path}{query}")).await;
            assert_eq!(page.status(), 200, "{path}{query}");
            let text = page.text().await.unwrap();
            let want = format!("<html data-theme={theme} lang=en>");
            assert!(text.contains(&want), "{path}{query}: {text}");
            let want = format!("<main data-theme={theme} id=booking-widget>");
            assert!(text.contains(&want), "{path}{query}: {text}");
        }
    }
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
        "worker-src blob:",
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
    // Fresh for five minutes, then used at once while a newer one is fetched, for a week.
    assert_eq!(
        loader.headers()["cache-control"],
        "public, max-age=300, stale-while-revalidate=604800"
    );
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

#[tokio::test]
async fn the_book_page_asks_for_its_builds_loader_which_is_served_there() {
    let server = spawn(&intro_config("")).await;
    let dist = server.dir.path().join("dist");
    let index = r#"<title>x</title><script type=module>import init from '/booking-widget-0123456789abcdef.js'; init({ module_or_path: '/booking-widget-0123456789abcdef_bg.wasm' });</script><main id=booking-widget></main><script defer src=/widget.js></script>"#;
    write(&dist, "index.html", index);
    write(&dist, "widget.js", "load(\"__GLUE__\",\"__WASM__\")");
    let address = |page: &str| {
        let at = page.find("src=/widget.js?v=").expect("a versioned loader");
        page[at + 4..].split('>').next().unwrap().to_owned()
    };
    let first = address(&server.get("/book/intro").await.text().await.unwrap());
    let loader = server.get(&first).await;
    assert_eq!(loader.status(), 200);
    assert!(loader
        .text()
        .await
        .unwrap()
        .starts_with("load(\"/booking-widget-"));
    // Another loader in the build: another address, so no browser keeps the older one.
    write(&dist, "widget.js", "load2(\"__GLUE__\",\"__WASM__\")");
    let second = address(&server.get("/book/intro").await.text().await.unwrap());
    assert_ne!(first, second);
    let manage = server
        .get("/book/intro/manage/tok")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(address(&manage), second, "the manage page's too");
}
