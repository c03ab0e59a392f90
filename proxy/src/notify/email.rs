//! Emails (lettre): multipart text and HTML in the booking's language, with the calendar
//! invitation both as a `text/calendar; method=…` part and as an `invite.ics` attachment.
//! Sent over SMTP (STARTTLS or TLS through rustls; plain only when asked) or written as
//! `.eml` files.

use std::collections::BTreeMap;
use std::time::Duration;

use booking_wire::{BookingStatus, Field};
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
mod body;

use body::{details, html_body, one_line, text_body};

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
        let domain = ics::domain(Some(public_url));
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
            let uid = ics::uid(&b.id, &b.profile, &self.domain);
            let organizer = self.from.email.to_string();
            let text = ics::calendar(&Invite {
                method,
                event: ics::Event {
                    uid: &uid,
                    sequence: row.sequence,
                    status: ics::status(
                        BookingStatus::from_name(&b.status).unwrap_or(BookingStatus::Confirmed),
                    ),
                    start: b.start,
                    end: b.end,
                    stamp: now,
                    summary: &b.title,
                    location: b.location.as_deref(),
                    description: &description,
                    url: link,
                },
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

#[cfg(test)]
mod tests;
