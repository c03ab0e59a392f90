//! Webhooks from the real binary to a receiver that verifies them with the Standard
//! Webhooks reference library: delivered at least once across a SIGKILL, in order after
//! the receiver was down, stopped by a 410 until the operator re-queues.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::peers::{free_port, until, Peer};
use common::process::Proxy;
use common::{booking, open_config, tomorrow_plus};
use serde_json::{json, Value};

const BOOK: &str = "/api/v1/profiles/open/bookings";
/// The specification's example secret.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WAIT: Duration = Duration::from_secs(30);

struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
    clock: PathBuf,
    control: PathBuf,
}

impl Setup {
    /// A receiver's files, before its config.
    fn new(control: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("proxy.toml");
        let clock = dir.path().join("clock");
        std::fs::write(&clock, "0").unwrap();
        let control_file = dir.path().join("control");
        std::fs::write(&control_file, control).unwrap();
        Self {
            dir,
            config,
            clock,
            control: control_file,
        }
    }

    /// The config, sending webhooks to `port`.
    fn webhooks_to(&self, port: u16) {
        let text = open_config("bookings_per_minute = 1000", "");
        let text = format!(
            "{text}\n[[webhooks]]\nurl = \"http://127.0.0.1:{port}/hooks/booking?key=path-secret\"\nsecret_env = \"TEST_WEBHOOK_SECRET\"\n"
        );
        std::fs::write(&self.config, text).unwrap();
    }

    fn proxy(&self) -> Proxy {
        Proxy::start(
            &self.config,
            &[
                ("TEST_WEBHOOK_SECRET", SECRET),
                ("BOOKING_PROXY_CLOCK_FILE", self.clock.to_str().unwrap()),
            ],
        )
    }

    fn receiver(&self, port: u16) -> Peer {
        Peer::webhooks(self.dir.path(), port, SECRET, &self.control)
    }

    fn set(&self, file: &Path, text: &str) {
        std::fs::write(file, text).unwrap();
    }

