//! The configuration file: the whole format parses, and each mistake is one clear line
//! naming the profile and key, never a panic.

mod common;

use std::path::Path;

use booking_proxy::config::{self, Source};
use common::local::local;

const GOOD: &str = r#"
[server]
listen = "127.0.0.1:9000"
allowed_origins = ["http://localhost:3000"]
database = "sqlite://data/bookings.db"
assets_dir = "dist"

[limits]
bookings_per_minute = 5
body_bytes = 4096

[profiles.intro]
provider = "local"
title = "Intro call"
description = "About {{topic}}."
time_zone = "America/New_York"
durations = [30, 60]
slot_step = 15
buffer = 10
min_notice = 60
horizon_days = 30
location = "Zoom"
requires_confirmation = true
hours = { mon = ["09:00-12:00", "13:00-17:00"], tue = ["09:00-24:00"] }

[[profiles.intro.fields]]
name = "size"
label = "Team size"
kind = "select"
options = ["1-10", "11+"]
default = "1-10"

[profiles.sales]
provider = "calcom"
api_key_env = "CALCOM_API_KEY"
event_type_id = 12345
base_url = "http://127.0.0.1:9/"

[profiles.jp]
provider = "jicoo"
api_key_env = "JICOO_KEY"
event_type_id = "o072r8CvwVF4"

[profiles.au]
provider = "aurinko"
api_key_env = "AURINKO_KEY"
profile_id = 42
cache_seconds = 5

[profiles.vy]
provider = "vyte"
api_key_env = "VYTE_KEY"
users = ["5f3feb7821046c3bb9327e6a"]
duration = 30
title = "Demo"
time_zone = "Europe/Paris"
location = "Google Meet"
requires_confirmation = true

[upstream]
timeout_ms = 2500
budget_ms = 6000
"#;

fn env(name: &str) -> Option<String> {
    name.ends_with("KEY").then(|| format!("secret-{name}"))
}

fn parse_error(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.toml");
    std::fs::write(&path, text).unwrap();
    let err = config::load(&path, &env)
        .expect_err("expected a config error")
        .to_string();
    assert!(!err.contains('\n'), "error must be one line: {err}");
    err
}

#[test]
fn a_postgres_database_url_is_taken_as_it_is() {
    for url in [
        "postgres://booking@db.internal:5432/booking",
        "postgresql://booking:secret@127.0.0.1/booking?sslmode=require",
    ] {
        let text = GOOD.replace("sqlite://data/bookings.db", url);
        let config = config::parse(&text, Path::new("/etc/booking"), &env).expect("valid");
        assert_eq!(config.server.database, url);
    }
}

#[test]
fn the_whole_format_parses() {
    let config = config::parse(GOOD, Path::new("/etc/booking"), &env).expect("valid");
    assert_eq!(config.server.listen.to_string(), "127.0.0.1:9000");
    assert_eq!(
        config.server.database,
        "sqlite:///etc/booking/data/bookings.db"
    );
    assert_eq!(config.server.assets_dir, Path::new("/etc/booking/dist"));
    assert_eq!(
        (config.limits.bookings_per_minute, config.limits.body_bytes),
        (5, 4096)
    );
    let intro = &config.profiles["intro"];
    let Source::Local(rules) = &intro.source else {
        panic!("intro is local")
    };
    assert_eq!(rules.time_zone, chrono_tz::America::New_York);
    assert_eq!(
        (
            rules.slot_step,
            rules.buffer,
            rules.min_notice,
            rules.horizon_days
        ),
        (Some(15), 10, 60, 30)
    );
    assert!(rules.requires_confirmation);
    let mon = rules.hours.on(chrono::Weekday::Mon);
    assert_eq!(
        mon.iter().map(|i| (i.start, i.end)).collect::<Vec<_>>(),
        vec![(540, 720), (780, 1020)]
    );
    assert_eq!(rules.hours.on(chrono::Weekday::Tue)[0].end, 1440);
    assert!(rules.hours.on(chrono::Weekday::Sun).is_empty());
    let names: Vec<_> = intro
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(names, vec![("size", false), ("topic", true)]);
    let Source::Remote(sales) = &config.profiles["sales"].source else {
        panic!("remote")
    };
    assert_eq!(sales.api_key, "secret-CALCOM_API_KEY");
    assert_eq!(sales.base_url, "http://127.0.0.1:9");
    assert!(
        !format!("{sales:?}").contains("secret"),
        "Debug must not show the key"
    );
    assert_eq!(
        (config.upstream.timeout, config.upstream.budget),
        (
            std::time::Duration::from_millis(2500),
            std::time::Duration::from_millis(6000)
        )
    );
    let Source::Remote(vy) = &config.profiles["vy"].source else {
        panic!("remote")
    };
    assert_eq!(vy.time_zone, Some(chrono_tz::Europe::Paris));
    let config::RemoteKind::Vyte {
        requires_confirmation,
        location,
        ..
    } = &vy.kind
    else {
        panic!("vyte")
    };
    assert!(*requires_confirmation);
    assert_eq!(location.as_deref(), Some("Google Meet"));
    assert_eq!(config.profiles["au"].cache_seconds, 5);
    assert_eq!(
        config.profiles["jp"].cache_seconds,
        config::DEFAULT_CACHE_SECONDS
    );
}

