//! The operator CLI, the database file and the logs, through the real binary or a real
//! listener.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use booking_wire::ErrorEnvelope;
use common::{booking, open_config, tomorrow_plus};

fn write_config(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("proxy.toml");
    std::fs::write(&path, open_config("bookings_per_minute = 100", "")).unwrap();
    path
}

fn cli(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
        .arg("bookings")
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("run booking-proxy")
}

/// Starts the real binary; returns it and its base URL.
fn serve(config: &std::path::Path, env: &[(&str, &str)]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    (child, base)
}

#[tokio::test]
async fn operator_lists_and_cancels_and_a_cancelled_time_is_free_again() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let (mut child, base) = serve(&config, &[]);
    let client = reqwest::Client::new();
    let start = tomorrow_plus(600);
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/profiles/open/bookings"))
        .json(&booking(&start, 30))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();

    let list = cli(&config, &["list", "--profile", "open"]);
    assert!(list.status.success());
    let out = String::from_utf8(list.stdout).unwrap();
    let row = out
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        row.contains("\topen\tconfirmed\t")
            && row.contains(&start)
            && row.contains("ada@example.com"),
        "{row}"
    );
    let nope = cli(&config, &["list", "--profile", "nope"]);
    assert_eq!(
        nope.status.code(),
        Some(1),
        "an unknown profile is an error"
    );
    assert!(String::from_utf8_lossy(&nope.stderr).contains("there is no profile \"nope\""));

    let taken = client
        .post(format!("{base}/api/v1/profiles/open/bookings"))
        .json(&booking(&start, 30))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), 409);
    let cancel = cli(&config, &["cancel", &id]);
    assert!(
        cancel.status.success(),
        "{}",
        String::from_utf8_lossy(&cancel.stderr)
    );
    let again = client
        .post(format!("{base}/api/v1/profiles/open/bookings"))
        .json(&booking(&start, 30))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 201, "the cancelled time is bookable again");

    let twice = cli(&config, &["cancel", &id]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("no active booking"));
    assert!(String::from_utf8_lossy(&cli(&config, &["list"]).stdout).contains("cancelled"));
    child.kill().unwrap();
    let _ = child.wait();
}

#[tokio::test]
async fn the_list_prints_stored_control_characters_escaped_or_as_json() {
    use booking_proxy::store::{Free, Holding, Store, StoredBooking};
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    // Text stored before control characters were refused (the API now says 422).
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("bookings.db").display()
    ))
    .await
    .unwrap();
    let forged = "Eve\nbk_forged\topen\tconfirmed\u{1b}[31m\\";
    let at = chrono::Utc::now() + chrono::TimeDelta::days(1);
    let stored = StoredBooking {
        id: "bk_eve".into(),
        profile: "open".into(),
        start: at,
        end: at + chrono::TimeDelta::minutes(30),
        status: "confirmed".into(),
        name: forged.into(),
        email: "eve@example.com".into(),
        time_zone: "UTC".into(),
        answers: "{}".into(),
        provider_ref: "bk_eve".into(),
        locale: None,
        title: "Open call".into(),
        location: None,
        token_hash: None,
        sequence: 0,
        reschedules: 0,
        cancel_reason: None,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    };
    store
        .insert_if_free(
            &stored,
            Free {
                buffer: chrono::TimeDelta::zero(),
                check: |_| true,
            },
            None,
            &[],
            Holding {
                now: chrono::Utc::now(),
                own: None,
            },
        )
        .await
        .unwrap();

    let table = String::from_utf8(cli(&config, &["list"]).stdout).unwrap();
    assert_eq!(table.lines().count(), 2, "a header and one row: {table}");
    assert!(!table.contains('\u{1b}'), "{table:?}");
    let row = table.lines().nth(1).unwrap();
    assert_eq!(row.split('\t').count(), 8, "{row:?}");
    assert!(
        row.contains(r"Eve\nbk_forged\topen\tconfirmed\u{1b}[31m\\"),
        "{row}"
    );

    let json = cli(&config, &["list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(list[0]["name"], forged);
    assert_eq!(list[0]["id"], "bk_eve");
}

#[tokio::test]
async fn the_database_file_is_created_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let db = dir.path().join("bookings.db");
    assert!(!db.exists());
    let (mut child, base) = serve(&config, &[]);
    assert_eq!(
        reqwest::get(format!("{base}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(db.exists());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        db.display()
    ))
    .await
    .unwrap();
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode.0, "wal");
    child.kill().unwrap();
    let _ = child.wait();
}

