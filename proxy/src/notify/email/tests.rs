use super::*;
use crate::config::MailTransport;

fn mailer() -> Mailer {
    let config = crate::config::parse(
        r#"
[server]
public_url = "https://book.example.com"
[email]
smtp_url = "smtp://127.0.0.1:1?tls=none"
from = "Example Bookings <bookings@example.com>"
"#,
        std::path::Path::new("."),
        &|_| None,
    )
    .unwrap();
    let email = config.email.unwrap();
    assert!(matches!(email.transport, MailTransport::Smtp { .. }));
    Mailer::new(&email, "https://book.example.com").unwrap()
}

fn row(name: &str, event: Event) -> OutboxRow {
    let payload = serde_json::json!({
        "type": event.name(), "timestamp": "2026-11-01T09:00:00.000Z",
        "data": {
            "id": "bk_1", "status": "confirmed", "start": "2026-11-23T13:00:00Z",
            "end": "2026-11-23T13:30:00Z", "time_zone": "Europe/Paris",
            "title": "Intro <b>call</b>", "location": "Zoom", "profile": "intro",
            "name": name, "email": "ada@example.com",
            "fields": {"topic": "A & B"}, "notes": "", "guests": []
        }
    });
    let now = Utc::now();
    OutboxRow {
        id: 1,
        profile: "intro".into(),
        booking_id: "bk_1".into(),
        event,
        channel: "email".into(),
        destination: "ada@example.com".into(),
        host_copy: false,
        message_id: "msg_1".into(),
        payload: payload.to_string(),
        sequence: 0,
        locale: Some("en".into()),
        link: Some("https://book.example.com/book/intro/manage/tok".into()),
        lead_minutes: None,
        due_at: now,
        next_at: now,
        attempts: 1,
        first_attempt_at: Some(now),
        state: "pending".into(),
        last_error: None,
        created_at: now,
    }
}

fn headers(message: &Message) -> Vec<String> {
    let text = String::from_utf8(message.formatted()).unwrap();
    let head = text.split("\r\n\r\n").next().unwrap().to_owned();
    head.replace("\r\n ", " ")
        .replace("\r\n\t", " ")
        .split("\r\n")
        .map(str::to_owned)
        .collect()
}

// The SMTP pool starts a task: a runtime is needed.
#[tokio::test]
async fn a_name_with_line_breaks_cannot_add_headers() {
    let m = mailer();
    let evil = "Ada\r\nBcc: evil@example.com\r\nX-Injected: yes";
    let message = m
        .message(&row(evil, Event::Created), &[], Utc::now())
        .unwrap();
    let headers = headers(&message);
    assert!(
        !headers
            .iter()
            .any(|h| h.starts_with("Bcc:") || h.starts_with("X-Injected:")),
        "{headers:?}"
    );
    let mut host = row(evil, Event::Created);
    host.host_copy = true;
    host.destination = "host@example.com".into();
    let message = m.message(&host, &[], Utc::now()).unwrap();
    let headers = self::headers(&message);
    assert!(
        !headers
            .iter()
            .any(|h| h.starts_with("Bcc:") || h.starts_with("X-Injected:")),
        "{headers:?}"
    );
}

// The SMTP pool starts a task: a runtime is needed.
#[tokio::test]
async fn html_escapes_the_bookings_text() {
    let c = mailer()
        .content(&row("<script>x</script>", Event::Created), &[], Utc::now())
        .unwrap();
    assert!(!c.html.contains("<script>"), "{}", c.html);
    assert!(
        c.html.contains("Hello &lt;script&gt;x&lt;/script&gt;,"),
        "{}",
        c.html
    );
    assert!(
        c.html.contains("<h1>Intro &lt;b&gt;call&lt;/b&gt;</h1>"),
        "{}",
        c.html
    );
    assert!(c.html.contains("A &amp; B"), "{}", c.html);
    assert!(c.text.contains("Hello <script>x</script>,"), "{}", c.text);
}

// The SMTP pool starts a task: a runtime is needed.
#[tokio::test]
async fn host_copies_carry_no_manage_link() {
    let mut host = row("Ada", Event::Created);
    host.host_copy = true;
    host.destination = "host@example.com".into();
    let c = mailer().content(&host, &[], Utc::now()).unwrap();
    let (_, calendar) = c.calendar.unwrap();
    for part in [&c.text, &c.html, &calendar] {
        assert!(!part.contains("/manage/"), "{part}");
    }
    let c = mailer()
        .content(&row("Ada", Event::Created), &[], Utc::now())
        .unwrap();
    let (_, calendar) = c.calendar.unwrap();
    for part in [&c.text, &c.html, &calendar] {
        assert!(part.contains("/book/intro/manage/tok"), "{part}");
    }
}