#[test]
fn each_mistake_is_named_by_profile_and_key() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "colour = \"red\"\n",
            "",
            &["profiles.intro", "unknown field `colour`"],
        ),
        (
            "",
            "[server]\nlisten = \"nowhere\"",
            &["server.listen", "nowhere"],
        ),
        (
            "",
            "[server]\nallowed_origins = [\"http://a.test/path\"]",
            &["server.allowed_origins", "a.test/path"],
        ),
        (
            "",
            "[server]\ndatabase = \"mysql://x\"",
            &["server.database", "postgres://"],
        ),
        (
            "",
            "[server]\nport = 1",
            &["server", "unknown field `port`"],
        ),
        (
            "",
            "[limits]\nbookings_per_minute = 0",
            &["limits.bookings_per_minute"],
        ),
        (
            "",
            "[limits]\nbody_bytes = \"big\"",
            &["limits.body_bytes", "invalid type"],
        ),
        (
            "buffer = \"ten\"\n",
            "",
            &["profiles.intro.buffer", "invalid type"],
        ),
    ];
    for (extra, tail, expected) in cases {
        let text = format!("{}{extra}{tail}\n", local(""));
        let err = parse_error(&text);
        for needle in *expected {
            assert!(err.contains(needle), "{needle:?} not in: {err}");
        }
    }
}

#[test]
fn local_profile_values_are_checked() {
    let cases: &[(&str, &[&str])] = &[
        (
            "time_zone = \"Mars/Olympus\"",
            &["profiles.intro.time_zone", "Mars/Olympus"],
        ),
        ("time_zone = -", &["profiles.intro.time_zone", "required"]),
        (
            "hours = { mon = [\"25:00-26:00\"] }",
            &["profiles.intro.hours.mon", "25:00"],
        ),
        (
            "hours = { mon = [\"9-17\"] }",
            &["profiles.intro.hours.mon", "9-17"],
        ),
        (
            "hours = { tue = [\"17:00-09:00\"] }",
            &["profiles.intro.hours.tue", "ends before it starts"],
        ),
        (
            "hours = { wed = [\"09:00-12:00\", \"11:00-13:00\"] }",
            &["profiles.intro.hours.wed", "overlaps"],
        ),
        (
            "hours = { mondey = [\"09:00-12:00\"] }",
            &["profiles.intro.hours", "unknown field `mondey`"],
        ),
        ("hours = -", &["profiles.intro.hours", "required"]),
        (
            "durations = []",
            &["profiles.intro.durations", "at least one"],
        ),
        ("durations = [0]", &["profiles.intro.durations"]),
        ("slot_step = 0", &["profiles.intro.slot_step"]),
        ("horizon_days = 0", &["profiles.intro.horizon_days"]),
        ("title = -", &["profiles.intro.title", "required"]),
        (
            "event_type_id = 5",
            &[
                "profiles.intro.event_type_id",
                "not used by provider \"local\"",
            ],
        ),
        (
            "provider = \"outlook\"",
            &["profiles.intro.provider", "unknown variant `outlook`"],
        ),
    ];
    for (set, expected) in cases {
        let err = parse_error(&local(set));
        for needle in *expected {
            assert!(err.contains(needle), "{set}: {needle:?} not in: {err}");
        }
    }
}

