//! The notification keys: `[[webhooks]]`, `[email]`, `server.public_url` and a profile's
//! `emails`, `notify` and `reminders`, each mistake named by its key.

use booking_proxy::config;

const LOCAL: &str = "[profiles.intro]\nprovider = \"local\"\ntitle = \"Intro\"\ntime_zone = \"UTC\"\ndurations = [30]\nhours = { mon = [\"09:00-17:00\"] }\n";
const EMAIL: &str =
    "[email]\nsmtp_url = \"smtp://127.0.0.1:2525?tls=none\"\nfrom = \"Bookings <b@example.com>\"\n";
const PUBLIC: &str = "[server]\npublic_url = \"https://book.example.com\"\n";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn env(name: &str) -> Option<String> {
    match name {
        "HOOK_SECRET" | "SMTP_PASSWORD" => Some(SECRET.to_owned()),
        n if n.ends_with("KEY") => Some(format!("secret-{n}")),
        _ => None,
    }
}

fn parse(text: &str) -> Result<config::Config, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proxy.toml");
    std::fs::write(&path, text).unwrap();
    config::load(&path, &env).map_err(|e| e.to_string())
}

#[test]
fn a_whole_notification_config_parses() {
    let text = format!(
        "{PUBLIC}{EMAIL}username = \"bookings\"\npassword_env = \"SMTP_PASSWORD\"\n\
         [[webhooks]]\nurl = \"https://example.com/hooks\"\nsecret_env = \"HOOK_SECRET\"\n\
         events = [\"booking.created\"]\nprofiles = [\"intro\"]\n\
         {LOCAL}notify = [\"host@example.com\"]\nreminders = [1440, 60]\n"
    );
    let config = parse(&text).unwrap();
    let intro = &config.profiles["intro"].notify;
    assert!(intro.emails);
    assert_eq!(intro.notify, ["host@example.com"]);
    assert_eq!(intro.reminders, [1440, 60]);
    assert_eq!(config.webhooks.len(), 1);
    let debug = format!("{:?} {:?}", config.webhooks, config.email);
    assert!(
        !debug.contains("MfKQ9r8G"),
        "secrets never printed: {debug}"
    );
}

#[test]
fn mistakes_are_named_by_their_key() {
    let hook = |body: &str| format!("{LOCAL}[[webhooks]]\n{body}\n");
    let cases: Vec<(String, &[&str])> = vec![
        (format!("{EMAIL}{LOCAL}"), &["server.public_url", "required with [email]"]),
        (format!("{LOCAL}reminders = [60]\n"), &["profiles.intro.reminders", "[email]"]),
        (format!("{LOCAL}notify = [\"host@example.com\"]\n"), &["profiles.intro.notify", "[email]"]),
        (format!("{PUBLIC}{EMAIL}{LOCAL}reminders = [0]\n"), &["profiles.intro.reminders", "between 1 and 43200"]),
        (format!("{PUBLIC}{EMAIL}{LOCAL}notify = [\"not an address\"]\n"), &["profiles.intro.notify"]),
        (format!("{PUBLIC}{EMAIL}[profiles.sales]\nprovider = \"calcom\"\napi_key_env = \"C_KEY\"\nevent_type_id = 1\nnotify = [\"h@example.com\"]\n"), &["profiles.sales.notify", "emails = true"]),
        (format!("{PUBLIC}[email]\nsmtp_url = \"smtp://user:pw@mail.example.com\"\nfrom = \"b@example.com\"\n"), &["email.smtp_url", "email.username"]),
        (format!("{PUBLIC}[email]\nsmtp_url = \"smtp://mail.example.com\"\n"), &["email.from", "required"]),
        (format!("{PUBLIC}{EMAIL}username = \"u\"\n"), &["email.password_env", "required"]),
        (format!("{PUBLIC}{EMAIL}username = \"u\"\npassword_env = \"UNSET_PASSWORD\"\n"), &["email.password_env", "UNSET_PASSWORD is not set"]),
        (format!("[server]\npublic_url = \"ftp://x\"\n{LOCAL}"), &["server.public_url"]),
        (hook("secret_env = \"HOOK_SECRET\""), &["webhooks[0].url", "required"]),
        (hook("url = \"https://e.example\"\nsecret_env = \"UNSET\""), &["webhooks[0].secret_env", "UNSET is not set"]),
        (hook("url = \"https://e.example\"\nsecret_env = \"HOOK_SECRET\"\nevents = [\"booking.made\"]"), &["webhooks[0].events", "booking.made"]),
        (hook("url = \"https://e.example\"\nsecret_env = \"HOOK_SECRET\"\nprofiles = [\"nope\"]"), &["webhooks[0].profiles", "nope"]),
        (hook("url = \"https://e.example\"\nsecret_env = \"HOOK_SECRET\"\nretries = 3"), &["webhooks", "unknown field `retries`"]),
    ];
    for (text, expected) in cases {
        let err = parse(&text)
            .err()
            .unwrap_or_else(|| panic!("accepted: {text}"));
        assert!(!err.contains('\n'), "one line: {err}");
        assert!(!err.contains("MfKQ9r8G"), "{err}");
        for needle in expected {
            assert!(err.contains(needle), "{needle:?} not in: {err}");
        }
    }
}