    fn outbox(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
            .args(["outbox", "--config"])
            .arg(&self.config)
            .args(args)
            .output()
            .expect("run booking-proxy");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    fn outbox_json(&self) -> Vec<Value> {
        serde_json::from_str(&self.outbox(&["list", "--json"])).expect("a JSON list")
    }
}

async fn book(proxy: &Proxy, minutes: i64) -> (String, String) {
    let response = reqwest::Client::new()
        .post(proxy.url(BOOK))
        .json(&booking(&tomorrow_plus(minutes), 30))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let made: Value = response.json().await.unwrap();
    (
        made["id"].as_str().unwrap().to_owned(),
        made["manage_token"].as_str().unwrap().to_owned(),
    )
}

async fn manage(proxy: &Proxy, token: &str, action: &str, body: Value) {
    let response = reqwest::Client::new()
        .post(proxy.url(&format!("/api/v1/bookings/{token}/{action}")))
        .json(&body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{action}");
}

fn types(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["body"]["type"].as_str().unwrap_or("?"))
        .collect()
}

fn all_verified(records: &[Value]) {
    for r in records {
        assert_eq!(r["verified"], json!(true), "{r}");
        assert_eq!(r["content_type"], "application/json", "{r}");
        assert!(r["signature"].as_str().unwrap().starts_with("v1,"), "{r}");
    }
}

#[tokio::test]
async fn a_webhook_cut_off_by_sigkill_is_delivered_after_the_restart_with_the_same_id() {
    let setup = Setup::new("hang");
    let receiver = setup.receiver(0);
    setup.webhooks_to(receiver.port);
    let mut proxy = setup.proxy();
    let (id, _) = book(&proxy, 600).await;

    // The receiver holds the first attempt: the proxy dies in the middle of it.
    let first = receiver.wait(WAIT, |r| !r.is_empty());
    proxy.signal("KILL");
    assert!(proxy.exited_within(Duration::from_secs(10)).is_some());
    setup.set(&setup.control, "200");
    // Past the dead attempt's lease (60 s) on the restarted proxy's clock.
    setup.set(&setup.clock, "90");
    let proxy = setup.proxy();
    let got = receiver.wait(WAIT, |r| r.iter().any(|r| r["answer"] == "200"));

    assert_eq!(got.len(), 2, "the cut-off attempt and one more");
    all_verified(&got);
    assert_eq!(got[0]["id"], first[0]["id"]);
    assert_eq!(
        got[1]["id"], first[0]["id"],
        "webhook-id is stable across attempts"
    );
    assert_eq!(
        got[0]["body"], got[1]["body"],
        "the same body on every attempt"
    );
    let data = &got[1]["body"]["data"];
    assert_eq!(got[1]["body"]["type"], "booking.created");
    assert_eq!(data["id"], id.as_str());
    assert_eq!(data["profile"], "open");
    assert_eq!(data["name"], "Ada Lovelace");
    assert_eq!(data["email"], "ada@example.com");
    assert_eq!(data["fields"]["topic"], "Pricing");
    assert_eq!(data["start"], tomorrow_plus(600));

    until(WAIT, "the outbox records it sent", || {
        let rows = setup.outbox_json();
        rows.len() == 1 && rows[0]["state"] == "sent" && rows[0]["attempts"] == 2
    });
    let log = proxy.logs();
    assert!(!log.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "{log}");
    assert!(!log.contains("path-secret"), "{log}");
}

#[tokio::test]
async fn a_receiver_down_for_a_while_then_up_gets_every_change_in_order() {
    let port = free_port();
    let setup = Setup::new("200");
    setup.webhooks_to(port);
    let proxy = setup.proxy();
    let (_, token) = book(&proxy, 600).await;
    manage(
        &proxy,
        &token,
        "reschedule",
        json!({ "start": tomorrow_plus(720), "time_zone": "Europe/Paris" }),
    )
    .await;
    manage(
        &proxy,
        &token,
        "cancel",
        json!({ "reason": "Something came up" }),
    )
    .await;

    until(WAIT, "a failed attempt", || {
        setup
            .outbox_json()
            .iter()
            .any(|r| r["attempts"].as_u64() >= Some(1) && r["last_error"].is_string())
    });
    let pending = setup.outbox_json();
    assert_eq!(pending.len(), 3);
    assert!(
        pending.iter().all(|r| r["state"] == "pending"),
        "{pending:?}"
    );

    let receiver = setup.receiver(port);
    // Past the backoff's wait.
    setup.set(&setup.clock, "3600");
    let got = receiver.wait(WAIT, |r| r.len() >= 3);
    assert_eq!(
        types(&got),
        [
            "booking.created",
            "booking.rescheduled",
            "booking.cancelled"
        ]
    );
    all_verified(&got);
    let ids: std::collections::BTreeSet<_> = got.iter().map(|r| r["id"].to_string()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(got[1]["body"]["data"]["start"], tomorrow_plus(720));
    assert_eq!(got[2]["body"]["data"]["status"], "cancelled");
    until(WAIT, "all sent", || {
        setup.outbox_json().iter().all(|r| r["state"] == "sent")
    });
    assert_eq!(receiver.records().len(), 3, "each once");
}

#[tokio::test]
async fn a_410_disables_the_endpoint_until_the_operator_requeues() {
    let setup = Setup::new("410");
    let receiver = setup.receiver(0);
    setup.webhooks_to(receiver.port);
    let proxy = setup.proxy();
    book(&proxy, 600).await;
    receiver.wait(WAIT, |r| r.len() == 1);
    until(WAIT, "disabled", || {
        setup.outbox_json().iter().all(|r| r["state"] == "disabled")
    });
    // Later changes are not sent there either.
    book(&proxy, 720).await;
    let rows = setup.outbox_json();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["state"] == "disabled"), "{rows:?}");
    assert_eq!(
        proxy.logs().matches("410 Gone").count(),
        1,
        "{}",
        proxy.logs()
    );

    setup.set(&setup.control, "200");
    assert!(setup.outbox(&["retry"]).contains("re-queued 2"));
    let got = receiver.wait(WAIT, |r| r.len() == 3);
    all_verified(&got);
    assert_eq!(got[1]["body"]["data"]["start"], tomorrow_plus(600));
    assert_eq!(got[2]["body"]["data"]["start"], tomorrow_plus(720));
    until(WAIT, "all sent", || {
        setup.outbox_json().iter().all(|r| r["state"] == "sent")
    });
}
