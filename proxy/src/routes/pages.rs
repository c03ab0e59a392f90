//! `/healthz` and the public booking page `/book/{profile}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::state::AppState;

pub async fn healthz() -> &'static str {
    "ok"
}

/// The built widget's `index.html` with the profile's title; the widget reads the profile
/// id from the path. An unknown profile still gets the page (the widget explains) with 404.
pub async fn book_page(State(state): State<AppState>, Path(profile): Path<String>) -> Response {
    let index = state.config().server.assets_dir.join("index.html");
    let Ok(html) = tokio::fs::read_to_string(&index).await else {
        tracing::error!(path = %index.display(), "widget not built: index.html missing");
        let body = "The booking page is not built yet. Run `make build`.";
        return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    };
    let (status, title) = match state.provider(&profile) {
        Ok(provider) => match provider.profile().await {
            Ok(p) => (StatusCode::OK, p.title),
            Err(_) => (StatusCode::OK, "Book a time".to_owned()),
        },
        Err(_) => (
            StatusCode::NOT_FOUND,
            "Booking profile not found".to_owned(),
        ),
    };
    (status, Html(with_title(&html, &title))).into_response()
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
