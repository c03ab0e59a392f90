//! Emails (lettre): multipart text and HTML in the booking's language, with the calendar
//! invitation both as a `text/calendar; method=…` part and as an `invite.ics` attachment.
//! Sent over SMTP (STARTTLS or TLS through rustls; plain only when asked) or written as
//! `.eml` files.

use std::collections::BTreeMap;
use std::time::Duration;

use booking_wire::Field;
use chrono::{DateTime, Utc};
use html_escape::{encode_double_quoted_attribute, encode_text};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{
    Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use serde::Deserialize;

use super::i18n::{texts, Texts};
use super::ics::{self, Invite, Method};
use super::worker::Outcome;
use super::Event;
use crate::config::{EmailConfig, MailTransport};
use crate::store::OutboxRow;

/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    /// The public URL's host: the domain of UIDs and Message-IDs.
    domain: String,
}

impl Mailer {
    pub fn new(config: &EmailConfig, public_url: &str) -> Result<Self, String> {
        let credentials = match (&config.username, config.password()) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.into())),
            _ => None,
        };
        let smtp = |builder: lettre::transport::smtp::AsyncSmtpTransportBuilder, port| {
            let builder = builder.port(port).timeout(Some(SMTP_TIMEOUT));
            let builder = match &credentials {
                Some(c) => builder.credentials(c.clone()),
                None => builder,
            };
            Transport::Smtp(builder.build())
        };
        let tls_error = |e: lettre::transport::smtp::Error| format!("email.smtp_url: {e}");
        let transport = match &config.transport {
            MailTransport::Smtp {
                host,
                port,
                starttls: true,
            } => smtp(
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(tls_error)?,
                *port,
            ),
            MailTransport::Smtp { host, port, .. } => smtp(
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                *port,
            ),
            MailTransport::Smtps { host, port } => smtp(
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(tls_error)?,
                *port,
            ),
            MailTransport::File(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("email.smtp_url: cannot create {}: {e}", dir.display()))?;
                Transport::File(AsyncFileTransport::new(dir))
            }
        };
        let domain = url::Url::parse(public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "booking-proxy".into());
        Ok(Self {
            transport,
            from: config.from.clone(),
            domain,
        })
    }

    /// One attempt at `row`, with `fields` the profile's form (for the answers' labels).
    pub async fn send(&self, row: &OutboxRow, fields: &[Field]) -> Outcome {
        let message = match self.message(row, fields, Utc::now()) {
            Ok(message) => message,
            Err(e) => return Outcome::Failed(e),
        };
        let sent = match &self.transport {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Transport::File(file) => file
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        };
        match sent {
            Ok(()) => Outcome::Sent,
            Err(e) => Outcome::Retry(format!("email not accepted: {e}"), None),
        }
    }

    /// The whole message for `row`, as of `now`.
    pub fn message(
        &self,
        row: &OutboxRow,
        fields: &[Field],
        now: DateTime<Utc>,
    ) -> Result<Message, String> {
        let c = self.content(row, fields, now)?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(c.to)
            .subject(c.subject)
            .message_id(Some(format!("<{}@{}>", row.message_id, self.domain)))
            .date(now.into());
        let alternative = MultiPart::alternative()
            .singlepart(SinglePart::plain(c.text))
            .singlepart(SinglePart::html(c.html));
        let Some((method, calendar)) = c.calendar else {
            return builder
                .multipart(alternative)
                .map_err(|e| format!("cannot build the email: {e}"));
        };
        let calendar_type = |kind: &str| {
            ContentType::parse(&format!(
                "{kind}; charset=utf-8; method={}",
                method.as_str()
            ))
            .map_err(|e| format!("content type: {e}"))
        };
        let alternative = alternative.singlepart(
            SinglePart::builder()
                .header(calendar_type("text/calendar")?)
                .body(calendar.clone()),
        );
        let attachment =
            Attachment::new("invite.ics".into()).body(calendar, calendar_type("application/ics")?);
        builder
            .multipart(
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(attachment),
            )
            .map_err(|e| format!("cannot build the email: {e}"))
    }

    /// What the message says, before MIME.
    fn content(
        &self,
        row: &OutboxRow,
        fields: &[Field],
        now: DateTime<Utc>,
    ) -> Result<Content, String> {
        let payload: Payload =
            serde_json::from_str(&row.payload).map_err(|e| format!("bad payload: {e}"))?;
        let b = &payload.data;
        let t = texts(row.locale.as_deref());
        let to = if row.host_copy {
            row.destination
                .parse::<Mailbox>()
                .map_err(|_| "the notify address is not an email address".to_owned())?
        } else {
            let address = row
                .destination
                .parse::<Address>()
                .map_err(|_| "the visitor's email address cannot be sent to".to_owned())?;
            Mailbox::new(Some(one_line(&b.name)), address)
        };
        let words = Words::of(t, row, b);
        let when = t.span(b.start, b.end, &b.time_zone);
        let subject = match row.host_copy {
            true => format!("{}: {}, {when} – {}", words.subject, b.title, b.name),
            false => format!("{}: {}, {when}", words.subject, b.title),
        };
        let link = row.link.as_deref().filter(|_| !row.host_copy);
        let details = details(t, b, fields, &when, &words, row.host_copy);
        let text = text_body(t, b, &words, &details, link, row.host_copy);
        let html = html_body(t, b, &words, &details, link, row.host_copy);
        let method = match row.event {
            Event::Cancelled => Some(Method::Cancel),
            Event::Reminder => None,
            _ => Some(Method::Request),
        };
        let calendar = method.map(|method| {
            let description = match (link, row.host_copy) {
                (Some(link), _) => format!("{}\n{}\n{link}", words.headline, t.manage_hint),
                (None, true) => format!("{}: {} <{}>", t.booked_by, b.name, b.email),
                (None, false) => words.headline.to_owned(),
            };
            let uid = format!("{}.{}@{}", b.id, b.profile, self.domain);
            let organizer = self.from.email.to_string();
            let text = ics::calendar(&Invite {
                method,
                uid: &uid,
                sequence: row.sequence,
                tentative: b.status == "pending",
                start: b.start,
                end: b.end,
                stamp: now,
                summary: &b.title,
                location: b.location.as_deref(),
                description: &description,
                url: link,
                organizer: (self.from.name.as_deref(), &organizer),
                attendee: (&b.name, &b.email),
            });
            (method, text)
        });
        Ok(Content {
            to,
            subject: one_line(&subject),
            text,
            html,
            calendar,
        })
    }
}

