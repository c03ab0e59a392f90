//! Manage tokens: the one credential of a booking's manage link. 256 bits from the
//! operating system's random source, written URL-safe (43 characters); the store keeps
//! only their SHA-256, so the database cannot give them away.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A token's length as written.
const LENGTH: usize = 43;

/// A new token and its hash.
pub fn issue() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = digest(&token);
    (token, hash)
}

/// The hash to look `token` up by; `None` for what cannot be a token at all (which then
/// gets the same answer as an unknown one).
pub fn hash(token: &str) -> Option<String> {
    let shaped = token.len() == LENGTH
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    shaped.then(|| digest(token))
}

/// Whether a stored hash is `hash`, compared in constant time (the look-up found the row
/// by an index; this is the check that counts).
pub fn matches(stored: &str, hash: &str) -> bool {
    stored.as_bytes().ct_eq(hash.as_bytes()).into()
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_url_safe_and_only_their_hash_matches() {
        let (a, hash_a) = issue();
        let (b, _) = issue();
        assert_ne!(a, b);
        assert_eq!(a.len(), LENGTH);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(hash(&a).as_deref(), Some(hash_a.as_str()));
        assert!(matches(&hash_a, &hash(&a).unwrap()));
        assert!(!matches(&hash_a, &hash(&b).unwrap()));
        assert_ne!(hash_a, a, "the hash is not the token");
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}=", &a[..42]),
            "../../etc/passwd",
        ] {
            assert_eq!(hash(bad), None, "{bad:?}");
        }
    }
}
