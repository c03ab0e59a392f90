//! Who is asking: the socket's peer address, unless the peer is a trusted reverse proxy
//! (`server.trusted_proxies`), in which case the rightmost address in `X-Forwarded-For`
//! that is not itself trusted. Addresses to its left were written by the client and prove
//! nothing; from an untrusted peer the header is ignored entirely. Rate limits key on it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::GovernorError;

/// The client's address, put in each request's extensions by [`resolve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

/// The client behind `peer`, given the `X-Forwarded-For` headers it sent.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Every hop appends the address it was called from; read from the nearest one back.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            // Not an address: written by the client, so the hop after it is the answer.
            Err(_) => return client,
        }
    }
    client
}

/// Middleware: reads the client's address once and keeps it in the request.
pub async fn resolve(
    State(trusted): State<Arc<[IpNet]>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let client = client_addr(peer, request.headers(), &trusted);
        request.extensions_mut().insert(ClientAddr(client));
    }
    next.run(request).await
}

/// The rate limiter's key: the client's address from [`resolve`].
#[derive(Debug, Clone, Copy)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<IpAddr, GovernorError> {
        request
            .extensions()
            .get::<ClientAddr>()
            .map(|ClientAddr(ip)| *ip)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let via_proxy = ip("10.0.0.5");
        // A client that forges a first entry gains nothing: its real address is appended.
        let h = headers(&["203.0.113.9, 198.51.100.7"]);
        assert_eq!(client_addr(via_proxy, &h, &trusted), ip("198.51.100.7"));
        // Two trusted hops, and the header split over two lines.
        let h = headers(&["198.51.100.7", "10.1.1.1"]);
        assert_eq!(client_addr(via_proxy, &h, &trusted), ip("198.51.100.7"));
        // No header from a trusted peer: the peer itself.
        assert_eq!(client_addr(via_proxy, &headers(&[]), &trusted), via_proxy);
        // Garbage left of the appended address stops the walk at that address.
        let h = headers(&["nonsense, 198.51.100.7"]);
        assert_eq!(client_addr(via_proxy, &h, &trusted), ip("198.51.100.7"));
        let h = headers(&["10.2.2.2, nonsense"]);
        assert_eq!(client_addr(via_proxy, &h, &trusted), via_proxy);
        // IPv6.
        let h = headers(&["2001:db8::1"]);
        assert_eq!(client_addr(via_proxy, &h, &trusted), ip("2001:db8::1"));
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&["203.0.113.9"]);
        assert_eq!(client_addr(ip("192.0.2.1"), &h, &trusted), ip("192.0.2.1"));
        assert_eq!(client_addr(ip("192.0.2.1"), &h, &[]), ip("192.0.2.1"));
    }
}
