//! Bad configuration at start-up: the real binary exits with one clear line naming the
//! profile and key, never a panic; a config that offers nothing starts with a warning.

mod common;

use std::process::Command;

use common::local::local;

#[test]
fn the_binary_exits_non_zero_with_one_line_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, local("hours = { mon = [\"25:00-26:00\"] }")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
        .args(["serve", "--config"])
        .arg(&path)
        .output()
        .expect("run booking-proxy");
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("profiles.intro.hours.mon"), "{stderr}");
    assert!(stderr.contains("bad.toml"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    assert!(out.stdout.is_empty(), "nothing is served");

    let missing = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
        .args(["serve", "--config", "/nonexistent/proxy.toml"])
        .output()
        .expect("run booking-proxy");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

/// Runs `booking-proxy serve` on `config` with every `*_KEY` variable set; its exit code
/// and stderr, or a failure if it is still running after 20 s.
fn serve_until_exit(config: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.toml");
    std::fs::write(&path, config).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .env("J_KEY", "secret-J_KEY")
        .env("V_KEY", "secret-V_KEY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run booking-proxy");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("booking-proxy started with a bad provider id");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_provider_id_stops_start_up_naming_the_profile_once() {
    let cases = [
        (
            "provider = \"jicoo\"\napi_key_env = \"J_KEY\"\nevent_type_id = \"../o072r8\"",
            "profiles.sales.event_type_id",
        ),
        (
            "provider = \"vyte\"\napi_key_env = \"V_KEY\"\nusers = [\"../5f3f\"]\nduration = 30\ntitle = \"x\"",
            "profiles.sales.users",
        ),
    ];
    for (body, key) in cases {
        let (code, stderr) = serve_until_exit(&format!("[profiles.sales]\n{body}\n"));
        assert_eq!(code, Some(1), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(key), "{key} not in: {stderr}");
        assert_eq!(stderr.matches("profiles.sales").count(), 1, "{stderr}");
        assert!(
            !stderr.contains("secret") && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
}

#[test]
fn serve_stops_on_a_missing_assets_folder_or_database_folder_naming_each() {
    let (code, stderr) = serve_until_exit("[server]\nassets_dir = \"no-such-build\"\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("server.assets_dir") && stderr.contains("no-such-build"),
        "{stderr}"
    );

    let (code, stderr) =
        serve_until_exit("[server]\ndatabase = \"sqlite://no/such/folder/bookings.db\"\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("server.database"), "{stderr}");
    assert!(
        stderr.contains("no/such/folder"),
        "names the folder: {stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn a_config_that_offers_nothing_starts_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.toml");
    for (text, warning) in [
        ("[server]\ndatabase = \"sqlite://b.db\"\n", "no [profiles.ID]"),
        (
            "[server]\ndatabase = \"sqlite://b.db\"\n[profiles.none]\nprovider = \"local\"\ntitle = \"T\"\ntime_zone = \"UTC\"\ndurations = [30]\nhours = { mon = [] }\n",
            "profiles.none.hours gives no working time",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_booking-proxy"))
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // It starts (the listening line), having said why it will offer nothing.
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert!(line.contains("listening"), "{line}");
        child.kill().unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(warning), "{warning} not in: {stderr}");
    }
}
