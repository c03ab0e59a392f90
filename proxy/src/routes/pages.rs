//! `/healthz` and the public booking page `/book/{profile}`.

use axum::extract::{Path, RawQuery, State};
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

/// The built widget's `index.html` with the profile's title and the query's theme; the
/// widget reads the profile id from the path. An unknown profile still gets the page (the
/// widget explains) with 404.
pub async fn book_page(
    State(state): State<AppState>,
    Path(profile): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let index = state.config().server.assets_dir.join("index.html");
    page(&state, &profile, &index, Theme::asked(query.as_deref())).await
}

/// The page built in `index` for `profile`.
async fn page(state: &AppState, profile: &str, index: &std::path::Path, theme: Theme) -> Response {
    let Ok(html) = tokio::fs::read_to_string(&index).await else {
        tracing::error!(path = %index.display(), "widget not built: index.html missing");
        let body = "The booking page is not built yet. Run `make build`.";
        return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    };
    let loader = assets::loader(&state.config().server.assets_dir).await;
    let html = with_loader_of_build(&html, loader.as_bytes());
    // Before the title and the data go in: no text of theirs is taken for the attribute.
    let html = with_theme(&html, theme);
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
    RawQuery(query): RawQuery,
) -> Response {
    let dir = &state.config().server.assets_dir;
    let manage = dir.join(assets::MANAGE_DIR).join("index.html");
    let index = match tokio::fs::try_exists(&manage).await {
        Ok(true) => manage,
        _ => dir.join("index.html"),
    };
    let mut response = page(&state, &profile, &index, Theme::asked(query.as_deref())).await;
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The booking page's Content-Security-Policy: its own files only, its inline start-up
/// script and stylesheet by hash, wasm compiled from its own origin, the loader's worker
/// (a blob: it makes the page's first `Intl` calls off the main thread), and never framed.
fn page_policy(html: &str) -> String {
    let hashes = |tag| -> String {
        inline(html, tag)
            .into_iter()
            .map(|body| {
                format!(
                    " 'sha256-{}'",
                    BASE64.encode(Sha256::digest(body.as_bytes()))
                )
            })
            .collect()
    };
    let (scripts, styles) = (hashes("script"), hashes("style"));
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{scripts}; connect-src 'self'; \
         style-src 'self'{styles}; img-src 'self' data:; worker-src blob:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// The bodies of the page's `tag` elements (`script`, `style`) that have no `src`.
fn inline<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let close = format!("</{tag}>");
    html.split(&format!("<{tag}"))
        .skip(1)
        .filter_map(|rest| {
            let (attributes, after) = rest.split_once('>')?;
            let (body, _) = after.split_once(close.as_str())?;
            (!attributes.contains("src=")).then_some(body)
        })
        .collect()
}

/// `html` with its loader's address made its build's own, `/widget.js?v=<digest of the page
/// and the loader>`: the loader mounts the page's widget, and a browser that kept an older
/// one (cached for a week, served stale while it asks again) would not.
fn with_loader_of_build(html: &str, loader: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(html.as_bytes())
        .chain_update(loader)
        .finalize();
    let version: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    html.replace("src=/widget.js", &format!("src=/widget.js?v={version}"))
        .replace(
            "src=\"/widget.js\"",
            &format!("src=\"/widget.js?v={version}\""),
        )
}

/// The page's colours, from its `?theme=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Theme {
    /// The visitor's system setting (`prefers-color-scheme`), as it changes.
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// The first `theme` in `query`: `light` or `dark`; anything else, or none, is `Auto`.
    fn asked(query: Option<&str>) -> Self {
        let asked = query.and_then(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .find_map(|(key, value)| (key == "theme").then_some(value))
        });
        match asked.as_deref() {
            Some("light") => Self::Light,
            Some("dark") => Self::Dark,
            _ => Self::Auto,
        }
    }
}

