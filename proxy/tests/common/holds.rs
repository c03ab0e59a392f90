//! Holds through a remote profile: the calls tests make, and the fault checks every
//! provider that keeps holds itself must pass.

use std::time::Duration;

use axum::http::Method;
use booking_wire::{ErrorCode, ErrorEnvelope, SlotsResponse};
use provider_fakes::{Fault, FaultKind};
use serde_json::{json, Value};

use super::remote::{start, Case, Remote};

/// The profile keys of a remote profile with holds.
pub const HOLDING: &str = "hold_minutes = 10";

impl Remote {
    pub async fn hold(&self, start: &str) -> reqwest::Response {
        let body = json!({ "start": start, "duration": 30 });
        self.proxy.post(&self.path("/holds"), &body, None).await
    }

    /// A hold that must be placed: its id.
    pub async fn held(&self, start: &str) -> String {
        let response = self.hold(start).await;
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        let body: Value = response.json().await.expect("hold JSON");
        body["hold"].as_str().expect("a hold id").to_owned()
    }

    pub async fn release(&self, hold: &str) -> reqwest::Response {
        let url = self.proxy.url(&format!("/api/v1/holds/{hold}"));
        self.proxy.client.delete(url).send().await.expect("release")
    }

    /// Books `start` (30 minutes) with `hold`.
    pub async fn book_held(&self, start: &str, fields: Value, hold: &str) -> reqwest::Response {
        let body = json!({
            "start": start, "duration": 30, "time_zone": "Europe/Paris",
            "name": "Ada Lovelace", "email": "ada@example.com",
            "fields": fields, "guests": [], "notes": "", "hold": hold,
        });
        self.proxy.post(&self.path("/bookings"), &body, None).await
    }

    /// The starts the proxy offers for the next two weeks, in UTC.
    pub async fn offered(&self) -> Vec<String> {
        let response = self.slots(None).await;
        assert_eq!(response.status(), 200, "slots should load");
        let body: SlotsResponse = response.json().await.expect("slots JSON");
        body.slots.iter().map(|s| super::rfc3339(s.start)).collect()
    }

    /// The calls that change something the fake received since `before` of them (GETs,
    /// the slot look-ups, left out), as (method, path).
    pub fn changes_since(&self, before: usize) -> Vec<(String, String)> {
        self.calls_since(before)
            .into_iter()
            .filter(|(method, _)| method != "GET")
            .collect()
    }
}

pub async fn code(response: reqwest::Response) -> (u16, ErrorCode) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body: ErrorEnvelope =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not our error envelope: {text}"));
    (status, body.error.code)
}

fn fault(kind: FaultKind, method: Method) -> Option<Fault> {
    Some(Fault {
        kind,
        method: Some(method),
        times: None,
    })
}

/// A provider's faults while holding, releasing and booking with a hold, mapped as for
/// bookings: a timeout 504, a 5xx or an unexpected 4xx 502; nothing is kept that the
/// provider did not make, and a hold the provider could not give up or book stays.
pub async fn check_hold_faults(case: &Case, release: Method) {
    let slow = FaultKind::Slow(Duration::from_secs(10));
    for (kind, expected) in [
        (slow.clone(), (504, ErrorCode::UpstreamTimeout)),
        (FaultKind::Status(500), (502, ErrorCode::UpstreamError)),
        (FaultKind::Status(422), (502, ErrorCode::UpstreamError)),
    ] {
        let what = format!("{}: {kind:?}", case.provider);
        // Placing: refused, nothing held, the slot still offered.
        let r = start(case, case.key, HOLDING).await;
        let first = r.first_slot().await;
        r.fake.control.set_fault(fault(kind.clone(), Method::POST));
        assert_eq!(code(r.hold(&first).await).await, expected, "hold {what}");
        r.fake.control.set_fault(None);
        assert!(r.offered().await.contains(&first), "{what}");

        // Releasing: refused, the hold kept; a later release goes through.
        let hold = r.held(&first).await;
        r.fake
            .control
            .set_fault(fault(kind.clone(), release.clone()));
        assert_eq!(
            code(r.release(&hold).await).await,
            expected,
            "release {what}"
        );
        r.fake.control.set_fault(None);
        assert!(!r.offered().await.contains(&first), "still held: {what}");
        assert_eq!(r.release(&hold).await.status(), 204, "{what}");
        assert!(r.offered().await.contains(&first), "{what}");

        // Booking with the hold: refused, the hold kept for a retry.
        let hold = r.held(&first).await;
        r.fake.control.set_fault(fault(kind.clone(), Method::POST));
        let fields = (case.fields)();
        let failed = r.book_held(&first, fields.clone(), &hold).await;
        assert_eq!(code(failed).await, expected, "book {what}");
        r.fake.control.set_fault(None);
        if matches!(kind, FaultKind::Slow(_)) {
            // The slow request may still land: whatever it made, the retry must not 500.
            continue;
        }
        let retried = r.book_held(&first, fields, &hold).await;
        assert_eq!(retried.status(), 201, "{what}: {:?}", retried.text().await);
    }
}

/// A time the provider will not reserve, because someone took it between the proxy's look
/// at the slots and its reservation, is 409: the fake holds the proxy's reservation back
/// until `take` (a direct call to the fake) has taken the time.
pub async fn check_taken_meanwhile<F, Fut>(case: &Case, path: &str, take: F)
where
    F: FnOnce(String, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let r = start(case, case.key, HOLDING).await;
    let first = r.first_slot().await;
    r.fake.control.set_fault(Some(Fault {
        kind: FaultKind::Slow(Duration::from_millis(300)),
        method: Some(Method::POST),
        times: Some(1),
    }));
    let holding = r.hold(&first);
    let taking = async {
        // Bounded: the proxy's reservation reaches the fake within two seconds.
        for _ in 0..200 {
            if !r.requests(Method::POST, path).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        take(r.fake.base_url.clone(), first.clone()).await;
    };
    let (response, ()) = tokio::join!(holding, taking);
    assert_eq!(
        code(response).await,
        (409, ErrorCode::SlotUnavailable),
        "{}",
        case.provider
    );
    assert_eq!(r.requests(Method::POST, path).len(), 2, "{}", case.provider);
}