#[tokio::test]
async fn logs_carry_the_booking_id_but_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let (mut child, base) = serve(&config, &[("RUST_LOG", "debug")]);
    let mut body = booking(&tomorrow_plus(600), 30);
    body["name"] = serde_json::json!("Zebedee Quux");
    body["email"] = serde_json::json!("zebedee.quux@example.org");
    body["notes"] = serde_json::json!("secret-note-xyzzy");
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/profiles/open/bookings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A rejected one too: its messages must not echo the input either.
    body["email"] = serde_json::json!("zebedee-bad-address");
    let rejected = reqwest::Client::new()
        .post(format!("{base}/api/v1/profiles/open/bookings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let envelope: ErrorEnvelope = rejected.json().await.unwrap();
    assert!(!serde_json::to_string(&envelope)
        .unwrap()
        .contains("zebedee"));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains(&id), "the booking id is logged");
    for personal in ["Zebedee", "zebedee", "Quux", "secret-note-xyzzy"] {
        assert!(!logs.contains(personal), "{personal} leaked into the logs");
    }
}

#[tokio::test]
async fn pending_bookings_are_confirmed_or_declined_by_the_operator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.toml");
    let text = open_config("bookings_per_minute = 100", "requires_confirmation = true");
    std::fs::write(&path, text).unwrap();
    let (mut child, base) = serve(&path, &[]);
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for minutes in [600, 660] {
        let made: serde_json::Value = client
            .post(format!("{base}/api/v1/profiles/open/bookings"))
            .json(&booking(&tomorrow_plus(minutes), 30))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(made["status"], "pending");
        ids.push(made["id"].as_str().unwrap().to_owned());
    }
    let confirm = cli(&path, &["confirm", &ids[0]]);
    assert!(confirm.status.success(), "{confirm:?}");
    let decline = cli(&path, &["decline", &ids[1]]);
    assert!(decline.status.success(), "{decline:?}");
    let list: serde_json::Value =
        serde_json::from_slice(&cli(&path, &["list", "--json"]).stdout).unwrap();
    let status = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == id)
            .map(|b| b["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status(&ids[0]).as_deref(), Some("confirmed"));
    assert_eq!(status(&ids[1]).as_deref(), Some("cancelled"));
    // Only a pending booking can be either.
    let again = cli(&path, &["confirm", &ids[0]]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not pending"));
    child.kill().unwrap();
    let _ = child.wait();
}

#[tokio::test]
async fn a_remote_cancel_needs_only_that_profiles_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.toml");
    let text = format!(
        "{}\n[profiles.cal]\nprovider = \"calcom\"\napi_key_env = \"BW_TEST_CAL_KEY\"\nevent_type_id = 1\nbase_url = \"http://127.0.0.1:9\"\n\n[profiles.jic]\nprovider = \"jicoo\"\napi_key_env = \"BW_TEST_JICOO_KEY\"\nevent_type_id = \"x\"\n",
        open_config("", "")
    );
    std::fs::write(&path, text).unwrap();
    // The local profile's bookings need no key at all.
    assert!(cli(&path, &["list"]).status.success());
    // Cancelling at Cal.com needs Cal.com's key, not Jicoo's.
    let missing = cli(&path, &["cancel", "--profile", "cal", "uid-1"]);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("BW_TEST_CAL_KEY is not set"), "{stderr}");
    let with_key = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
        .args(["bookings", "--config"])
        .arg(&path)
        .args(["cancel", "--profile", "cal", "uid-1"])
        .env("BW_TEST_CAL_KEY", "cal_live_test")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&with_key.stderr);
    assert!(!stderr.contains("BW_TEST_JICOO_KEY"), "{stderr}");
    // It got as far as calling Cal.com (nothing listens there).
    assert!(stderr.contains("profile cal"), "{stderr}");
}

