//! Emails from the real binary to a real SMTP server (aiosmtpd), each parsed as MIME and
//! its calendar part by an independent parser (Python's email and icalendar packages):
//! the invitations of a booking's life, host copies, escaping, and reminders on a clock
//! the test moves.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use common::peers::{until, Peer};
use common::process::Proxy;
use common::{open_config, tomorrow_plus};
use serde_json::{json, Value};

const BOOK: &str = "/api/v1/profiles/open/bookings";
const WAIT: Duration = Duration::from_secs(30);
const TOPIC: &str = "Pricing; tiers, & <b>bold</b> \\ end";

struct Setup {
    _dir: tempfile::TempDir,
    config: PathBuf,
    clock: PathBuf,
    smtp: Peer,
}

impl Setup {
    /// With a title that asks nothing: bookings without answers.
    fn plain(profile_keys: &str) -> Self {
        Self::with_title("Open call", profile_keys)
    }

    fn new(profile_keys: &str) -> Self {
        Self::with_title("Open call about {{topic}}", profile_keys)
    }

    fn with_title(title: &str, profile_keys: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let smtp = Peer::smtp(dir.path());
        let config = dir.path().join("proxy.toml");
        let text = open_config("bookings_per_minute = 1000", profile_keys)
            .replacen(
                "[server]\n",
                "[server]\npublic_url = \"https://book.example.com/\"\n",
                1,
            )
            .replace("Open call about {{topic}}", title);
        let text = format!(
            "{text}\n[email]\nsmtp_url = \"smtp://127.0.0.1:{}?tls=none\"\nfrom = \"Example Bookings <bookings@example.com>\"\n",
            smtp.port
        );
        std::fs::write(&config, text).unwrap();
        let clock = dir.path().join("clock");
        std::fs::write(&clock, "0").unwrap();
        Self {
            _dir: dir,
            config,
            clock,
            smtp,
        }
    }

    fn proxy(&self) -> Proxy {
        Proxy::start(
            &self.config,
            &[("BOOKING_PROXY_CLOCK_FILE", self.clock.to_str().unwrap())],
        )
    }

    /// Moves the proxy's clock to `at`.
    fn clock_at(&self, at: DateTime<Utc>) {
        let offset = (at - Utc::now()).num_seconds();
        std::fs::write(&self.clock, offset.to_string()).unwrap();
    }

    fn outbox(&self) -> Vec<Value> {
        let out = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
            .args(["outbox", "--config"])
            .arg(&self.config)
            .args(["list", "--json"])
            .output()
            .expect("run booking-proxy");
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).expect("a JSON list")
    }

    /// The visitor's emails, once there are `n`.
    fn visitor_mail(&self, n: usize) -> Vec<Value> {
        let to_visitor = |r: &Value| r["rcpt"] == json!(["ada@example.com"]);
        let got = self
            .smtp
            .wait(WAIT, |r| r.iter().filter(|r| to_visitor(r)).count() >= n);
        got.into_iter().filter(to_visitor).collect()
    }
}

async fn book(proxy: &Proxy, start: &str, locale: &str) -> (String, String) {
    let body = json!({
        "start": start, "duration": 30, "time_zone": "Europe/Paris",
        "name": "Ada \"Countess\" Lovelace, <i>", "email": "ada@example.com",
        "fields": { "topic": TOPIC }, "guests": [], "notes": "line one\nline <two>",
        "locale": locale,
    });
    post(proxy, body).await
}

/// A booking with no answers (of a `Setup::plain` profile).
async fn book_plain(proxy: &Proxy, start: &str, locale: &str) -> (String, String) {
    let body = json!({
        "start": start, "duration": 30, "time_zone": "Europe/Paris",
        "name": "Ada", "email": "ada@example.com", "fields": {}, "guests": [], "notes": "",
        "locale": locale,
    });
    post(proxy, body).await
}