struct Content {
    to: Mailbox,
    subject: String,
    text: String,
    html: String,
    calendar: Option<(Method, String)>,
}

/// The webhook body the outbox keeps; emails are written from its `data`.
#[derive(Deserialize)]
struct Payload {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    id: String,
    status: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    time_zone: String,
    title: String,
    location: Option<String>,
    profile: String,
    name: String,
    email: String,
    #[serde(default)]
    fields: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    guests: Vec<String>,
    reason: Option<String>,
}

/// The subject and first line of a message.
struct Words<'a> {
    subject: &'a str,
    headline: &'a str,
}

impl<'a> Words<'a> {
    fn of(t: &'a Texts, row: &OutboxRow, b: &Data) -> Self {
        let pending = b.status == "pending";
        let (subject, headline) = match (row.event, row.host_copy) {
            (Event::Created, false) if pending => (t.subject_pending, t.pending),
            (Event::Created, false) => (t.subject_created, t.created),
            (Event::Rescheduled, false) => (t.subject_rescheduled, t.rescheduled),
            (Event::Cancelled, false) => (t.subject_cancelled, t.cancelled),
            (Event::Confirmed, false) => (t.subject_confirmed, t.confirmed),
            (Event::Reminder, _) => (t.subject_reminder, t.reminder),
            (Event::Created, true) if pending => (t.host_pending, t.host_pending),
            (Event::Created, true) => (t.host_created, t.host_created),
            (Event::Rescheduled, true) => (t.host_rescheduled, t.host_rescheduled),
            (Event::Cancelled, true) => (t.host_cancelled, t.host_cancelled),
            (Event::Confirmed, true) => (t.host_confirmed, t.host_confirmed),
        };
        Self { subject, headline }
    }
}