/// The list shows what became of a booking through its manage link: its status and how
/// often it was moved.
#[tokio::test]
async fn the_list_shows_status_and_reschedules_after_the_visitor_moves_and_cancels() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let (mut child, base) = serve(&config, &[]);
    let client = reqwest::Client::new();
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/profiles/open/bookings"))
        .json(&booking(&tomorrow_plus(600), 30))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let token = created["manage_token"].as_str().unwrap().to_owned();
    let manage = |action: &str, body: serde_json::Value| {
        client
            .post(format!("{base}/api/v1/bookings/{token}/{action}"))
            .json(&body)
            .send()
    };
    let to =
        |minutes: i64| serde_json::json!({ "start": tomorrow_plus(minutes), "time_zone": "UTC" });
    assert_eq!(manage("reschedule", to(660)).await.unwrap().status(), 200);
    assert_eq!(manage("reschedule", to(720)).await.unwrap().status(), 200);

    let row = |out: &std::process::Output| {
        let text = String::from_utf8(out.stdout.clone()).unwrap();
        text.lines()
            .find(|l| l.starts_with(&id))
            .unwrap_or_else(|| panic!("{text}"))
            .split('\t')
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let moved = row(&cli(&config, &["list"]));
    assert_eq!(moved[2], "confirmed");
    assert_eq!(moved[3], tomorrow_plus(720), "the new start");
    assert_eq!(moved[5], "2", "moved twice");

    assert_eq!(
        manage("cancel", serde_json::json!({}))
            .await
            .unwrap()
            .status(),
        200
    );
    let listed = cli(&config, &["list", "--json"]);
    let all: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let entry = all
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == id.as_str())
        .unwrap();
    assert_eq!(entry["status"], "cancelled");
    assert_eq!(entry["reschedules"], 2);
    assert_eq!(row(&cli(&config, &["list"]))[2], "cancelled");
    child.kill().unwrap();
    let _ = child.wait();
}

/// `profiles import` writes a file's profiles to the database, all or none, and the server
/// serves them; `profiles export` gives back a file that imports to the same profiles.
#[tokio::test]
async fn profiles_import_and_export_through_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let tutors = r#"
[profiles.tutor-1]
provider = "local"
title = "Maths with {{teacher}}"
time_zone = "Europe/Paris"
durations = [45]
hours = { wed = ["14:00-18:00"] }

[profiles.tutor-2]
provider = "local"
title = "Physics"
time_zone = "Asia/Tokyo"
durations = [30, 60]
hours = { sat = ["09:00-12:00"] }
[[profiles.tutor-2.fields]]
name = "grade"
kind = "select"
options = ["9", "10"]
"#;
    std::fs::write(dir.path().join("tutors.toml"), tutors).unwrap();
    let bad = format!("{tutors}\n[profiles.tutor-3]\nprovider = \"local\"\ntime_zone = \"UTC\"\n");
    std::fs::write(dir.path().join("bad.toml"), bad).unwrap();
    let clash = "[profiles.open]\nprovider = \"local\"\ntitle = \"Mine\"\n";
    std::fs::write(dir.path().join("clash.toml"), clash).unwrap();

    let cwd = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
            .current_dir(dir.path())
            .args(["profiles", "--config", "proxy.toml"])
            .args(args)
            .output()
            .unwrap()
    };
    // One bad profile: nothing is imported, and the message names the file and the key.
    let refused = cwd(&["import", "bad.toml"]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("bad.toml: profiles.tutor-3.title: is required"),
        "{message}"
    );
    let clashed = cwd(&["import", "clash.toml"]);
    assert!(String::from_utf8_lossy(&clashed.stderr)
        .contains("profiles.open: is defined in the config file"));
    let empty = cwd(&["export"]);
    assert!(empty.status.success());
    assert_eq!(String::from_utf8_lossy(&empty.stdout).trim(), "[profiles]");

    let imported = cwd(&["import", "tutors.toml"]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&imported.stdout).trim(),
        "imported 2 profiles: 2 created, 0 replaced"
    );
    let again = cwd(&["import", "tutors.toml"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 created, 2 replaced"));

    let exported = cwd(&["export"]);
    let exported = String::from_utf8(exported.stdout).unwrap();
    let read: toml::Table = exported.parse().unwrap();
    let written: toml::Table = tutors.parse().unwrap();
    assert_eq!(
        read, written,
        "the export is the file imported:\n{exported}"
    );

    let (mut child, base) = serve(&config, &[]);
    let get = |id: &str| reqwest::get(format!("{base}/api/v1/profiles/{id}"));
    let profile: serde_json::Value = get("tutor-2").await.unwrap().json().await.unwrap();
    assert_eq!(profile["title"], "Physics");
    assert_eq!(
        profile["fields"][0]["options"],
        serde_json::json!(["9", "10"])
    );
    let one: serde_json::Value = get("tutor-1").await.unwrap().json().await.unwrap();
    assert_eq!(
        one["fields"][0]["name"], "teacher",
        "{{variables}} become fields"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