async fn post(proxy: &Proxy, body: Value) -> (String, String) {
    let response = reqwest::Client::new()
        .post(proxy.url(BOOK))
        .json(&body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let made: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{made}");
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

fn utc(text: &str) -> String {
    text.parse::<DateTime<Utc>>()
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[tokio::test]
async fn create_reschedule_and_cancel_send_invitations_an_independent_parser_reads() {
    let setup = Setup::new("notify = [\"host@example.com\"]");
    let proxy = setup.proxy();
    let (id, token) = book(&proxy, &tomorrow_plus(600), "de-DE").await;
    let link = format!("https://book.example.com/book/open/manage/{token}");
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
        json!({ "reason": "Plans changed; sorry, truly" }),
    )
    .await;
    let mail = setup.visitor_mail(3);
    assert_eq!(mail.len(), 3, "{mail:#?}");

    let summary = format!("Open call about {TOPIC}");
    let (created, moved, cancelled) = (&mail[0], &mail[1], &mail[2]);
    for (m, method, subject) in [
        (created, "REQUEST", "Buchung bestätigt"),
        (moved, "REQUEST", "Buchung verschoben"),
        (cancelled, "CANCEL", "Buchung storniert"),
    ] {
        assert!(m.get("error").is_none(), "{m}");
        assert!(m["subject"].as_str().unwrap().starts_with(subject), "{m}");
        assert_eq!(m["calendar_method_param"], method, "{m}");
        let cal = &m["calendar"];
        assert_eq!(cal["method"], method);
        assert_eq!(cal["events"], 1);
        assert_eq!(
            cal["summary"],
            summary.as_str(),
            "escaped and read back as written"
        );
        assert_eq!(
            cal["uid"], created["calendar"]["uid"],
            "one UID per booking"
        );
        assert_eq!(cal["organizer"]["value"], "mailto:bookings@example.com");
        assert_eq!(cal["attendee"]["value"], "mailto:ada@example.com");
        assert_eq!(cal["attendee"]["cn"], "Ada 'Countess' Lovelace, <i>");
        assert_eq!(cal["url"], link.as_str());
        assert!(
            cal["description"].as_str().unwrap().contains(&link),
            "{cal}"
        );
        assert!(cal["stamp"].as_str().unwrap().ends_with("+00:00"), "{cal}");
        assert_eq!(m["attachment"]["filename"], "invite.ics");
        assert_eq!(m["attachment"]["calendar"]["method"], method);
        // Multipart text + HTML, in German, with the link; visitor text escaped in HTML.
        let (text, html) = (m["text"].as_str().unwrap(), m["html"].as_str().unwrap());
        assert!(
            text.contains("Hallo Ada \"Countess\" Lovelace, <i>,"),
            "{text}"
        );
        assert!(text.contains(&link) && html.contains(&link), "{text}");
        assert!(
            html.contains("Ada &quot;Countess&quot; Lovelace, &lt;i&gt;")
                || html.contains("Ada \"Countess\" Lovelace, &lt;i&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;b&gt;bold&lt;/b&gt;") && !html.contains("<b>bold"),
            "{html}"
        );
        assert!(html.contains("line one<br>line &lt;two&gt;"), "{html}");
        assert!(m["types"]
            .as_array()
            .unwrap()
            .contains(&json!("multipart/alternative")));
    }
    assert!(created["calendar"]["uid"].as_str().unwrap().contains(&id));
    let seq = |m: &Value| m["calendar"]["sequence"].as_u64().unwrap();
    assert_eq!(
        (seq(moved), seq(cancelled)),
        (seq(created) + 1, seq(created) + 2)
    );
    assert_eq!(created["calendar"]["status"], "CONFIRMED");
    assert_eq!(cancelled["calendar"]["status"], "CANCELLED");
    assert_eq!(created["calendar"]["start"], utc(&tomorrow_plus(600)));
    assert_eq!(created["calendar"]["end"], utc(&tomorrow_plus(630)));
    assert_eq!(moved["calendar"]["start"], utc(&tomorrow_plus(720)));
    assert_eq!(cancelled["calendar"]["start"], utc(&tomorrow_plus(720)));
    assert!(cancelled["text"]
        .as_str()
        .unwrap()
        .contains("Plans changed; sorry, truly"));

    // The host's copies: the same events, who booked, and no manage link.
    let all = setup.smtp.wait(WAIT, |r| r.len() >= 6);
    let host: Vec<_> = all
        .iter()
        .filter(|r| r["rcpt"] == json!(["host@example.com"]))
        .collect();
    assert_eq!(host.len(), 3);
    let methods: Vec<_> = host
        .iter()
        .map(|m| m["calendar"]["method"].clone())
        .collect();
    assert_eq!(
        methods,
        [json!("REQUEST"), json!("REQUEST"), json!("CANCEL")]
    );
    for m in &host {
        assert!(
            m["text"].as_str().unwrap().contains("ada@example.com"),
            "{m}"
        );
        assert!(!m.to_string().contains("/manage/"), "{m}");
    }
    // Sent: the stored manage links are gone.
    until(WAIT, "all sent", || {
        setup
            .outbox()
            .iter()
            .all(|r| r["state"] == "sent" && r["has_link"] == false)
    });
}

#[tokio::test]
async fn reminders_go_at_their_time_move_with_a_reschedule_and_go_with_a_cancel() {
    let setup = Setup::plain("reminders = [60]");
    let proxy = setup.proxy();
    let start = |minutes| tomorrow_plus(minutes).parse::<DateTime<Utc>>().unwrap();
    book_plain(&proxy, &tomorrow_plus(600), "en").await;
    let (_, moved) = book_plain(&proxy, &tomorrow_plus(900), "fr").await;
    let (_, dropped) = book_plain(&proxy, &tomorrow_plus(1200), "en").await;
    manage(
        &proxy,
        &moved,
        "reschedule",
        json!({ "start": tomorrow_plus(1080), "time_zone": "Europe/Paris" }),
    )
    .await;
    manage(&proxy, &dropped, "cancel", json!({})).await;
    // Creations, a move and a cancel: five emails.
    setup.visitor_mail(5);

    let reminders = |state: &str| -> Vec<String> {
        setup
            .outbox()
            .iter()
            .filter(|r| r["event"] == "booking.reminder" && r["state"] == state)
            .map(|r| r["due"].as_str().unwrap().to_owned())
            .collect()
    };
    let due = |minutes: i64| {
        (start(minutes) - TimeDelta::minutes(60)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let mut pending = reminders("pending");
    pending.sort();
    assert_eq!(
        pending,
        [due(600), due(1080)],
        "moved with the reschedule, gone with the cancel"
    );

    // At the first one's time: the reminder.
    setup.clock_at(start(600) - TimeDelta::minutes(60) + TimeDelta::seconds(5));
    let mail = setup.visitor_mail(6);
    let reminder = &mail[5];
    assert!(
        reminder["subject"]
            .as_str()
            .unwrap()
            .starts_with("Reminder"),
        "{reminder}"
    );
    assert!(
        reminder["calendar"].is_null(),
        "a reminder changes nothing in the calendar"
    );
    assert!(
        reminder["text"]
            .as_str()
            .unwrap()
            .contains("/book/open/manage/"),
        "{reminder}"
    );
    assert_eq!(reminders("sent"), [due(600)]);

    // The proxy is down past the second reminder's time (by more than 15 minutes): it is
    // skipped, not sent late.
    drop(proxy);
    setup.clock_at(start(1080) - TimeDelta::minutes(30));
    let proxy = setup.proxy();
    until(WAIT, "skipped", || reminders("skipped") == [due(1080)]);
    assert_eq!(setup.smtp.records().len(), 6, "no late reminder");
    drop(proxy);
}

/// `booking-proxy bookings --config … <args>`, as the operator runs it.
fn operator(config: &std::path::Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
        .arg("bookings")
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("run booking-proxy");
    assert!(out.status.success(), "{args:?}: {out:?}");
}

#[tokio::test]
async fn a_request_then_the_hosts_confirm_or_decline_reach_the_visitor() {
    let setup = Setup::plain("requires_confirmation = true");
    let proxy = setup.proxy();
    let (kept, _) = book_plain(&proxy, &tomorrow_plus(600), "en").await;
    let (refused, _) = book_plain(&proxy, &tomorrow_plus(720), "en").await;
    // Both requests are told first, so the operator's changes come after them.
    setup.visitor_mail(2);
    operator(&setup.config, &["confirm", &kept]);
    operator(&setup.config, &["decline", &refused]);
    let mail = setup.visitor_mail(4);
    let of = |id: &str| -> Vec<&Value> {
        mail.iter()
            .filter(|m| m["calendar"]["uid"].as_str().unwrap().contains(id))
            .collect()
    };
    let (kept, refused) = (of(&kept), of(&refused));
    assert_eq!((kept.len(), refused.len()), (2, 2), "{mail:#?}");
    let seq = |m: &Value| m["calendar"]["sequence"].as_u64().unwrap();
    for (m, subject, method, status) in [
        (kept[0], "Booking request received", "REQUEST", "TENTATIVE"),
        (kept[1], "Booking confirmed", "REQUEST", "CONFIRMED"),
        (
            refused[0],
            "Booking request received",
            "REQUEST",
            "TENTATIVE",
        ),
        (refused[1], "Booking cancelled", "CANCEL", "CANCELLED"),
    ] {
        assert!(m["subject"].as_str().unwrap().starts_with(subject), "{m}");
        assert_eq!(m["calendar"]["method"], method, "{m}");
        assert_eq!(m["calendar"]["status"], status, "{m}");
    }
    assert_eq!(seq(kept[1]), seq(kept[0]) + 1);
    assert_eq!(seq(refused[1]), seq(refused[0]) + 1);
    assert!(refused[1]["text"]
        .as_str()
        .unwrap()
        .contains("The host declined this booking request."));
}

#[tokio::test]
async fn the_file_transport_writes_each_message_as_a_file_a_mail_parser_reads() {
    let dir = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    let config = dir.path().join("proxy.toml");
    let text = format!(
        "{}\n[email]\nsmtp_url = \"file://{}\"\nfrom = \"Example Bookings <bookings@example.com>\"\n",
        open_config("bookings_per_minute = 1000", "")
            .replace("Open call about {{topic}}", "Open call")
            .replacen("[server]\n", "[server]\npublic_url = \"https://book.example.com/\"\n", 1),
        mail.display()
    );
    std::fs::write(&config, text).unwrap();
    let proxy = Proxy::start(&config, &[]);
    let (id, token) = book_plain(&proxy, &tomorrow_plus(600), "fr").await;
    let written = || -> Vec<PathBuf> {
        std::fs::read_dir(&mail)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default()
    };
    until(WAIT, "one .eml file", || written().len() == 1);
    let parsed = common::peers::parse_messages(&written());
    let m = &parsed[0];
    assert_eq!(m["to"], "Ada <ada@example.com>", "{m}");
    assert!(
        m["subject"].as_str().unwrap().starts_with("Réservation"),
        "{m}"
    );
    assert_eq!(m["calendar"]["method"], "REQUEST");
    assert!(m["calendar"]["uid"].as_str().unwrap().contains(&id));
    assert!(
        m["text"].as_str().unwrap().contains(&token),
        "the manage link"
    );
}
