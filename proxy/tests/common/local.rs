//! What the local provider's tests share: its paths, its answers and a minimal profile.

use booking_wire::ErrorEnvelope;

pub const BOOK: &str = "/api/v1/profiles/open/bookings";

pub const LIMITS: &str = "bookings_per_minute = 100000";

pub async fn error(response: reqwest::Response) -> (u16, ErrorEnvelope) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("error envelope"))
}

/// A minimal local profile with `set` replacing or adding keys.
pub fn local(set: &str) -> String {
    let mut keys = vec![
        ("provider", "\"local\""),
        ("title", "\"Intro\""),
        ("time_zone", "\"Europe/Paris\""),
        ("durations", "[30]"),
        ("hours", "{ mon = [\"09:00-17:00\"] }"),
    ];
    let overrides: Vec<(&str, &str)> = set.lines().filter_map(|l| l.split_once(" = ")).collect();
    for (k, v) in &overrides {
        match keys.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v,
            None => keys.push((k, v)),
        }
    }
    let body: String = keys
        .iter()
        .filter(|(_, v)| *v != "-")
        .map(|(k, v)| format!("{k} = {v}\n"))
        .collect();
    format!("[profiles.intro]\n{body}")
}