/// Label and value lines under the headline.
fn details(
    t: &Texts,
    b: &Data,
    fields: &[Field],
    when: &str,
    words: &Words<'_>,
    host_copy: bool,
) -> Vec<(String, String)> {
    let mut out = vec![(t.when.to_owned(), when.to_owned())];
    if let Some(location) = b.location.as_deref().filter(|l| !l.is_empty()) {
        out.push((t.place.to_owned(), location.to_owned()));
    }
    if let Some(reason) = b.reason.as_deref().filter(|_| words.headline != t.reminder) {
        out.push((t.reason.to_owned(), t.reason_text(reason).to_owned()));
    }
    if host_copy {
        out.push((t.booked_by.to_owned(), format!("{} <{}>", b.name, b.email)));
    }
    for (name, value) in &b.fields {
        let label = fields
            .iter()
            .find(|f| &f.name == name)
            .map_or(name.as_str(), |f| f.label.as_str());
        out.push((label.to_owned(), answer(value)));
    }
    if !b.notes.trim().is_empty() {
        out.push((t.notes.to_owned(), b.notes.trim().to_owned()));
    }
    if !b.guests.is_empty() {
        out.push((t.guests.to_owned(), b.guests.join(", ")));
    }
    out
}

fn answer(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => "✓".into(),
        serde_json::Value::Bool(false) => "✗".into(),
        serde_json::Value::Array(items) => items.iter().map(answer).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn text_body(
    t: &Texts,
    b: &Data,
    words: &Words<'_>,
    details: &[(String, String)],
    link: Option<&str>,
    host_copy: bool,
) -> String {
    let mut out = String::new();
    if !host_copy {
        out.push_str(&t.greeting.replace("{name}", &b.name));
        out.push_str("\n\n");
    }
    out.push_str(words.headline);
    out.push_str("\n\n");
    out.push_str(&b.title);
    out.push('\n');
    for (label, value) in details {
        out.push_str(&format!("{label}: {value}\n"));
    }
    if let Some(link) = link {
        out.push_str(&format!("\n{}\n{link}\n", t.manage_hint));
    }
    out
}

/// The same, as HTML: every text from the booking escaped.
fn html_body(
    t: &Texts,
    b: &Data,
    words: &Words<'_>,
    details: &[(String, String)],
    link: Option<&str>,
    host_copy: bool,
) -> String {
    let dir = if t.rtl { "rtl" } else { "ltr" };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n",
        t.lang,
        encode_text(&b.title)
    );
    if !host_copy {
        let greeting = t.greeting.replace("{name}", &b.name);
        out.push_str(&format!("<p>{}</p>\n", encode_text(&greeting)));
    }
    out.push_str(&format!(
        "<p>{}</p>\n<h1>{}</h1>\n<table>\n",
        encode_text(words.headline),
        encode_text(&b.title)
    ));
    for (label, value) in details {
        let value = encode_text(value).replace('\n', "<br>");
        out.push_str(&format!(
            "<tr><th>{}</th><td>{value}</td></tr>\n",
            encode_text(label)
        ));
    }
    out.push_str("</table>\n");
    if let Some(link) = link {
        out.push_str(&format!(
            "<p>{}<br><a href=\"{}\">{}</a></p>\n",
            encode_text(t.manage_hint),
            encode_double_quoted_attribute(link),
            encode_text(t.manage)
        ));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A header's text: no control characters (no CR/LF to start another header).
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
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
}
