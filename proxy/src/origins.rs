//! A page whose origin is not in `server.allowed_origins` gets no CORS answer: its
//! visitors' browsers refuse every answer ("could not reach the booking service") while
//! the proxy answers normally. So such an origin is logged, once, naming the key to set.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// How many origins are remembered; past that, new ones are no longer logged.
const REMEMBERED: usize = 1_000;

pub struct Origins {
    allowed: Vec<String>,
    logged: Mutex<HashSet<String>>,
}

impl Origins {
    pub fn new(allowed: &[String]) -> Self {
        Self {
            allowed: allowed.to_vec(),
            logged: Mutex::new(HashSet::new()),
        }
    }

    /// Whether `origin` is one a page's answers are refused to (not listed, and not the
    /// proxy's own site, whose pages need no CORS).
    fn refused(&self, origin: &str, host: Option<&str>) -> bool {
        let own = host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, a)| a == h));
        !own && origin != "null" && !self.allowed.iter().any(|a| a == origin)
    }

    /// True the first time `origin` is seen.
    fn first_time(&self, origin: &str) -> bool {
        let mut logged = self.logged.lock().unwrap_or_else(|p| p.into_inner());
        logged.len() < REMEMBERED && logged.insert(origin.to_owned())
    }
}

/// Middleware: notes a request from a page of an origin that is not allowed.
pub async fn watch(State(origins): State<Arc<Origins>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if let Some(origin) = origin {
        if origins.refused(origin, host) && origins.first_time(origin) {
            tracing::warn!(
                %origin,
                "a page at this origin calls the API but is not in server.allowed_origins: \
                 its visitors' browsers will refuse every answer; add it to allowed_origins"
            );
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_own_and_opaque_origins_are_not_refused() {
        let origins = Origins::new(&["https://shop.example".to_owned()]);
        assert!(!origins.refused("https://shop.example", Some("book.example")));
        assert!(!origins.refused("https://book.example", Some("book.example")));
        assert!(!origins.refused("http://127.0.0.1:8080", Some("127.0.0.1:8080")));
        assert!(origins.refused("https://other.example", Some("book.example")));
        assert!(origins.first_time("https://other.example"));
        assert!(
            !origins.first_time("https://other.example"),
            "once per origin"
        );
    }
}
