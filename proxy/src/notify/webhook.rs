//! Webhooks as the Standard Webhooks specification has them: a JSON POST signed over
//! `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint's `whsec_` secret.

use std::time::Duration;

use base64::Engine;
use reqwest::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use standardwebhooks::Webhook;

use super::worker::Outcome;

/// How long an endpoint may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The signer of a `whsec_<base64>` secret (24 to 64 bytes, as the specification asks).
/// The error names the problem, never the secret.
pub fn signer(secret: &str) -> Result<Webhook, String> {
    let encoded = secret
        .strip_prefix("whsec_")
        .ok_or("is not a Standard Webhooks secret (whsec_ followed by base64)")?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| "is not a Standard Webhooks secret (whsec_ followed by base64)")?;
    if !(24..=64).contains(&key.len()) {
        return Err("must hold 24 to 64 bytes after whsec_ (base64)".into());
    }
    Webhook::new(secret).map_err(|_| "is not a Standard Webhooks secret".into())
}

/// The client every webhook goes through: rustls, no redirects (a 3xx is a failure, as
/// the specification asks), the time limit above.
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("booking-proxy/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the webhook client: {e}"))
}

/// The three headers' values for one attempt.
pub fn headers(
    signer: &Webhook,
    id: &str,
    timestamp: i64,
    body: &str,
) -> Result<[(&'static str, String); 3], String> {
    let signature = signer
        .sign(id, timestamp, body.as_bytes())
        .map_err(|_| "cannot sign the body".to_owned())?;
    Ok([
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ])
}

/// One attempt. Errors name what went wrong, never the URL (it may hold a token).
pub async fn send(
    client: &reqwest::Client,
    signer: &Webhook,
    url: &str,
    id: &str,
    body: &str,
) -> Outcome {
    let timestamp = chrono::Utc::now().timestamp();
    let headers = match headers(signer, id, timestamp, body) {
        Ok(headers) => headers,
        Err(e) => return Outcome::Failed(e),
    };
    let mut request = client
        .post(url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => Outcome::Sent,
        Ok(response) if response.status() == StatusCode::GONE => Outcome::Gone,
        Ok(response) => {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            Outcome::Retry(
                format!("answered {}", response.status().as_u16()),
                retry_after,
            )
        }
        Err(e) if e.is_timeout() => {
            Outcome::Retry(format!("no answer within {} s", TIMEOUT.as_secs()), None)
        }
        Err(e) if e.is_connect() => Outcome::Retry("could not connect".into(), None),
        Err(e) => Outcome::Retry(format!("request failed: {}", e.without_url()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector the specification's reference libraries share.
    #[test]
    fn signatures_match_the_specifications_test_vector() {
        let signer = signer("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let [id, timestamp, signature] = headers(
            &signer,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(id, ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek".into()));
        assert_eq!(timestamp, ("webhook-timestamp", "1614265330".into()));
        assert_eq!(
            signature,
            (
                "webhook-signature",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".into()
            )
        );
    }

    #[test]
    fn secrets_must_be_whsec_base64_of_24_to_64_bytes() {
        assert!(signer("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok());
        for bad in [
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_not base64!",
            "whsec_c2hvcnQ=",
        ] {
            let message = signer(bad).err().unwrap();
            assert!(!message.contains(bad), "{message}");
        }
    }
}
