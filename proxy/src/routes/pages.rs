//! `/healthz` and the public booking page `/book/{profile}`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::{assets, page_data};
use crate::state::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

/// The built widget's `index.html` with the profile's title; the widget reads the profile
/// id from the path. An unknown profile still gets the page (the widget explains) with 404.
pub async fn book_page(State(state): State<AppState>, Path(profile): Path<String>) -> Response {
    let index = state.config().server.assets_dir.join("index.html");
    page(&state, &profile, &index).await
}

/// The page built in `index` for `profile`.
async fn page(state: &AppState, profile: &str, index: &std::path::Path) -> Response {
    let Ok(html) = tokio::fs::read_to_string(&index).await else {
        tracing::error!(path = %index.display(), "widget not built: index.html missing");
        let body = "The booking page is not built yet. Run `make build`.";
        return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    };
    let csp = page_policy(&html);
    let (status, page) = match state.provider(profile).await {
        Err(_) => (
            StatusCode::NOT_FOUND,
            with_title(&html, "Booking profile not found"),
        ),
        Ok(_) => match page_data::for_profile(state, profile).await {
            Some(data) => (
                StatusCode::OK,
                page_data::insert(&with_title(&html, &data.profile.title), &data),
            ),
            None => (StatusCode::OK, with_title(&html, "Book a time")),
        },
    };
    let mut response = (status, Html(page)).into_response();
    // The page carries free slots: always asked again, never shown from a cache unasked.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The booking page in manage mode: the manage bundle's page, where it was built (the
/// widget reads the token from the path). The token must not leave in a `Referer` or stay
/// in a cache.
pub async fn manage_page(
    State(state): State<AppState>,
    Path((profile, _token)): Path<(String, String)>,
) -> Response {
    let dir = &state.config().server.assets_dir;
    let manage = dir.join(assets::MANAGE_DIR).join("index.html");
    let index = match tokio::fs::try_exists(&manage).await {
        Ok(true) => manage,
        _ => dir.join("index.html"),
    };
    let mut response = page(&state, &profile, &index).await;
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The booking page's Content-Security-Policy: its own files only, its inline start-up
/// script by hash, wasm compiled from its own origin, and never framed.
fn page_policy(html: &str) -> String {
    let scripts: String = inline_scripts(html)
        .map(|body| {
            format!(
                " 'sha256-{}'",
                BASE64.encode(Sha256::digest(body.as_bytes()))
            )
        })
        .collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{scripts}; connect-src 'self'; \
         style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

/// The bodies of the page's `<script>` elements that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// Replaces the text of the page's `<title>`, escaped.
fn with_title(html: &str, title: &str) -> String {
    let escaped = html_escape::encode_text(title);
    match (html.find("<title>"), html.find("</title>")) {
        (Some(open), Some(close)) if open < close => {
            format!("{}<title>{escaped}{}", &html[..open], &html[close..])
        }
        _ => html.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_their_hash_and_nothing_else_inline() {
        let html =
            "<script type=module>init()</script><script src=/a.js></script><script>x</script>";
        let bodies: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(bodies, ["init()", "x"]);
        let policy = page_policy(html);
        let hash = BASE64.encode(Sha256::digest(b"init()"));
        assert!(policy.contains(&format!("'sha256-{hash}'")), "{policy}");
        assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"));
    }
}