/// `html` with `theme` for the `data-theme="auto"` that the page's `<html>` and the widget's
/// element carry (index.html; the minified build drops the quotes): the widget's tokens and
/// the page's CSS read it there. `Auto` leaves the page as it is.
fn with_theme(html: &str, theme: Theme) -> String {
    let name = match theme {
        Theme::Auto => return html.to_owned(),
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    html.replace("data-theme=\"auto\"", &format!("data-theme=\"{name}\""))
        .replace("data-theme=auto", &format!("data-theme={name}"))
}

/// Replaces the text of the page's `<title>` and of its `<h1>` (read by assistive
/// technology only: the widget shows the title), escaped.
fn with_title(html: &str, title: &str) -> String {
    let escaped = html_escape::encode_text(title);
    ["title", "h1"].iter().fold(html.to_owned(), |html, tag| {
        let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
        let text_start = html
            .find(&open)
            .and_then(|at| html[at..].find('>').map(|end| at + end + 1));
        match (text_start, html.find(&close)) {
            (Some(start), Some(end)) if start <= end => {
                format!("{}{escaped}{}", &html[..start], &html[end..])
            }
            _ => html,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_and_styles_are_allowed_by_their_hash_and_nothing_else_inline() {
        let html = "<style>body{margin:0}</style><script type=module>init()</script>\
            <script src=/a.js></script><script>x</script>";
        assert_eq!(inline(html, "script"), ["init()", "x"]);
        assert_eq!(inline(html, "style"), ["body{margin:0}"]);
        let policy = page_policy(html);
        let hash = |body: &str| format!("'sha256-{}'", BASE64.encode(Sha256::digest(body)));
        let (scripts, styles) = policy.split_once("style-src").unwrap();
        assert!(scripts.contains(&hash("init()")), "{policy}");
        assert!(styles.contains(&hash("body{margin:0}")), "{policy}");
        assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"));
    }

    #[test]
    fn the_title_and_the_heading_carry_the_profiles_title_escaped() {
        let html = "<title>Book a time</title><body><h1 class=vh>Book a time</h1><main></main>";
        assert_eq!(
            with_title(html, "Tea & <cake>"),
            "<title>Tea &amp; &lt;cake&gt;</title><body><h1 class=vh>Tea &amp; &lt;cake&gt;</h1><main></main>"
        );
        // A page without a heading keeps what it has.
        assert_eq!(with_title("<title>a</title>", "b"), "<title>b</title>");
    }

    #[test]
    fn the_query_names_the_theme_and_anything_else_is_auto() {
        for (query, theme) in [
            (None, Theme::Auto),
            (Some(""), Theme::Auto),
            (Some("theme=dark"), Theme::Dark),
            (Some("locale=fr&theme=light"), Theme::Light),
            (Some("theme=auto"), Theme::Auto),
            (Some("theme=Sepia"), Theme::Auto),
            (Some("theme="), Theme::Auto),
            (Some("theme=dark&theme=light"), Theme::Dark),
            (Some("theme=%64ark"), Theme::Dark),
            (Some("theme=%ff%fe&x"), Theme::Auto),
            (Some("themes=dark"), Theme::Auto),
        ] {
            assert_eq!(Theme::asked(query), theme, "{query:?}");
        }
    }

    #[test]
    fn the_page_asks_for_its_builds_loader() {
        let minified = "<main id=booking-widget></main><script defer src=/widget.js></script>";
        let source = r#"<main id="booking-widget"></main><script src="/widget.js" defer></script>"#;
        let address = |html: &str| {
            let at = html.find("/widget.js").unwrap();
            html[at..].split(['"', '>']).next().unwrap().to_owned()
        };
        let one = with_loader_of_build(minified, b"loader one");
        let version = address(&one);
        assert!(
            version.len() == "/widget.js?v=".len() + 16
                && version["/widget.js?v=".len()..]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit()),
            "{version}"
        );
        assert_eq!(one.replace(&version, "/widget.js"), minified);
        // Another loader, or another page (another build's bundle), another address.
        assert_ne!(
            address(&with_loader_of_build(minified, b"loader two")),
            version
        );
        assert_ne!(
            address(&with_loader_of_build(
                &minified.replace("main", "div"),
                b"loader one"
            )),
            version
        );
        assert_eq!(
            address(&with_loader_of_build(minified, b"loader one")),
            version
        );
        assert!(address(&with_loader_of_build(source, b"loader one")).starts_with("/widget.js?v="));
    }

    #[test]
    fn the_theme_is_written_on_the_page_and_its_widget() {
        let source = r#"<html lang="en" data-theme="auto"><main id="booking-widget" data-theme="auto"></main>"#;
        let minified =
            "<html data-theme=auto lang=en><main data-theme=auto id=booking-widget></main>";
        assert_eq!(
            with_theme(source, Theme::Dark),
            r#"<html lang="en" data-theme="dark"><main id="booking-widget" data-theme="dark"></main>"#
        );
        assert_eq!(
            with_theme(minified, Theme::Light),
            "<html data-theme=light lang=en><main data-theme=light id=booking-widget></main>"
        );
        assert_eq!(with_theme(minified, Theme::Auto), minified);
    }
}
