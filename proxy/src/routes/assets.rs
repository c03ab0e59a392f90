//! The embed loader `/widget.js` and the built widget's files: CORS for any origin (they
//! are public and a host page imports them cross-origin), cache headers by kind.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::services::ServeDir;

use crate::state::AppState;

/// The loader's source, served when the build has no minified `widget.js` of its own.
const LOADER: &str = include_str!("../../../loader/widget.js");

/// How long `/widget.js` is kept: five minutes fresh, a week served stale while revalidated.
const LOADER_CACHE: &str = "public, max-age=300, stale-while-revalidate=604800";

/// The manage bundle's folder in the build (the widget with manage mode).
pub const MANAGE_DIR: &str = "manage";

/// `GET /widget.js`: a stable URL, fresh for five minutes and then, for a week, used from
/// the cache at once while the browser asks for a newer one (a returning visitor waits for
/// no loader); what it loads is hashed and immutable.
pub async fn widget_js(State(state): State<AppState>) -> Response {
    let dir = &state.config().server.assets_dir;
    let index = dir.join("index.html");
    let html = tokio::fs::read_to_string(&index).await.unwrap_or_default();
    let (Some(glue), Some(wasm)) = (asset(&html, ".js"), asset(&html, "_bg.wasm")) else {
        tracing::error!(path = %index.display(), "widget not built: no glue or wasm named in index.html");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The widget is not built yet. Run `make build`.",
        )
            .into_response();
    };
    // The manage bundle's files, under its folder; without one, manage pages load the
    // booking bundle (which then books instead).
    let manage_html = tokio::fs::read_to_string(dir.join(MANAGE_DIR).join("index.html"))
        .await
        .unwrap_or_default();
    let prefix = format!("/{MANAGE_DIR}");
    let manage = |suffix| asset(&manage_html, suffix).map(|path| format!("{prefix}{path}"));
    let (manage_glue, manage_wasm) = match (manage(".js"), manage("_bg.wasm")) {
        (Some(g), Some(w)) => (g, w),
        _ => (glue.clone(), wasm.clone()),
    };
    // The names are filled in whichever copy it is.
    let body = loader(dir)
        .await
        .replace("__MANAGE_GLUE__", &manage_glue)
        .replace("__MANAGE_WASM__", &manage_wasm)
        .replace("__GLUE__", &glue)
        .replace("__WASM__", &wasm);
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, LOADER_CACHE),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    )
        .into_response()
}

/// The loader's text before the bundle's names are filled in: the minified copy `make
/// widget` writes beside the build, else the source built into the proxy.
pub async fn loader(dir: &std::path::Path) -> std::borrow::Cow<'static, str> {
    match tokio::fs::read_to_string(dir.join("widget.js")).await {
        Ok(text) => text.into(),
        Err(_) => LOADER.into(),
    }
}

/// The first `/booking-widget-<hash><suffix>` path that Trunk's index.html names.
fn asset(html: &str, suffix: &str) -> Option<String> {
    let mut rest = html;
    while let Some(at) = rest.find("/booking-widget-") {
        let tail = &rest[at..];
        let end = tail.find(['"', '\'', ' ', '>']).unwrap_or(tail.len());
        let path = &tail[..end];
        let hash = path
            .trim_start_matches("/booking-widget-")
            .trim_end_matches(suffix);
        if path.ends_with(suffix) && !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit())
        {
            return Some(path.to_owned());
        }
        rest = &tail[end..];
    }
    None
}

/// The built widget's files. `make widget` writes each payload file's .br and .gz beside
/// it: served as they are, compressed once at the highest settings.
pub fn files(dir: &std::path::Path) -> ServeDir {
    ServeDir::new(dir).precompressed_br().precompressed_gzip()
}

/// Static files: any origin may load them; content-hashed names are immutable; the body
/// depends on `Accept-Encoding` (precompressed copies), so caches must key on it.
pub async fn headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        let cache = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=300"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// `name-0123456789abcdef.ext` or `name-0123456789abcdef_bg.wasm`: Trunk's content hash.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("").trim_end_matches("_bg");
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_trunks_hashed_names() {
        let html = r#"<link rel="modulepreload" href="/booking-widget-0123456789abcdef.js" crossorigin="anonymous"><link rel="preload" href="/booking-widget-0123456789abcdef_bg.wasm" as="fetch">"#;
        assert_eq!(
            asset(html, ".js").as_deref(),
            Some("/booking-widget-0123456789abcdef.js")
        );
        assert_eq!(
            asset(html, "_bg.wasm").as_deref(),
            Some("/booking-widget-0123456789abcdef_bg.wasm")
        );
        assert_eq!(asset("<html></html>", ".js"), None);
        assert!(is_hashed("/booking-widget-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("/page-e13dcda07601addb.css"));
        assert!(!is_hashed("/widget.js"));
        assert!(!is_hashed("/index.html"));
    }
}