#[test]
fn fields_are_checked() {
    let field = |body: &str| format!("{}\n[[profiles.intro.fields]]\n{body}\n", local(""));
    let cases: &[(String, &[&str])] = &[
        (field("name = \"a\"\nkind = \"text\"\n[[profiles.intro.fields]]\nname = \"a\"\nkind = \"email\""), &["profiles.intro.fields[1].name", "duplicate"]),
        (field("name = \"email\"\nkind = \"text\""), &["profiles.intro.fields[0].name", "always asked"]),
        (field("name = \"a b\"\nkind = \"text\""), &["profiles.intro.fields[0].name"]),
        (field("name = \"a\"\nkind = \"dropdown\""), &["profiles.intro.fields[0].kind", "unknown variant `dropdown`"]),
        (field("name = \"a\"\nkind = \"select\""), &["profiles.intro.fields[0].options", "needs options"]),
        (field("name = \"a\"\nkind = \"text\"\noptions = [\"x\"]"), &["profiles.intro.fields[0].options"]),
        (field("name = \"a\"\nkind = \"select\"\noptions = [\"x\"]\ndefault = \"y\""), &["profiles.intro.fields[0].default", "listed options"]),
        (field("name = \"a\"\nkind = \"text\"\ndefault = \"x\"\nrequired = true"), &["profiles.intro.fields[0].required", "default is optional"]),
        (field("name = \"a\"\nkind = \"text\"\ncolor = 1"), &["profiles.intro.fields[0]", "unknown field `color`"]),
    ];
    for (text, expected) in cases {
        let err = parse_error(text);
        for needle in *expected {
            assert!(err.contains(needle), "{needle:?} not in: {err}");
        }
    }
}

#[test]
fn remote_profiles_need_their_keys() {
    let remote = |body: &str| format!("[profiles.sales]\n{body}\n");
    let cases: &[(String, &[&str])] = &[
        (remote("provider = \"calcom\"\napi_key_env = \"CALCOM_API_KEY\""), &["profiles.sales.event_type_id", "required"]),
        (remote("provider = \"calcom\"\napi_key_env = \"CALCOM_API_KEY\"\nevent_type_id = \"abc\""), &["profiles.sales.event_type_id", "integer"]),
        (remote("provider = \"jicoo\"\napi_key_env = \"J_KEY\"\nevent_type_id = 5"), &["profiles.sales.event_type_id", "uid"]),
        (remote("provider = \"aurinko\"\napi_key_env = \"A_KEY\""), &["profiles.sales.profile_id"]),
        (remote("provider = \"vyte\"\napi_key_env = \"V_KEY\"\nduration = 30\ntitle = \"x\""), &["profiles.sales.users"]),
        (remote("provider = \"calcom\"\nevent_type_id = 1"), &["profiles.sales.api_key_env", "required"]),
        (remote("provider = \"calcom\"\nevent_type_id = 1\napi_key_env = \"NOT_SET\""), &["profiles.sales.api_key_env", "NOT_SET is not set"]),
        (remote("provider = \"calcom\"\nevent_type_id = 1\napi_key_env = \"C_KEY\"\nbase_url = \"ftp://x\""), &["profiles.sales.base_url"]),
        (remote("provider = \"calcom\"\nevent_type_id = 1\napi_key_env = \"C_KEY\"\nhours = { mon = [] }"), &["profiles.sales.hours", "not used by provider \"calcom\""]),
        (remote("provider = \"calcom\"\nevent_type_id = 1\napi_key_env = \"C_KEY\"\ntime_zone = \"Mars/Base\""), &["profiles.sales.time_zone", "IANA"]),
        (remote("provider = \"calcom\"\nevent_type_id = 1\napi_key_env = \"C_KEY\"\nrequires_confirmation = true"), &["profiles.sales.requires_confirmation", "not used by provider \"calcom\""]),
        (format!("[upstream]\ntimeout_ms = 0\n{}", remote("provider = \"calcom\"\nevent_type_id = 1\napi_key_env = \"C_KEY\"")), &["upstream.timeout_ms", "between 1 and 120000"]),
        (format!("[upstream]\ntimeout_ms = 5000\nbudget_ms = 1000\n{}", remote("provider = \"calcom\"\nevent_type_id = 1\napi_key_env = \"C_KEY\"")), &["upstream.budget_ms", "at least upstream.timeout_ms"]),
        (format!("[upstream]\ntimeout = 5\n{}", remote("provider = \"calcom\"\nevent_type_id = 1\napi_key_env = \"C_KEY\"")), &["upstream", "unknown field `timeout`"]),
    ];
    for (text, expected) in cases {
        let err = parse_error(text);
        for needle in *expected {
            assert!(err.contains(needle), "{needle:?} not in: {err}");
        }
    }
}

#[test]
fn toml_syntax_errors_give_the_line() {
    let err = parse_error("[server]\nlisten = \n");
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn calendar_sources_are_checked() {
    let calendar = |body: &str| format!("{}\n[[profiles.intro.calendars]]\n{body}\n", local(""));
    let cases: &[(String, &[&str])] = &[
        (calendar("ics_url = \"ftp://example.com/a.ics\""), &["profiles.intro.calendars[0].ics_url", "not an http(s) or file:// URL"]),
        (calendar("caldav_url = \"https://user:pw@dav.example.com/cal/\""), &["profiles.intro.calendars[0].caldav_url", "without credentials"]),
        (calendar("ics_url = \"https://example.com/a.ics\"\ncaldav_url = \"https://dav.example.com/\""), &["profiles.intro.calendars[0]", "exactly one of ics_url or caldav_url"]),
        (calendar("cache_seconds = 5"), &["profiles.intro.calendars[0]", "exactly one of ics_url or caldav_url"]),
        (calendar("ics_url = \"https://example.com/a.ics\"\nwrite = true"), &["profiles.intro.calendars[0].write", "only with caldav_url"]),
        (calendar("caldav_url = \"https://dav.example.com/\"\nusername = \"h\"\npassword_env = \"NOT_SET_ANYWHERE\""), &["profiles.intro.calendars[0].password_env", "NOT_SET_ANYWHERE is not set"]),
        (calendar("caldav_url = \"https://dav.example.com/\"\npassword_env = \"CALCOM_API_KEY\""), &["profiles.intro.calendars[0].username", "required with password_env"]),
        (calendar("ics_url = \"https://example.com/a.ics\"\ncache_seconds = 0"), &["profiles.intro.calendars[0].cache_seconds"]),
        (calendar("ics_url = \"https://example.com/a.ics\"\nstale_seconds = 9999999"), &["profiles.intro.calendars[0].stale_seconds"]),
        (calendar("ics_url = \"https://example.com/a.ics\"\ncolour = 1"), &["profiles.intro.calendars", "unknown field `colour`"]),
    ];
    for (text, expected) in cases {
        let err = parse_error(text);
        for needle in *expected {
            assert!(err.contains(needle), "{needle:?} not in: {err}");
        }
    }
    // A good pair parses, the password from its variable.
    let good = calendar("ics_url = \"file:///srv/host.ics\"\n[[profiles.intro.calendars]]\ncaldav_url = \"https://dav.example.com/cal/\"\nusername = \"h\"\npassword_env = \"CALCOM_API_KEY\"\nwrite = true");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.toml");
    std::fs::write(&path, good).unwrap();
    let config = config::load(&path, &env).expect("valid");
    let Source::Local(rules) = &config.profiles["intro"].source else {
        panic!("a local profile");
    };
    assert_eq!(rules.calendars.len(), 2);
    assert!(!rules.calendars[0].writes());
    assert!(rules.calendars[1].writes());
    assert_eq!(rules.calendars[1].host(), "dav.example.com");
}
